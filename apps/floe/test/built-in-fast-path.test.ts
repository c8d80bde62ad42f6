import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Config } from '@oclif/core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  fastPathCommandId,
  fastPathLoadOptions,
  isProjectPluginName,
  oclifDataDir,
  PROJECT_PLUGIN_PATTERNS,
} from '../src/built-in-fast-path.js'
import { assertBuilt, makeProject, repoRoot, runFloe } from './helpers.js'

// `floe secrets validate|exec|get|list` skip oclif's plugin discovery when no third-party
// command plugin is listed or linked (src/built-in-fast-path.ts). These tests pin when the
// fast path is taken, that its Config is oclif's own, and that a plugin's hooks still run.

const cliDir = join(repoRoot, 'apps/floe')
const help = ['--help', '-h']

describe('fastPathCommandId', () => {
  it('names the four hot commands, in both spellings', () => {
    expect(fastPathCommandId(['secrets', 'validate', '--offline'], help)).toBe('secrets:validate')
    expect(fastPathCommandId(['secrets', 'exec', '--', 'true'], help)).toBe('secrets:exec')
    expect(fastPathCommandId(['secrets:get', 'db'], help)).toBe('secrets:get')
    expect(fastPathCommandId(['secrets', 'list', '--json'], help)).toBe('secrets:list')
  })

  it('leaves every other command, and help, to the full start', () => {
    expect(fastPathCommandId(['secrets', 'rotate', 'db'], help)).toBeUndefined()
    expect(fastPathCommandId(['secrets'], help)).toBeUndefined()
    expect(fastPathCommandId([], help)).toBeUndefined()
    expect(fastPathCommandId(['hello'], help)).toBeUndefined()
    expect(fastPathCommandId(['secrets', 'validate', '--help'], help)).toBeUndefined()
    expect(fastPathCommandId(['secrets', 'get', 'db', '-h'], help)).toBeUndefined()
  })

  it('reads help flags only before `--`, as oclif does: they belong to the child after it', () => {
    expect(fastPathCommandId(['secrets', 'exec', '--', 'dbt', '--help'], help)).toBe('secrets:exec')
  })
})

describe('isProjectPluginName', () => {
  it('matches the names minimatch matches for oclif pluginAdditions', () => {
    // minimatch is oclif's own dependency: resolve it from there
    const fromOclif = createRequire(createRequire(import.meta.url).resolve('@oclif/core'))
    const { minimatch } = fromOclif('minimatch') as {
      minimatch: (name: string, pattern: string) => boolean
    }
    const names = [
      '@floe/plugin-secrets',
      '@floe/plugin-hello',
      '@floe/plugin-secrets-extra',
      '@floe/provider-vault',
      '@floe/core',
      'floe-plugin-hello',
      'floe-plugin-',
      'floe-provider-echo',
      '@acme/floe-plugin-audit',
      '@acme/floe-provider-x',
      '@acme/tools',
      'zod',
      'plugin-floe-plugin-x',
    ]
    for (const name of names)
      expect(isProjectPluginName(name), name).toBe(
        PROJECT_PLUGIN_PATTERNS.some((pattern) => minimatch(name, pattern)),
      )
  })
})

describe('oclifDataDir', () => {
  it("is the data directory oclif's Config computes", async () => {
    const saved = { ...process.env }
    try {
      for (const env of [
        { FLOE_DATA_DIR: '/tmp/floe-data', XDG_DATA_HOME: '/tmp/xdg' },
        { FLOE_DATA_DIR: undefined, XDG_DATA_HOME: '/tmp/xdg' },
        { FLOE_DATA_DIR: undefined, XDG_DATA_HOME: undefined, HOME: '/tmp/home' },
      ]) {
        for (const [k, v] of Object.entries(env)) {
          if (v === undefined) delete process.env[k]
          else process.env[k] = v
        }
        const config = await Config.load(cliDir)
        expect(oclifDataDir(), JSON.stringify(env)).toBe(config.dataDir)
      }
    } finally {
      process.env = saved
    }
  })
})

