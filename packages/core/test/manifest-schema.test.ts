import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifestJsonSchema } from '@floe/core/schema'

const committedPath = join(import.meta.dirname, '..', 'schema.json')
const REGENERATE = 'UPDATE_SCHEMA=1 pnpm exec vitest run --project @floe/core manifest-schema'

describe('schema.json', () => {
  it('is the JSON Schema of the manifest zod schema (regenerate when stale)', () => {
    const current = manifestJsonSchema()
    if (process.env.UPDATE_SCHEMA === '1')
      writeFileSync(committedPath, `${JSON.stringify(current, null, 2)}\n`)
    // Compared as data, so that prettier's formatting of the committed file does not matter.
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as unknown
    const fresh = JSON.stringify(committed) === JSON.stringify(current)
    expect(fresh, `packages/core/schema.json is stale: run \`${REGENERATE}\` then prettier`).toBe(
      true,
    )
  })

  it('describes every section and the secret definition shape', () => {
    const schema = manifestJsonSchema() as {
      $schema: string
      properties: Record<
        string,
        { properties?: Record<string, unknown>; additionalProperties?: unknown }
      >
    }
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(Object.keys(schema.properties)).toEqual([
      'version',
      'environment',
      'secrets',
      'plugins',
      'ingestion',
      'duckdb',
      'dbt',
      'kubernetes',
      'env',
      'env_naming',
      'scopes',
      'access',
    ])
    const secrets = schema.properties.secrets as {
      properties: Record<string, unknown>
      additionalProperties: { properties: Record<string, unknown> }
    }
    expect(Object.keys(secrets.properties)).toEqual(['_config', '_groups'])
    expect(Object.keys(secrets.additionalProperties.properties)).toEqual(
      expect.arrayContaining([
        'provider',
        'keys',
        'cache',
        'retry',
        'fallback',
        'on_missing',
        'rotation',
        'lease',
      ]),
    )
  })
})
