import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, parseJson, repoRoot, runFloe } from './helpers.js'

/** A third-party oclif plugin, as a team would install it from the registry. */
function writeHelloPlugin(dir: string): void {
  mkdirSync(join(dir, 'commands'), { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'floe-plugin-hello',
      version: '1.2.3',
      type: 'module',
      oclif: { commands: './commands' },
    }),
  )
  writeFileSync(
    join(dir, 'commands', 'hello.js'),
    `import { Command } from '@oclif/core'
export default class Hello extends Command {
  static description = 'say hello from a third-party plugin'
  async run() { this.log('hello from floe-plugin-hello') }
}
`,
  )
}

/** A third-party provider package: reverses the configured text (no SDK, no network). */
function writeEchoProvider(dir: string): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'floe-provider-echo',
      version: '0.0.1',
      type: 'module',
      floe: { provider: 'echo', entry: './index.js' },
    }),
  )
  writeFileSync(
    join(dir, 'index.js'),
    `import { z } from 'zod'
import { SecretValue } from '@floe/core'
export const provider = {
  name: 'echo',
  packageName: 'floe-provider-echo',
  configSchema: z.strictObject({ text: z.string() }),
  create: () => ({
    name: 'echo',
    async fetchOne(r) {
      return { value: new SecretValue([...r.config.text].reverse().join(''), r.secret) }
    },
  }),
}
export default provider
`,
  )
}

/**
 * The echo provider in the two shapes core's registry cannot require() as an ES module namespace:
 * a CommonJS package (`module.exports = provider`, import() gives it as `default`) and an ES
 * module with top-level await (require() refuses it). Both must load as before (import()).
 */
function writeEchoProviderAs(dir: string, shape: 'commonjs' | 'top-level-await'): void {
  writeEchoProvider(dir)
  if (shape === 'top-level-await') {
    const path = join(dir, 'index.js')
    writeFileSync(path, `await Promise.resolve()\n${readFileSync(path, 'utf8')}`)
    return
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as object
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, type: 'commonjs' }))
  writeFileSync(
    join(dir, 'index.js'),
    `module.exports = {
  name: 'echo',
  packageName: 'floe-provider-echo',
  configSchema: () => import('zod').then(({ z }) => z.strictObject({ text: z.string() })),
  create: () => ({
    name: 'echo',
    async fetchOne(r) {
      const { SecretValue } = await import('@floe/core')
      return { value: new SecretValue([...r.config.text].reverse().join(''), r.secret) }
    },
  }),
}
`,
  )
}

const shared = {
  '@floe/cli': 'apps/floe',
  '@oclif/core': 'apps/floe/node_modules/@oclif/core',
  '@floe/core': 'packages/core',
  zod: 'packages/core/node_modules/zod',
}

beforeAll(() => assertBuilt())

/** A team project whose package.json lists the shared packages and `name@version`, which `write` puts in node_modules. */
function teamProjectWith(name: string, version: string, write: (dir: string) => void) {
  const project = makeProject(shared)
  write(join(project.dir, 'node_modules', name))
  project.write(
    'package.json',
    JSON.stringify({
      name: 'team',
      private: true,
      dependencies: {
        ...Object.fromEntries(Object.keys(shared).map((k) => [k, '*'])),
        [name]: version,
      },
    }),
  )
  return project
}

/** A team project that depends on the echo provider (written by `write`) and uses it. */
function echoTeamProject(write: (dir: string) => void) {
  const project = teamProjectWith('floe-provider-echo', '0.0.1', write)
  project.write('floe.yaml', 'secrets:\n  greeting:\n    provider: echo\n    text: olleh\n')
  return project
}

