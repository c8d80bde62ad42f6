import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  AggregateConfigError,
  ConfigError,
  dbtEnvNameOf,
  envNameOf,
  isEnvName,
  loadManifestFromString,
  type EnvBinding,
  type EnvNaming,
} from '@floe/core'
import { loadErrors, yaml } from './fixtures/helpers.js'

const keyNaming: EnvNaming = { scheme: 'key', dbtPrefix: 'DBT_ENV_SECRET_' }

describe('envNameOf: one naming rule for exec, dbt and Kubernetes', () => {
  it('secret_key (default) is <SECRET>_<KEY>, upper-snake-cased', () => {
    expect(envNameOf({ name: 'snowflake-credentials', key: 'password' })).toBe(
      'SNOWFLAKE_CREDENTIALS_PASSWORD',
    )
    expect(envNameOf({ name: 'kafka', key: 'sasl.password' })).toBe('KAFKA_SASL_PASSWORD')
    expect(envNameOf({ name: 'gcp.sa' })).toBe('GCP_SA')
  })

  it('secret_key never doubles the secret name: leading key words repeating it are dropped', () => {
    expect(envNameOf({ name: 'snowflake-credentials', key: 'SNOWFLAKE_ACCOUNT' })).toBe(
      'SNOWFLAKE_CREDENTIALS_ACCOUNT',
    )
    expect(envNameOf({ name: 'snowflake-credentials', key: 'snowflake_credentials_user' })).toBe(
      'SNOWFLAKE_CREDENTIALS_USER',
    )
    expect(envNameOf({ name: 'kafka', key: 'KAFKA_PASSWORD' })).toBe('KAFKA_PASSWORD')
    // a key that is only the secret's name keeps its one word
    expect(envNameOf({ name: 'api', key: 'api' })).toBe('API_API')
    // only leading words count: a repeat in the middle stays
    expect(envNameOf({ name: 'db', key: 'read_db_host' })).toBe('DB_READ_DB_HOST')
  })

  it('key is the key alone; a secret without a key is named after the secret', () => {
    const ref = { name: 'snowflake-credentials', key: 'SNOWFLAKE_ACCOUNT' }
    expect(envNameOf(ref, keyNaming)).toBe('SNOWFLAKE_ACCOUNT')
    expect(envNameOf({ name: 'db', key: 'privateKey' }, keyNaming)).toBe('PRIVATE_KEY')
    expect(envNameOf({ name: 'gcp-sa' }, keyNaming)).toBe('GCP_SA')
  })

  it('a per-secret scheme or prefix overrides the manifest', () => {
    const ref = { name: 'snowflake-credentials', key: 'account' }
    expect(envNameOf(ref, keyNaming, { scheme: 'secret_key' })).toBe(
      'SNOWFLAKE_CREDENTIALS_ACCOUNT',
    )
    expect(envNameOf(ref, undefined, { scheme: 'key' })).toBe('ACCOUNT')
    expect(envNameOf(ref, undefined, { prefix: 'SNOWFLAKE' })).toBe('SNOWFLAKE_ACCOUNT')
    expect(envNameOf(ref, keyNaming, { prefix: 'SNOWFLAKE_' })).toBe('SNOWFLAKE_ACCOUNT')
    // the prefix is not doubled either
    expect(
      envNameOf({ name: 's', key: 'snowflake_user' }, undefined, { prefix: 'SNOWFLAKE' }),
    ).toBe('SNOWFLAKE_USER')
  })

  it('dbt names get the dbt prefix once; an empty dbt prefix gives the plain names', () => {
    expect(dbtEnvNameOf({ name: 'snowflake', key: 'password' })).toBe(
      'DBT_ENV_SECRET_SNOWFLAKE_PASSWORD',
    )
    expect(dbtEnvNameOf({ name: 's', key: 'DBT_ENV_SECRET_PW' }, keyNaming)).toBe(
      'DBT_ENV_SECRET_PW',
    )
    expect(
      dbtEnvNameOf(
        { name: 's', key: 'account' },
        { scheme: 'key', dbtPrefix: '' },
        {
          prefix: 'SNOWFLAKE',
        },
      ),
    ).toBe('SNOWFLAKE_ACCOUNT')
  })

  it('a name starting with a digit gets a leading _', () => {
    expect(envNameOf({ name: '1password' })).toBe('_1PASSWORD')
    expect(envNameOf({ name: 'x', key: '2fa' }, keyNaming)).toBe('_2FA')
  })
})