describe('fastPathLoadOptions', () => {
  it('is a Config of the CLI alone: no help or autocomplete plugin, the same commands', async () => {
    const project = makeProject({ '@floe/provider-env': 'packages/provider-env' })
    const options = fastPathLoadOptions(cliDir, ['secrets', 'validate'], project.dir)
    expect(options).toBeDefined()
    const fast = await Config.load(options)
    const full = await Config.load(cliDir)
    expect([...fast.plugins.keys()]).toEqual(['@floe/cli'])
    for (const id of ['secrets:validate', 'secrets:exec', 'secrets:get', 'secrets:list'])
      expect(fast.findCommand(id)?.flags, id).toEqual(full.findCommand(id)?.flags)
    expect(fast.userAgent).toBe(full.userAgent)
    expect(fast.dataDir).toBe(full.dataDir)
  })

  it('is not taken when the project lists a command plugin, or for other commands', () => {
    const project = makeProject({}, { dependencies: { 'floe-plugin-hello': '1.0.0' } })
    expect(fastPathLoadOptions(cliDir, ['secrets', 'validate'], project.dir)).toBeUndefined()
    expect(fastPathLoadOptions(cliDir, ['secrets', 'emit', 'dbt'], undefined)).toBeUndefined()
    expect(fastPathLoadOptions(cliDir, ['secrets', 'get', '--help'], undefined)).toBeUndefined()
  })
})

/** An oclif plugin whose hooks write a line to stderr: proof that oclif loaded it. */
function writeHookPlugin(dir: string): void {
  mkdirSync(join(dir, 'hooks'), { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'floe-plugin-hooks',
      version: '1.0.0',
      type: 'module',
      oclif: { hooks: { init: './hooks/init.js', prerun: './hooks/prerun.js' } },
    }),
  )
  writeFileSync(
    join(dir, 'hooks', 'init.js'),
    'export default async function (o) { process.stderr.write(`init hook: ${o.id}\\n`) }\n',
  )
  writeFileSync(
    join(dir, 'hooks', 'prerun.js'),
    'export default async function (o) { process.stderr.write(`prerun hook: ${o.Command.id}\\n`) }\n',
  )
}

describe('a fast-path command with a third-party plugin installed', () => {
  beforeAll(() => assertBuilt())
  const manifest = 'secrets:\n  db:\n    provider: env\n    variable: DB_PASS\n'

  it("runs the hooks of a plugin listed in the project's package.json", async () => {
    const project = makeProject({
      '@oclif/core': 'apps/floe/node_modules/@oclif/core',
    })
    writeHookPlugin(join(project.dir, 'node_modules', 'floe-plugin-hooks'))
    project.write(
      'package.json',
      JSON.stringify({ name: 'team', private: true, dependencies: { 'floe-plugin-hooks': '1' } }),
    )
    project.write('floe.yaml', manifest)
    const result = await runFloe(['secrets', 'validate', '--offline'], { cwd: project.dir })
    expect(result.stderr).toContain('init hook: secrets:validate')
    expect(result.stderr).toContain('prerun hook: secrets:validate')
    expect(result.code).toBe(0)
  })

  it('runs the hooks of a plugin linked into the data directory', async () => {
    const project = makeProject({})
    const pluginDir = join(project.dir, 'vendor', 'floe-plugin-hooks')
    writeHookPlugin(pluginDir)
    project.write('floe.yaml', manifest)
    const env = { FLOE_DATA_DIR: join(project.dir, '.data'), DB_PASS: 'pw' }
    const link = await runFloe(['plugins', 'link', pluginDir], { cwd: project.dir, env })
    expect(link.code).toBe(0)
    const result = await runFloe(['secrets', 'get', 'db', '--json'], { cwd: project.dir, env })
    expect(result.stderr).toContain('init hook: secrets:get')
    expect(result.stderr).toContain('prerun hook: secrets:get')
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('pw')
  })
})
