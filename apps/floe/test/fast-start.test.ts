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
  strict?: boolean
}
let commands: Record<'validate' | 'exec', CommandClass>

beforeAll(async () => {
  assertBuilt()
  const { COMMANDS } = (await import(pathToFileURL(join(cliDir, 'dist/commands.js')).href)) as {
    COMMANDS: Record<string, CommandClass>
  }
  commands = {
    validate: COMMANDS['secrets:validate'] as CommandClass,
    exec: COMMANDS['secrets:exec'] as CommandClass,
  }
})

const definedOnly = (flags: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))

async function oclifParse(command: 'validate' | 'exec', argv: string[]) {
  const c = commands[command]
  const { flags, argv: rest } = await Parser.parse(argv, {
    flags: { ...c.baseFlags, ...c.flags } as never,
    strict: c.strict ?? true,
    args: {},
  })
  return { flags: definedOnly(flags as Record<string, unknown>), argv: rest as string[] }
}

describe('parseFastArgv', () => {
  it('knows exactly the flags of validate and exec, with their kinds', () => {
    for (const command of ['validate', 'exec'] as const) {
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

  const accepted: ['validate' | 'exec', string[]][] = [
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
  ]
  it.each(accepted)('reads %s %j as oclif does', async (command, argv) => {
    const fast = parseFastArgv(command, argv)
    expect(fast).toBeDefined()
    expect(fast).toEqual(await oclifParse(command, argv))
  })

  const refused: ['validate' | 'exec', string[]][] = [
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
