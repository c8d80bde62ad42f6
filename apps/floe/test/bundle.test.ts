import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Config } from '@oclif/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, repoRoot, runFloe } from './helpers.js'

// The CLI runs from a bundle (scripts/bundle.mjs): dist/cli.js (oclif + start-up) and
// dist/commands.js (the `floe secrets` commands, oclif's explicit strategy). These tests check
// the bundle keeps what @floe/plugin-secrets declares, and that its stack traces map to sources.

const cliDir = join(repoRoot, 'apps/floe')
const secretsDir = join(repoRoot, 'plugins/plugin-secrets')
interface OclifManifest {
  commands: Record<string, { flags: Record<string, unknown> }>
}
interface PackageJson {
  oclif: { topics?: unknown; plugins?: string[] }
}
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T

beforeAll(() => assertBuilt())

describe('the bundled CLI', () => {
  it('routes every command @floe/plugin-secrets declares, with the same flags', () => {
    const bundled = readJson<OclifManifest>(join(cliDir, 'oclif.manifest.json')).commands
    const plugin = readJson<OclifManifest>(join(secretsDir, 'oclif.manifest.json')).commands
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(plugin).sort())
    for (const [id, command] of Object.entries(plugin))
      expect(Object.keys(bundled[id]?.flags ?? {}).sort(), id).toEqual(
        Object.keys(command.flags).sort(),
      )
  })

  it('declares the secrets topics as @floe/plugin-secrets does', () => {
    expect(readJson<PackageJson>(join(cliDir, 'package.json')).oclif.topics).toEqual(
      readJson<PackageJson>(join(secretsDir, 'package.json')).oclif.topics,
    )
  })

  it('does not list @floe/plugin-secrets as a separate oclif plugin (its commands are built in)', () => {
    expect(readJson<PackageJson>(join(cliDir, 'package.json')).oclif.plugins).not.toContain(
      '@floe/plugin-secrets',
    )
  })

  it('maps stack traces through the bundle to the TypeScript sources', () => {
    // A command's execute() fails inside the bundle; with source maps on, the frame names
    // plugins/plugin-secrets/src/commands/secrets/validate.ts.
    const script = `
      const { COMMANDS } = await import(${JSON.stringify(pathToFileURL(join(cliDir, 'dist/commands.js')).href)})
      const command = Object.create(COMMANDS['secrets:validate'].prototype)
      command.parse = () => { throw new Error('boom') }
      try { await command.execute() } catch (error) { console.log(error.stack) }
    `
    const result = spawnSync(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    )
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain('boom')
    expect(result.stdout).toMatch(/plugin-secrets\/src\/commands\/secrets\/validate\.ts:\d+/)
  })

  it('answers --version and -v before oclif loads, with the line oclif itself prints', async () => {
    // bin/run.cjs prints it from dist/version.cjs; oclif's Config.load builds the same userAgent
    const { userAgent } = await Config.load(cliDir)
    expect(userAgent).toMatch(/^@floe\/cli\/\d+\.\d+\.\d+ \S+-\S+ node-v\d+/)
    const project = makeProject({ '@floe/cli': 'apps/floe' })
    for (const flag of ['--version', '-v']) {
      const result = await runFloe([flag], { cwd: project.dir })
      expect(result.code, flag).toBe(0)
      expect(result.stdout, flag).toBe(`${userAgent}\n`)
    }
    // anything else goes to oclif: an unknown flag is its error, not a version line
    const other = await runFloe(['--versio'], { cwd: project.dir })
    expect(other.stdout).not.toContain(userAgent)
  })
})
