import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Parser } from '@oclif/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { FAST_FLAGS, parseFastArgv } from '@floe/plugin-secrets/fast-run'
import { assertBuilt, floeBin, isolatedEnv, makeProject, repoRoot, runFloe } from './helpers.js'

// `floe secrets validate|exec` run without oclif when src/fast-start.ts can
// (@floe/plugin-secrets' lib/fast-run.ts parses the command line). These tests pin that its
// parser reads what oclif's does, refuses the rest, and that the CLI's output and exit codes
// are the same with it as through oclif (FLOE_NO_FAST_START=1).

const cliDir = join(repoRoot, 'apps/floe')

interface FlagDef {
  type: 'boolean' | 'option'
  multiple?: boolean
  allowNo?: boolean
}
interface CommandClass {
  baseFlags: Record<string, FlagDef>
  flags: Record<string, FlagDef>
  args?: Record<string, unknown>
  strict?: boolean
}
type Fast = 'validate' | 'exec' | 'get' | 'list'
let commands: Record<Fast, CommandClass>

beforeAll(async () => {
  assertBuilt()
  const { COMMANDS } = (await import(pathToFileURL(join(cliDir, 'dist/commands.js')).href)) as {
    COMMANDS: Record<string, CommandClass>
  }
  commands = {
    validate: COMMANDS['secrets:validate'] as CommandClass,
    exec: COMMANDS['secrets:exec'] as CommandClass,
    get: COMMANDS['secrets:get'] as CommandClass,
    list: COMMANDS['secrets:list'] as CommandClass,
  }
})

const definedOnly = (flags: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))

async function oclifParse(command: Fast, argv: string[]) {
  const c = commands[command]
  const { flags, argv: rest } = await Parser.parse(argv, {
    flags: { ...c.baseFlags, ...c.flags } as never,
    strict: c.strict ?? true,
    args: (c.args ?? {}) as never,
  })
  return { flags: definedOnly(flags as Record<string, unknown>), argv: rest as string[] }
}

describe('parseFastArgv', () => {
  it('knows exactly the flags of validate, exec, get and list, with their kinds', () => {
    for (const command of ['validate', 'exec', 'get', 'list'] as const) {
      const c = commands[command]
      const all = { ...c.baseFlags, ...c.flags }
      expect(Object.keys(FAST_FLAGS[command]).sort(), command).toEqual(Object.keys(all).sort())
      for (const [name, def] of Object.entries(all)) {
        const kind = def.type === 'boolean' ? 'boolean' : def.multiple ? 'multiple' : 'string'
        expect(FAST_FLAGS[command][name]?.kind, name).toBe(kind)
        expect(Boolean(FAST_FLAGS[command][name]?.allowNo), name).toBe(Boolean(def.allowNo))
      }
    }
  })

  const accepted: [Fast, string[]][] = [
    ['validate', []],
    ['validate', ['--offline']],
    ['validate', ['--offline', '--strict', '--json', '--verbose']],
    ['validate', ['-m', 'deploy/floe.yaml', '--offline']],
    ['validate', ['--manifest=a.yaml', '--as', 'workspace:prod']],
    ['validate', ['--manifest', 'a.yaml', '--as=team:x']],
    ['exec', ['--', 'true']],
    ['exec', ['--no-mask', '--', 'psql', '-c', 'select 1']],
    ['exec', ['--mask', '--json', '--', './job.sh']],
    ['exec', ['--only', 'A', '--only', 'B', '--', 'dbt', 'run', '--target', 'prod']],
    ['exec', ['--pass-env=VAULT_TOKEN', '--strict-mask', '--', 'env']],
    ['exec', ['--watch', '--write-env', '.env.live', '--reload-signal', 'SIGUSR1', '--', 'x']],
    ['exec', ['-m', 'f.yaml', '--', 'sh', '-c', 'echo a', '--', 'a', 'echo a']],
    ['exec', ['--', 'dbt', '--help', '--json', '--verbose']],
    ['exec', ['--only', 'true', '--', 'true', 'x', 'true']],
    ['get', ['db/password']],
    ['get', ['secret://db/password?version=2', '--reveal']],
    ['get', ['--reveal', '--json', 'db']],
    ['get', ['-m', 'f.yaml', 'db/user', '--as', 'workspace:prod']],
    ['list', []],
    ['list', ['--json']],
    ['list', ['--remote', '--provider', 'env', '--prefix=DB_']],
    ['list', ['--namespace', 'floe-jobs', '-m', 'f.yaml']],
  ]
  it.each(accepted)('reads %s %j as oclif does', async (command, argv) => {
    const fast = parseFastArgv(command, argv)
    expect(fast).toBeDefined()
    expect(fast).toEqual(await oclifParse(command, argv))
  })

  const refused: [Fast, string[]][] = [
    ['validate', ['--help']],
    ['validate', ['-h']],
    ['validate', ['-v']],
    ['validate', ['--offline', '--offline']],
    ['validate', ['--offline=true']],
    ['validate', ['-m']],
    ['validate', ['-m', '--offline']],
    ['validate', ['-mfloe.yaml']],
    ['validate', ['--manifest=']],
    ['validate', ['-m', 'a', '-m', 'b']],
    ['validate', ['--nope']],
    ['validate', ['--no-offline']],
    ['validate', ['extra']],
    ['validate', ['--', 'x']],
    ['exec', []],
    ['exec', ['--']],
    ['exec', ['true']],
    ['exec', ['--no-mask', '--mask', '--', 'x']],
    ['exec', ['--only', 'A', 'B', '--', 'x']],
    ['exec', ['--only=A', 'B', '--', 'x']],
    ['exec', ['--no-watch', '--', 'x']],
    ['exec', ['--watch', 'x', '--', 'y']],
    ['get', []],
    ['get', ['--reveal']],
    ['get', ['a', 'b']],
    ['get', ['--', 'db']],
    ['get', ['db', '--reveal', '--reveal']],
    ['get', ['db', '--help']],
    ['get', ['-x']],
    ['get', ['']],
    ['list', ['db']],
    ['list', ['--remote', '--remote']],
    ['list', ['--no-remote']],
    ['list', ['--prefix']],
    ['list', ['--help']],
  ]
  it.each(refused)('leaves %s %j to oclif', (command, argv) => {
    expect(parseFastArgv(command, argv)).toBeUndefined()
  })
})

