import { afterAll, beforeAll, expect, it } from 'vitest'
import fc from 'fast-check'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  validateManifest,
} from '@floe/core'
import { memoryProviderModule } from '@floe/core/testing'
import { applySecrets, emitter } from '../src/index.js'
import { isolatedConfig, tempDir } from './helpers.js'

/**
 * One validation path (issue "seeds as written"): a manifest `floe secrets validate --offline`
 * accepts must not fail `floe secrets apply duckdb` on the manifest. Generated manifests mix
 * valid and invalid parameters (another type's `key_id`, unknown names), references to declared
 * and undeclared keys, `?default=` and set or unset `${VAR}`s; whenever validate reports no
 * error, the secrets are created in a real (offline) DuckDB through the real resolver.
 * Only `type: http` exists offline (SDK notes), so that is the type generated.
 */
const originalHome = process.env.HOME
beforeAll(() => {
  process.env.HOME = tempDir('floe-home-')
})
afterAll(() => {
  process.env.HOME = originalHome
})

const KEYS = ['token', 'password', 'user'] as const
const DATA = { 'team/api': { token: "tok'en", password: 'pr0xy', user: 'svc' } }

// mostly valid pieces, so both sides of the implication occur often
const reference = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...KEYS).map((k) => `secret://api/${k}`) },
  { weight: 4, arbitrary: fc.constantFrom('${PROXY_URL}', 'http://literal.example:3128') },
  { weight: 1, arbitrary: fc.constant('secret://api/missing') },
  { weight: 1, arbitrary: fc.constant('secret://other/token') },
  { weight: 1, arbitrary: fc.constant('secret://api/missing?default=fallback') },
  { weight: 1, arbitrary: fc.constant('${UNSET_VAR}') },
)
const parameter = fc.tuple(
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constantFrom(
        'bearer_token',
        'http_proxy',
        'http_proxy_username',
        'http_proxy_password',
      ),
    },
    // an s3 parameter, what an HTTP basic-auth secret is often written with; an unknown name
    { weight: 1, arbitrary: fc.constantFrom('key_id', 'username') },
  ),
  reference,
)
const entry = fc.record({
  name: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('api', 'proxy') },
    { weight: 1, arbitrary: fc.constant('Bad Name') },
  ),
  params: fc.uniqueArray(parameter, { minLength: 1, maxLength: 3, selector: ([k]) => k }),
  scope: fc.option(fc.constantFrom('https://api.example.com/', 'not a url'), { nil: undefined }),
})

function manifestText(entries: fc.RecordValue<typeof entry>[]): string {
  const lines = [
    'version: 1',
    'secrets:',
    '  api:',
    '    provider: memory',
    '    id: team/api',
    `    keys: [${KEYS.join(', ')}]`,
    'duckdb:',
    '  secrets:',
  ]
  for (const e of entries) {
    lines.push(`    - type: http`, `      name: ${JSON.stringify(e.name)}`)
    for (const [key, value] of e.params) lines.push(`      ${key}: ${JSON.stringify(value)}`)
    if (e.scope) lines.push(`      scope: ${JSON.stringify(e.scope)}`)
  }
  return lines.join('\n') + '\n'
}

it('validate --offline ok ⇒ apply duckdb creates every secret in real DuckDB', async () => {
  const memory = memoryProviderModule({ data: DATA })
  const catalog = createProviderRegistry({ modules: [memory] })
  const env = { PROXY_URL: 'http://proxy.internal:3128' }
  const seen = { valid: 0, invalid: 0 }
  const instance = await DuckDBInstance.create(
    ':memory:',
    isolatedConfig(tempDir(), { allow_unredacted_secrets: 'true' }),
  )
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 2 }), async (entries) => {
        const text = manifestText(entries)
        const load = () => loadManifestFromString(text, { file: 'floe.yaml', env, catalog })
        const report = await validateManifest({
          path: 'floe.yaml',
          load,
          offline: true,
          emitter: async (name) => (name === 'duckdb' ? emitter : undefined),
        })
        if (report.errors > 0) {
          seen.invalid++
          return
        }
        seen.valid++
        const manifest = await load()
        const resolver = createResolver({ manifest, catalog, env: {} })
        const connection = await instance.connect()
        try {
          await connection.run('DROP SECRET IF EXISTS api')
          await connection.run('DROP SECRET IF EXISTS proxy')
          const applied = await applySecrets(connection, manifest, { resolver })
          expect(applied.created.sort()).toEqual([...new Set(entries.map((e) => e.name))].sort())
        } finally {
          connection.closeSync()
          await resolver.dispose()
        }
      }),
      { numRuns: 60 },
    )
  } finally {
    instance.closeSync()
  }
  // both sides of the implication were exercised
  expect(seen.valid).toBeGreaterThan(0)
  expect(seen.invalid).toBeGreaterThan(0)
}, 120_000)
