import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '@floe/core'
import { emitter } from '../src/index.js'
import { isolatedConfig, manifestFromYaml, mapResolver, tempDir } from './helpers.js'

const originalHome = process.env.HOME
beforeAll(() => {
  process.env.HOME = tempDir('floe-home-')
})
afterAll(() => {
  process.env.HOME = originalHome
})

const yaml = `
duckdb:
  secrets:
    - type: http
      name: api
      bearer_token: secret://api/token
      scope: https://api.example.com/
`
const resolver = mapResolver({ 'secret://api/token': 'tok-cli-1' })

/** `--option duckdb.<setting>=…` as plugin-secrets' parseOptions produces them. */
function offlineOptions(dir: string): Record<string, unknown> {
  const options: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(isolatedConfig(join(dir, 's')))) {
    if (key !== 'secret_directory') options[`duckdb.${key}`] = value
  }
  return options
}

describe('emitter.apply (what `floe secrets apply duckdb` calls)', () => {
  it('applies and returns the report, a human summary with result tables, and ok', async () => {
    const dir = tempDir()
    const output = await emitter.apply({
      manifest: manifestFromYaml(yaml, dir),
      resolver,
      secretDirectory: join(dir, 's'),
      statements: ['SELECT name, type, persistent FROM duckdb_secrets()'],
      dryRun: false,
      options: offlineOptions(dir),
    })
    expect(output.ok).toBe(true)
    expect(output.result.created).toEqual(['api'])
    expect(output.human).toBe(
      [
        'Created 1: api',
        '',
        'Verified in duckdb_secrets():',
        '  ✓ api (http, temporary, config) scope https://api.example.com/',
        '',
        '$ SELECT name, type, persistent FROM duckdb_secrets()',
        'name  type  persistent',
        '----  ----  ----------',
        'api   http  false',
        '(1 row)',
      ].join('\n'),
    )
    expect(JSON.stringify(output)).not.toContain('tok-cli-1')
  })

  it('dry run prints the redacted plan', async () => {
    const dir = tempDir()
    const output = await emitter.apply({
      manifest: manifestFromYaml(yaml, dir),
      dryRun: true,
      statements: [],
      options: offlineOptions(dir),
    })
    expect(output.ok).toBe(true)
    expect(output.human).toContain(
      "Plan for :memory: (dry run, values redacted):\n\nCREATE OR REPLACE TEMPORARY SECRET api (\n    TYPE HTTP,\n    BEARER_TOKEN '***',",
    )
    expect(output.human).toContain('Created would be 1: api')
  })

  it('rejects unknown options', async () => {
    await expect(
      emitter.apply({
        manifest: manifestFromYaml(yaml),
        dryRun: true,
        options: { extension: 'httpfs' },
      }),
    ).rejects.toThrow(UsageError)
    await expect(
      emitter.apply({
        manifest: manifestFromYaml(yaml),
        dryRun: true,
        options: { drop_removed: 'no' },
      }),
    ).rejects.toThrow(/drop_removed takes true or false/)
  })
})