describe('the CLI with and without the oclif-free start', () => {
  const project = makeProject({ '@floe/provider-env': 'packages/provider-env' })
  project.write(
    'floe.yaml',
    'secrets:\n  db:\n    provider: env\n    variables:\n      user: DB_USER\n      password: DB_PASSWORD\n',
  )
  project.write('bad.yaml', 'secrets:\n  db:\n    provider: env\n    variables: 3\n')
  project.write('.env', 'DB_PW=a-long-enough-value\n')
  project.write(
    'file.yaml',
    'secrets:\n  db:\n    provider: env\n    env_file: .env\n    variable: DB_PW\n',
  )

  const cases: string[][] = [
    ['secrets', 'validate', '--offline'],
    ['secrets:validate', '--offline', '--json'],
    ['secrets', 'validate', '--offline', '-m', 'bad.yaml'],
    ['secrets', 'validate', '--offline', '-m', 'bad.yaml', '--json'],
    ['secrets', 'validate', '--offline', '-m', 'missing.yaml'],
    ['secrets', 'validate', '--offline', '--strict', '--verbose'],
    ['secrets', 'exec', '-m', 'file.yaml', '--', 'sh', '-c', 'echo "$DB_DB_PW"; exit 3'],
    ['secrets', 'exec', '-m', 'file.yaml', '--json', '--', 'true'],
    ['secrets', 'exec', '-m', 'missing.yaml', '--', 'true'],
    ['secrets', 'exec', '-m', 'file.yaml', '--no-mask', '--', 'sh', '-c', 'echo "$DB_DB_PW"'],
    ['secrets', 'list'],
    ['secrets', 'list', '--json'],
    ['secrets:list', '-m', 'bad.yaml'],
    ['secrets', 'list', '--remote', '--prefix', 'DB_', '--json'],
    ['secrets', 'get', '-m', 'file.yaml', 'db'],
    ['secrets', 'get', '-m', 'file.yaml', 'db', '--json'],
    ['secrets', 'get', '-m', 'file.yaml', 'secret://db', '--reveal'],
    ['secrets:get', '-m', 'file.yaml', '--reveal', '--json', 'db'],
    ['secrets', 'get', 'db/password'],
    ['secrets', 'get', 'db/password', '--json'],
    ['secrets', 'get', 'nope/x'],
    ['secrets', 'get', '-m', 'missing.yaml', 'db'],
    ['secrets', 'get', '-m', 'bad.yaml', 'db', '--json'],
  ]
  it.each(cases.map((args) => [args.join(' '), args] as const))(
    'gives the same output and exit code: floe %s',
    async (_, args) => {
      const viaOclif = await runFloe(args, { cwd: project.dir, env: { FLOE_NO_FAST_START: '1' } })
      const fast = await runFloe(args, { cwd: project.dir })
      expect(viaOclif.stdout + viaOclif.stderr).not.toBe('')
      expect(fast).toEqual(viaOclif)
    },
  )

  it('answers validate, exec, get and list without loading oclif (dist/cli.js, dist/commands.js)', async () => {
    // a module hook that refuses oclif's bundle: the fast start must never need it
    project.write(
      'no-oclif-hooks.mjs',
      [
        'export async function resolve(specifier, context, next) {',
        '  const resolved = await next(specifier, context)',
        "  if (/[/]dist[/](cli|commands)[.]js$/.test(resolved.url)) throw new Error('oclif loaded')",
        '  return resolved',
        '}',
      ].join('\n'),
    )
    const register = project.write(
      'no-oclif.mjs',
      "import { register } from 'node:module'\nregister('./no-oclif-hooks.mjs', import.meta.url)\n",
    )
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` }
    const run = (args: string[], extra: Record<string, string> = {}) =>
      runFloe(args, { cwd: project.dir, env: { ...env, ...extra } })
    for (const args of [
      ['secrets', 'validate', '--offline'],
      ['secrets', 'exec', '-m', 'file.yaml', '--', 'true'],
      ['secrets', 'get', '-m', 'file.yaml', 'db'],
      ['secrets', 'list'],
    ]) {
      const result = await run(args)
      expect(result.stderr, args.join(' ')).toBe('')
      expect(result.code, args.join(' ')).toBe(0)
    }
    // the hook does refuse oclif: the same get through oclif fails
    const viaOclif = await run(['secrets', 'get', '-m', 'file.yaml', 'db'], {
      FLOE_NO_FAST_START: '1',
    })
    expect(viaOclif.code).not.toBe(0)
    expect(viaOclif.stderr).toContain('oclif loaded')
  })

  it('exits as oclif does when the reader closes stdout early (EPIPE)', async () => {
    const closedStdout = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [floeBin, 'secrets', 'validate', '--offline'], {
          cwd: project.dir,
          env: isolatedEnv(join(project.dir, '.home'), env),
        })
        child.stdout.destroy()
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('close', (code) => done({ code, stderr }))
      })
    const viaOclif = await closedStdout({ FLOE_NO_FAST_START: '1' })
    expect(await closedStdout({})).toEqual(viaOclif)
  })
})
