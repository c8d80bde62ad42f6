import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { vouchesForManifest } from '../src/manifest/fast-validate.js'
import { SECRETS_CONFIG_KEYS } from '../src/manifest/patterns.js'
import { manifestSchema, secretsConfigKeys } from '../src/manifest/schema.js'

/**
 * fast-validate.ts stands in for the zod schema when it vouches for a manifest: whatever it
 * vouches for, the schema must accept, unchanged (the loader keeps the document, not zod's
 * output). Generated manifests mix valid and invalid values for every field it checks.
 */
const junk = fc.constantFrom<unknown>(
  null,
  '',
  'x',
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  ['x'],
  { a: 1 },
)
/** mostly `valid`, now and then anything */
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 60, arbitrary: valid }, { weight: 1, arbitrary: junk })
const optional = (value: fc.Arbitrary<unknown>) => fc.option(value, { nil: undefined })
/** a record with some of these fields, and now and then one it does not declare */
const someOf = (fields: Record<string, fc.Arbitrary<unknown>>, extra = fc.constant('other')) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.oneof(
        { weight: 30, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.tuple(extra, junk) },
      ),
    )
    .map(([record, more]) => (more ? { ...record, [more[0]]: more[1] } : record))

const name = fc.constantFrom('db', 'api.key', 'x-1', '_y', 'A', '')
const text = fc.constantFrom('x', 'secret://db/password', 'ENV', 'a b', '')
const duration = mostly(fc.constantFrom('30s', '5m', '1.5h', '250ms', '2 d', 0, 12, 'soon', -3))
const int = mostly(fc.constantFrom(1, 3, 100, 1024, 1025, 0))
const envName = fc.constantFrom('DB_PASSWORD', '_X', 'x1', 'A-B')
const scalar = mostly(fc.constantFrom('x', 3, false, ''))
const cache = mostly(
  fc.oneof(fc.boolean(), someOf({ enabled: mostly(fc.boolean()), ttl: duration })),
)
const retry = mostly(
  someOf({
    attempts: int,
    backoff: mostly(fc.constantFrom('exponential', 'constant', 'linear')),
    initial_delay: duration,
    max_delay: duration,
  }),
)
const action = mostly(fc.constantFrom('fail', 'default', 'warn', 'skip'))
const definition = mostly(
  someOf(
    {
      provider: mostly(fc.constantFrom('env', 'vault', 'file', '')),
      _group: mostly(name),
      keys: mostly(fc.array(mostly(text), { maxLength: 3 })),
      key: mostly(text),
      variable: text,
      variables: mostly(fc.dictionary(name, text, { maxKeys: 2 })),
      type: mostly(fc.constantFrom('dynamic', 'static', 'kv')),
      cache,
      retry,
      fallback: mostly(someOf({ provider: mostly(text), path: text })),
      on_missing: mostly(
        fc.oneof(action, someOf({ action, default_value: scalar, message: mostly(text) })),
      ),
      default: scalar,
      scope: mostly(text),
      renewal: mostly(someOf({ enabled: mostly(fc.boolean()), increment: duration })),
      lease: mostly(someOf({ renewal_enabled: mostly(fc.boolean()), increment_seconds: int })),
      env_naming: mostly(fc.constantFrom('key', 'secret_key', 'upper')),
      env_prefix: mostly(envName),
    },
    fc.constantFrom('path', 'region'),
  ),
)
const config = mostly(
  someOf({
    default_provider: mostly(text),
    cache,
    retry,
    concurrency: int,
    audit: mostly(
      someOf({
        enabled: mostly(fc.boolean()),
        log_access: mostly(fc.boolean()),
        path: mostly(text),
        key: mostly(text),
        key_file: mostly(text),
      }),
    ),
  }),
)
const secrets = mostly(
  fc
    .tuple(
      fc.dictionary(name, definition, { maxKeys: 4 }),
      optional(config),
      optional(fc.dictionary(name, definition, { maxKeys: 2 })),
    )
    .map(([defs, _config, _groups]) => ({
      ...defs,
      ...(_config === undefined ? {} : { _config }),
      ...(_groups === undefined ? {} : { _groups }),
    })),
)
const manifest = someOf(
  {
    version: mostly(fc.constant(1)),
    environment: mostly(text),
    secrets,
    env: mostly(fc.dictionary(envName, mostly(text), { maxKeys: 3 })),
    env_naming: mostly(
      fc.oneof(
        fc.constantFrom('key', 'secret_key', 'upper'),
        someOf({
          scheme: mostly(fc.constantFrom('key', 'secret_key')),
          dbt_prefix: mostly(fc.constantFrom('', 'DBT_', '1X')),
        }),
      ),
    ),
    dbt: mostly(
      someOf({
        profiles: mostly(
          fc.dictionary(
            name,
            mostly(
              someOf({
                target: mostly(text),
                outputs: mostly(
                  fc.dictionary(name, mostly(fc.dictionary(name, text, { maxKeys: 2 })), {
                    maxKeys: 2,
                  }),
                ),
              }),
            ),
            { maxKeys: 2 },
          ),
        ),
      }),
    ),
    duckdb: mostly(
      someOf({
        database: mostly(text),
        install_extensions: mostly(fc.array(mostly(text), { maxLength: 2 })),
        secrets: mostly(
          fc.array(
            mostly(
              someOf({
                type: mostly(text),
                name: mostly(text),
                persistent: mostly(fc.boolean()),
                scope: mostly(fc.oneof(text, fc.array(mostly(text), { maxLength: 2 }))),
              }),
            ),
            { maxLength: 2 },
          ),
        ),
      }),
    ),
    kubernetes: mostly(fc.constant({ namespace: 'x' })),
    scopes: mostly(fc.constant({ team: {} })),
    access: mostly(fc.constant([{ principal: 'p' }])),
  },
  fc.constantFrom('platform', 'compute'),
)