// Manifests generated from secret names and keys: every derived name is an env identifier,
// and no two references share one, or loading reports the collision naming both.
describe('env naming over generated manifests (property)', () => {
  const word = fc.constantFrom('snowflake', 'db', 'api', 'user', 'password', 'Key', 'x1', '9')
  const identifier = fc
    .array(word, { minLength: 1, maxLength: 3 })
    .chain((parts) => fc.constantFrom('_', '-', '.').map((sep) => parts.join(sep)))
  const secretName = identifier.filter((n) => /^[A-Za-z0-9_]/.test(n))
  const secret = fc.record({
    keys: fc.uniqueArray(identifier, { minLength: 1, maxLength: 3 }),
    env_naming: fc.option(fc.constantFrom('key', 'secret_key'), { nil: undefined }),
    env_prefix: fc.option(fc.constantFrom('SNOWFLAKE', 'APP_', 'DB'), { nil: undefined }),
  })
  const manifest = fc.record({
    env_naming: fc.option(fc.constantFrom('key', 'secret_key'), { nil: undefined }),
    secrets: fc.dictionary(secretName, secret, { minKeys: 1, maxKeys: 4 }),
  })

  it('names are env identifiers, one reference each, or the collision is reported', async () => {
    await fc.assert(
      fc.asyncProperty(manifest, async (input) => {
        const lines: string[] = []
        if (input.env_naming) lines.push(`env_naming: ${input.env_naming}`)
        lines.push('secrets:')
        for (const [name, s] of Object.entries(input.secrets)) {
          lines.push(`  ${JSON.stringify(name)}:`, '    provider: env')
          lines.push(`    variables: {${s.keys.map((k) => `${JSON.stringify(k)}: V`).join(', ')}}`)
          if (s.env_naming) lines.push(`    env_naming: ${s.env_naming}`)
          if (s.env_prefix) lines.push(`    env_prefix: ${s.env_prefix}`)
        }
        const text = lines.join('\n')
        let env: EnvBinding[]
        try {
          env = (await loadManifestFromString(text, { env: {}, file: 'floe.yaml' })).env
        } catch (error) {
          const errors = error instanceof AggregateConfigError ? error.errors : [error]
          for (const e of errors) {
            expect(e).toBeInstanceOf(ConfigError)
            // a reported problem names the variable and both references, with their lines
            expect((e as Error).message).toMatch(
              /environment variable \w+ would hold two different secrets: secret:\/\/\S+ \(secrets\.\S+, line \d+\) and secret:\/\/\S+ \(secrets\.\S+, line \d+\)/,
            )
          }
          return
        }
        const owners = new Map<string, string>()
        for (const binding of env) {
          expect(isEnvName(binding.name)).toBe(true)
          const id = `${binding.ref.name}/${binding.ref.key}`
          expect(owners.get(binding.name) ?? id).toBe(id)
          owners.set(binding.name, id)
        }
        // every declared key is reachable under some name
        const keyCount = Object.values(input.secrets).reduce((n, s) => n + s.keys.length, 0)
        expect(env.length).toBe(keyCount)
      }),
      { numRuns: 150 },
    )
  })
})