describe('run-time discovery in a team project outside the workspace', () => {
  it('(a) with only provider-env installed, sees only env and hints the install for vault', async () => {
    const project = makeProject({ ...shared, '@floe/provider-env': 'packages/provider-env' })
    project.write(
      'floe.yaml',
      'secrets:\n  kafka:\n    provider: vault\n    path: secret/data/production/kafka\n    keys: [username]\n',
    )
    const providers = await runFloe(['secrets', 'providers', '--json'], { cwd: project.dir })
    expect(providers.code).toBe(0)
    const installed = parseJson<{ result: { installed: { kind: string; name: string }[] } }>(
      providers.stdout,
    ).result.installed
    // env and file come with the CLI itself; vault is not installed
    expect(installed.filter((i) => i.kind === 'provider').map((i) => i.name)).toEqual([
      'env',
      'file',
    ])

    const validate = await runFloe(['secrets', 'validate'], { cwd: project.dir })
    expect(validate.code).not.toBe(0)
    expect(validate.stdout + validate.stderr).toContain('(package @floe/provider-vault)')
    // the CLI is not the project's own (it runs from the workspace): the data-dir install fits
    expect(validate.stdout).toContain("Run 'floe providers add vault' to fix.")
    expect(validate.stdout + validate.stderr).toMatch(/floe\.yaml:3:\d+/)
  })

  it('(b) a third-party oclif plugin listed in package.json adds a command', async () => {
    const project = teamProjectWith('floe-plugin-hello', '1.2.3', writeHelloPlugin)
    const result = await runFloe(['hello'], { cwd: project.dir })
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain('hello from floe-plugin-hello')
    expect(result.code).toBe(0)
  })

  it('(b) … and `floe plugins link` adds it without touching package.json', async () => {
    const project = makeProject(shared)
    const pluginDir = join(project.dir, 'vendor', 'floe-plugin-hello')
    writeHelloPlugin(pluginDir)
    mkdirSync(join(pluginDir, 'node_modules', '@oclif'), { recursive: true })
    project.write('vendor/floe-plugin-hello/node_modules/.keep', '')
    const { symlinkSync } = await import('node:fs')
    symlinkSync(
      join(repoRoot, 'apps/floe/node_modules/@oclif/core'),
      join(pluginDir, 'node_modules', '@oclif', 'core'),
      'dir',
    )
    const before = await runFloe(['hello'], { cwd: project.dir })
    expect(before.code).not.toBe(0)
    // floe ships no @oclif/plugin-plugins: its own `plugins link` lists the folder in the data dir
    const link = await runFloe(['plugins', 'link', pluginDir], { cwd: project.dir })
    expect(link.code).toBe(0)
    const after = await runFloe(['hello'], { cwd: project.dir })
    expect(after.stdout).toContain('hello from floe-plugin-hello')
  })

  it('(c) a floe-provider-* package is discovered and used', async () => {
    const project = echoTeamProject(writeEchoProvider)
    const result = await runFloe(['secrets', 'get', 'greeting', '--reveal'], { cwd: project.dir })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('hello\n')
    const providers = parseJson<{ result: { installed: { name: string; package: string }[] } }>(
      (await runFloe(['secrets', 'providers', '--json'], { cwd: project.dir })).stdout,
    )
    expect(providers.result.installed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'echo', package: 'floe-provider-echo' }),
      ]),
    )
  })
})

describe('a provider package core cannot require() (it falls back to import())', () => {
  for (const shape of ['commonjs', 'top-level-await'] as const) {
    it(`${shape}: discovered and used by get (fast path) and by oclif`, async () => {
      const project = echoTeamProject((dir) => writeEchoProviderAs(dir, shape))
      for (const env of [{}, { FLOE_NO_FAST_START: '1' }]) {
        const result = await runFloe(['secrets', 'get', 'greeting', '--reveal'], {
          cwd: project.dir,
          env,
        })
        expect(result.stderr).toBe('')
        expect(result.stdout).toBe('hello\n')
      }
    })
  }
})

describe('floe providers add|list|remove: the CLI data directory (global and npx use)', () => {
  it('installs a provider folder with npm, discovery finds it outside any project, remove undoes it', async () => {
    // The provider lives in a folder of a project that has @floe/core and zod (its imports).
    const vendor = makeProject(shared)
    const providerDir = join(vendor.dir, 'vendor', 'floe-provider-echo')
    writeEchoProvider(providerDir)
    // Where a data team runs floe: a floe.yaml and no package.json anywhere above.
    const work = makeProject({})
    rmSync(join(work.dir, 'package.json'), { force: true })
    work.write(
      'floe.yaml',
      'secrets:\n  greeting:\n    provider: echo\n    text: olleh\n  db:\n    provider: env\n    variable: DB_PASS\n',
    )
    const env = { FLOE_DATA_DIR: join(work.dir, '.data'), npm_config_offline: 'true' }

    const before = await runFloe(['secrets', 'get', 'greeting', '--reveal'], { cwd: work.dir, env })
    expect(before.code).toBe(2)
    expect(before.stderr).toContain('floe providers add floe-provider-echo')

    const add = await runFloe(['providers', 'add', providerDir, '--json'], {
      cwd: work.dir,
      env,
      timeoutMs: 120_000,
    })
    expect(add.stderr).toBe('')
    expect(add.code).toBe(0)
    expect(parseJson<{ result: { installed: unknown[] } }>(add.stdout).result.installed).toEqual([
      { kind: 'provider', name: 'echo', package: 'floe-provider-echo', version: '0.0.1' },
    ])

    const got = await runFloe(['secrets', 'get', 'greeting', '--reveal'], { cwd: work.dir, env })
    expect(got.stderr).toBe('')
    expect(got.stdout).toBe('hello\n')
    const providers = parseJson<{ result: { installed: { name: string; source: string }[] } }>(
      (await runFloe(['secrets', 'providers', '--json'], { cwd: work.dir, env })).stdout,
    ).result.installed
    const sources = Object.fromEntries(providers.map((p) => [p.name, p.source]))
    expect(sources).toMatchObject({ echo: 'data-dir', env: 'built-in', file: 'built-in' })
    const list = await runFloe(['providers', 'list'], { cwd: work.dir, env })
    expect(list.stdout).toMatch(/provider\s+echo\s+floe-provider-echo\s+0\.0\.1/)

    const remove = await runFloe(['providers', 'remove', 'floe-provider-echo'], {
      cwd: work.dir,
      env,
      timeoutMs: 120_000,
    })
    expect(remove.stderr).toBe('')
    expect(remove.code).toBe(0)
    const after = await runFloe(['providers', 'list', '--json'], { cwd: work.dir, env })
    expect(parseJson<{ result: { installed: unknown[] } }>(after.stdout).result.installed).toEqual(
      [],
    )
  }, 240_000)

  it('says what it cannot do: unknown names, removing what is not there, plugins install', async () => {
    const work = makeProject({})
    const env = { FLOE_DATA_DIR: join(work.dir, '.data') }
    const unknown = await runFloe(['providers', 'add', 'nosuch', '--json'], { cwd: work.dir, env })
    expect(unknown.code).toBe(2)
    const error = parseJson<{ error: { message: string; hint: string } }>(unknown.stdout).error
    expect(error.message).toContain('"nosuch" is neither a floe provider nor a package name')
    expect(error.hint).toContain('vault, aws_secrets_manager')
    const remove = await runFloe(['providers', 'remove', 'vault'], { cwd: work.dir, env })
    expect(remove.code).toBe(2)
    expect(remove.stderr).toContain('not installed in')
    expect(remove.stderr).toContain('@floe/provider-vault')
    const plugins = await runFloe(['plugins', 'install', '@floe/provider-env'], {
      cwd: work.dir,
      env,
    })
    expect(plugins.code).toBe(2)
    expect(plugins.stderr).toContain('floe providers add @floe/provider-env')
  })
})