describe('fast manifest validation', () => {
  it('vouches only for manifests the zod schema accepts unchanged', () => {
    let vouched = 0
    let rejected = 0
    // (counts below: a generator that never vouches or never fails would test nothing)
    fc.assert(
      fc.property(manifest, (document) => {
        if (!vouchesForManifest(document)) {
          if (!manifestSchema.safeParse(document).success) rejected += 1
          return
        }
        vouched += 1
        const parsed = manifestSchema.safeParse(document)
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
        expect(parsed.data).toEqual(document)
      }),
      { numRuns: 2000 },
    )
    // the generated manifests exercise both answers
    expect(vouched).toBeGreaterThan(10)
    expect(rejected).toBeGreaterThan(100)
  })

  it('vouches for a typical manifest', () => {
    const document = {
      version: 1,
      environment: 'prod',
      secrets: {
        _config: { default_provider: 'vault', cache: { ttl: '5m' }, retry: { attempts: 3 } },
        _groups: { pg: { provider: 'vault', mount: 'kv' } },
        db: { _group: 'pg', path: 'db/prod', keys: ['user', 'password'], on_missing: 'fail' },
        api: { provider: 'env', variable: 'API_TOKEN', default: 'none' },
      },
      env: { DB_PASSWORD: 'secret://db/password' },
      env_naming: { scheme: 'key', dbt_prefix: '' },
      dbt: { profiles: { shop: { target: 'prod', outputs: { prod: { type: 'postgres' } } } } },
      duckdb: { secrets: [{ type: 's3', name: 'lake', scope: ['s3://a'] }] },
    }
    expect(vouchesForManifest(document)).toBe(true)
    expect(manifestSchema.safeParse(document).success).toBe(true)
  })

  it('lists the same secrets._config settings as the schema', () => {
    expect([...SECRETS_CONFIG_KEYS].sort()).toEqual(secretsConfigKeys().sort())
  })
})