describe('env_naming in the manifest', () => {
  it('top-level key naming, a per-secret override and a dbt prefix', async () => {
    const m = await loadManifestFromString(
      yaml`
env_naming: { scheme: key, dbt_prefix: "" }
secrets:
  snowflake-credentials:
    provider: env
    variables: { SNOWFLAKE_ACCOUNT: A, SNOWFLAKE_USER: U }
  catalog:
    provider: env
    env_naming: secret_key
    variables: { client_id: C }
  salesforce:
    provider: env
    env_prefix: SF
    variables: { client_id: S }
dbt:
  profiles:
    floe:
      outputs:
        prod:
          account: secret://snowflake-credentials/SNOWFLAKE_ACCOUNT
          user: secret://salesforce/client_id
`,
      { env: {}, file: 'floe.yaml' },
    )
    expect(m.envNaming).toEqual({ scheme: 'key', dbtPrefix: '' })
    expect(m.secrets.salesforce!.envNaming).toEqual({ prefix: 'SF' })
    expect(m.secrets.salesforce!.fields.env_prefix).toBeUndefined()
    expect(m.env.map((b) => `${b.name}=${b.ref.name}/${b.ref.key}:${b.origin}`)).toEqual([
      'SNOWFLAKE_ACCOUNT=snowflake-credentials/SNOWFLAKE_ACCOUNT:derived',
      'SNOWFLAKE_USER=snowflake-credentials/SNOWFLAKE_USER:derived',
      'CATALOG_CLIENT_ID=catalog/client_id:derived',
      'SF_CLIENT_ID=salesforce/client_id:derived',
    ])
  })

  it('without env_naming nothing changes: <SECRET>_<KEY> and DBT_ENV_SECRET_ for dbt', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  snowflake:
    provider: env
    variables: { password: P }
dbt:
  profiles:
    floe:
      outputs:
        prod:
          password: secret://snowflake/password
`,
      { env: {}, file: 'floe.yaml' },
    )
    expect(m.env.map((b) => b.name)).toEqual([
      'SNOWFLAKE_PASSWORD',
      'DBT_ENV_SECRET_SNOWFLAKE_PASSWORD',
    ])
  })

  it('two references mapping to one name are a located error naming both', async () => {
    const errors = await loadErrors(yaml`
env_naming: key
secrets:
  catalog-credentials:
    provider: env
    variables: { client_id: A }
  salesforce-credentials:
    provider: env
    variables: { client_id: B }
`)
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:6:3: environment variable CLIENT_ID would hold two different secrets: secret://catalog-credentials/client_id (secrets.catalog-credentials, line 3) and secret://salesforce-credentials/client_id (secrets.salesforce-credentials, line 6): rename one of the secrets or keys, or set env_prefix on one of the secrets',
    ])
  })

  it('a key that gives no env identifier is a located error', async () => {
    const errors = await loadErrors(yaml`
env_naming: key
secrets:
  s:
    provider: env
    variables: { "---": A }
`)
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:3:3: secrets.s: secret://s/--- gives no usable environment variable name ("": letters, digits and _, not starting with a digit), line 3: bind a name under env: or set env_prefix on the secret',
    ])
  })

  it("a one-value secret's env_prefix would name nothing: a located error, not a silent no-op", async () => {
    const errors = await loadErrors(yaml`
secrets:
  gcp-sa:
    provider: env
    variable: GCP_SA_JSON
    env_prefix: GOOGLE
`)
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:5:17: secrets.gcp-sa.env_prefix: gcp-sa is one value, always named GCP_SA; env_prefix names the keys of a secret with keys: remove it, or bind another name under env: (e.g. env: { MY_NAME: secret://gcp-sa })',
    ])
    // a dbt reference that picks a key gives it something to name
    const m = await loadManifestFromString(
      yaml`
secrets:
  gcp-sa:
    provider: env
    variable: GCP_SA_JSON
    env_prefix: GOOGLE
dbt:
  profiles:
    p:
      outputs:
        t:
          keyfile_json: { private_key: secret://gcp-sa/private_key }
`,
      { env: {}, file: 'floe.yaml' },
    )
    expect(m.env.map((b) => b.name)).toEqual(['GCP_SA', 'DBT_ENV_SECRET_GOOGLE_PRIVATE_KEY'])
  })

  it('bad values are schema errors with their location', async () => {
    const errors = await loadErrors(yaml`
env_naming: keys
secrets:
  s:
    provider: env
    variable: S
    env_prefix: 9lives
`)
    expect(errors.map((e) => e.located)).toEqual([
      expect.stringMatching(/^floe\.yaml:1:13: env_naming: /),
      expect.stringMatching(
        /^floe\.yaml:6:17: secrets\.s\.env_prefix: an env var prefix is letters, digits and _/,
      ),
    ])
  })
})