describe('fail soft: a provider that is not installed fails only its own secrets', () => {
  it('list, get and validate work on the env secret; the vault one is named with its hint', async () => {
    const work = makeProject({})
    work.write(
      'floe.yaml',
      'secrets:\n  db:\n    provider: env\n    variable: DB_PASS\n  kafka:\n    provider: vault\n    path: secret/data/kafka\n',
    )
    const env = { DB_PASS: 'pw-1', FLOE_DATA_DIR: join(work.dir, '.data') }
    const list = await runFloe(['secrets', 'list'], { cwd: work.dir, env })
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/kafka\s+vault/)
    expect(list.stderr).toContain(
      'floe.yaml:6:15: secret kafka: provider "vault" is not installed (package @floe/provider-vault); run `floe providers add vault`',
    )

    const get = await runFloe(['secrets', 'get', 'db', '--json'], { cwd: work.dir, env })
    expect(get.code).toBe(0)
    const envelope = parseJson<{
      status: string
      result: { found: boolean }
      skipped: { secret: string; package: string; hint: string; location: { line: number } }[]
    }>(get.stdout)
    expect(envelope.status).toBe('ok')
    expect(envelope.result.found).toBe(true)
    expect(envelope.skipped).toEqual([
      expect.objectContaining({
        secret: 'kafka',
        package: '@floe/provider-vault',
        hint: 'floe providers add vault',
        location: expect.objectContaining({ line: 6 }),
      }),
    ])

    const missing = await runFloe(['secrets', 'get', 'kafka'], { cwd: work.dir, env })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('hint: floe providers add vault')

    for (const args of [
      ['secrets', 'validate'],
      ['secrets', 'validate', '--offline'],
    ]) {
      const validate = await runFloe([...args, '--json'], { cwd: work.dir, env })
      expect(validate.code, args.join(' ')).toBe(1)
      const checks = parseJson<{ result: { checks: { subject: string; ok: boolean }[] } }>(
        validate.stdout,
      ).result.checks.filter((c) => c.subject !== 'manifest')
      expect(Object.fromEntries(checks.map((c) => [c.subject, c.ok]))).toEqual({
        db: true,
        kafka: false,
      })
    }
  })
})

describe('fail soft: emit needs only the emitter it runs', () => {
  it('emit k8s of an External Secrets setup works without the AWS provider installed', async () => {
    const work = makeProject({ '@floe/emit-k8s': 'packages/emit-k8s' })
    work.write(
      'floe.yaml',
      readFileSync(join(repoRoot, 'examples', 'platform', 'manifest.yaml'), 'utf8'),
    )
    const env = { FLOE_DATA_DIR: join(work.dir, '.data') }
    const providers = await runFloe(['secrets', 'providers', '--json'], { cwd: work.dir, env })
    const installed = parseJson<{ result: { installed: { name: string }[] } }>(
      providers.stdout,
    ).result.installed.map((p) => p.name)
    expect(installed).not.toContain('aws_secrets_manager')

    const emit = await runFloe(['secrets', 'emit', 'k8s'], { cwd: work.dir, env })
    expect(emit.code, emit.stderr).toBe(0)
    const kinds = [...emit.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1])
    expect(kinds.filter((k) => k === 'ExternalSecret')).toHaveLength(3)
    expect(emit.stdout).toContain('key: floe/prod/snowflake')
  })
})
