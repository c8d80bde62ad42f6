/**
 * Every YAML example of seeds 000, 002 and 004 (test/fixtures/seeds, verbatim) loads, or is
 * rejected with a specific error where it is a fragment or documentation.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  findDualSecrets,
  isFloeError,
  lintManifest,
  loadManifest,
  loadManifestFromString,
} from '@floe/core'
import type { LoadedManifest } from '@floe/core'

const dir = join(import.meta.dirname, 'fixtures', 'seeds')
const fixture = (name: string) => join(dir, name)
/** Every `${VAR}` in the seeds resolves to `value-of-VAR`. */
const env = new Proxy(
  {},
  {
    get: (_target, key) => (typeof key === 'string' ? `value-of-${key}` : undefined),
  },
)

async function load(name: string): Promise<LoadedManifest> {
  return loadManifest(fixture(name), { env })
}

async function rejection(name: string): Promise<string> {
  try {
    await load(name)
  } catch (error) {
    if (!isFloeError(error)) throw error
    return error.located.replace(`${fixture(name)}`, name).replace(/^.*fixtures\/seeds\//, '')
  }
  throw new Error(`${name} loaded`)
}

/** Seed 000's snippets are the body of `duckdb:`: indent them under it. */
function underDuckdb(name: string): string {
  const body = readFileSync(fixture(name), 'utf8')
  return `duckdb:\n${body
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n')}`
}

const checks: Record<string, () => Promise<unknown>> = {
  // ───── seed 000: full documents load ─────
  '000-default-temporary-secrets.yaml': async () => {
    const m = await load('000-default-temporary-secrets.yaml')
    expect(m.duckdb?.database).toBe('analytics_catalog.duckdb')
    expect(m.duckdb?.install_extensions).toEqual(['httpfs'])
    expect(m.duckdb?.secrets?.map((s) => [s.type, s.name, s.persistent])).toEqual([
      ['s3', 'production_s3', undefined],
      ['postgres', 'analytics_db', undefined],
    ])
    expect(m.duckdb?.secrets?.[0]?.key_id).toBe('value-of-AWS_ACCESS_KEY_ID')
    expect((m.document.views as unknown[]).length).toBe(2)
    expect(lintManifest(m)).toEqual([])
  },
  '000-explicit-temporary-secrets.yaml': async () => {
    const m = await load('000-explicit-temporary-secrets.yaml')
    expect(m.duckdb?.secrets?.[0]).toMatchObject({
      name: 'production_s3',
      persistent: false,
      region: 'us-west-2',
    })
  },
  '000-persistent-secrets-opt-in.yaml': async () => {
    const m = await load('000-persistent-secrets-opt-in.yaml')
    expect(m.duckdb?.secrets?.map((s) => s.persistent)).toEqual([true, true])
    expect(lintManifest(m).map((f) => [f.code, f.severity, f.location?.line])).toEqual([
      ['duckdb-persistent-unscoped', 'warning', 13],
      ['duckdb-persistent-unscoped', 'warning', 19],
    ])
  },
  '000-mixed-configuration.yaml': async () => {
    const m = await load('000-mixed-configuration.yaml')
    expect(m.duckdb?.secrets?.map((s) => [s.name, s.persistent])).toEqual([
      ['prod_data_lake', true],
      ['dev_test_bucket', false],
      ['analytics_db', false],
    ])
    expect(lintManifest(m).map((f) => f.code)).toEqual(['duckdb-persistent-unscoped'])
  },
  // ───── seed 000: snippets of duckdb: — rejected at the top level with a hint, load under duckdb: ─────
  '000-for-temporary-secrets.yaml': () =>
    snippet('000-for-temporary-secrets.yaml', ['sensitive_data']),
  '000-for-persistent-secrets.yaml': async () => {
    const m = await snippet('000-for-persistent-secrets.yaml', ['production_data'])
    expect(m.duckdb?.secrets?.[0]).toMatchObject({
      persistent: true,
      scope: 's3://production-bucket/',
    })
    expect(lintManifest(m)).toEqual([])
  },
  // The seed's "SCOPE not supported" is outdated: DuckDB supports SCOPE, so it loads.
  '000-scope-not-supported.yaml': async () => {
    const m = await snippet('000-scope-not-supported.yaml', ['scoped_s3'])
    expect(m.duckdb?.secrets?.[0]?.scope).toBe('s3://specific-bucket/prefix/')
  },
  '000-workaround-multiple-secrets.yaml': () =>
    snippet('000-workaround-multiple-secrets.yaml', ['bucket_read_only', 'bucket_write_access']),
  '000-http-secrets-bearer-token-only.yaml': async () => {
    const m = await snippet('000-http-secrets-bearer-token-only.yaml', ['api_access'])
    expect(m.duckdb?.secrets?.[0]?.bearer_token).toBe('value-of-API_BEARER_TOKEN')
  },
  // Loads here: DuckDB parameters are checked per type by @floe/emit-duckdb, which rejects
  // KEY_ID/SECRET on an http secret.
  '000-http-basic-auth-not-supported.yaml': async () => {
    const m = await snippet('000-http-basic-auth-not-supported.yaml', ['api_basic_auth'])
    expect(m.duckdb?.secrets?.[0]).toMatchObject({ type: 'http', key_id: 'value-of-API_USERNAME' })
  },
  '000-future-scope-support.yaml': async () => {
    const m = await snippet('000-future-scope-support.yaml', ['future_scoped_secret'])
    expect(m.duckdb?.secrets?.[0]?.scope).toBe('s3://allowed-bucket/')
  },

  // ───── seed 002: secret definitions ─────
  '002-hashicorp-vault.yaml': async () => {
    const m = await load('002-hashicorp-vault.yaml')
    expect(m.secrets.kafka_credentials).toMatchObject({
      provider: 'vault',
      kind: 'static',
      keys: ['username', 'password'],
      cache: { enabled: true, ttlMs: 300_000 },
      lease: { renewalEnabled: true, incrementSeconds: 3600 },
      fields: {
        path: 'secret/data/production/kafka',
        vault: { address: 'value-of-VAULT_ADDR', namespace: 'credit-card' },
        auth: { method: 'kubernetes', role: 'flink-reader' },
      },
    })
    expect(m.env.map((b) => b.name)).toEqual([
      'KAFKA_CREDENTIALS_USERNAME',
      'KAFKA_CREDENTIALS_PASSWORD',
    ])
  },
  '002-dynamic-secrets-vault.yaml': async () => {
    const m = await load('002-dynamic-secrets-vault.yaml')
    expect(m.secrets.mongo_credentials).toMatchObject({
      kind: 'dynamic',
      lease: { renewalEnabled: true, minRenewalSeconds: 60, incrementSeconds: 3600 },
    })
    expect(m.secrets.mongo_credentials?.fields).not.toHaveProperty('type')
  },
  '002-aws-secrets-manager.yaml': async () => {
    const m = await load('002-aws-secrets-manager.yaml')
    expect(m.secrets.mongo_connection).toMatchObject({
      provider: 'aws_secrets_manager',
      keys: ['uri', 'username', 'password'],
      rotation: { autoRefresh: true, refreshIntervalMs: 3_600_000 },
      fields: {
        secret_id: 'production/mongodb/connection',
        region: 'us-east-1',
        version_stage: 'AWSCURRENT',
      },
    })
  },
  '002-aws-parameter-store.yaml': async () => {
    const m = await load('002-aws-parameter-store.yaml')
    expect(m.secrets.database_password?.fields).toEqual({
      name: '/production/database/password',
      region: 'us-east-1',
      type: 'SecureString',
      with_decryption: true,
      kms_key_id: 'value-of-KMS_KEY_ID',
      auth: { type: 'instance_profile' },
    })
  },
  '002-kubernetes-secrets.yaml': async () => {
    const m = await load('002-kubernetes-secrets.yaml')
    expect(m.secrets.redis_password).toMatchObject({ provider: 'kubernetes', keys: ['password'] })
    expect(m.env).toMatchObject([
      { name: 'REDIS_PASSWORD', ref: { name: 'redis_password', key: 'password' } },
    ])
  },
  '002-azure-key-vault.yaml': async () => {
    const m = await load('002-azure-key-vault.yaml')
    expect(m.secrets.storage_connection?.fields).toMatchObject({
      vault_url: 'https://my-vault.vault.azure.net',
      version: 'latest',
    })
  },
  '002-gcp-secret-manager.yaml': async () => {
    const m = await load('002-gcp-secret-manager.yaml')
    expect(m.secrets.api_key?.fields).toMatchObject({
      project: 'my-gcp-project',
      secret: 'production-api-key',
    })
    expect(lintManifest(m)).toEqual([])
  },
  '002-environment-variables-development.yaml': async () => {
    const m = await load('002-environment-variables-development.yaml')
    expect(m.secrets.local_password).toMatchObject({
      provider: 'env',
      default: 'development_password',
    })
    expect(m.secrets.local_password?.fields).toEqual({ variable: 'DATABASE_PASSWORD' })
  },
  // ───── seed 002: usage sites (references to secrets declared elsewhere) ─────
  '002-in-stream-bindings.yaml': () =>
    usage('002-in-stream-bindings.yaml', [
      'secret://kafka_credentials/username',
      'secret://kafka_credentials/password',
    ]),
  '002-in-lookup-bindings.yaml': () =>
    usage('002-in-lookup-bindings.yaml', ['secret://mongo_connection/uri']),
  '002-in-checkpoint-storage.yaml': () =>
    usage('002-in-checkpoint-storage.yaml', [
      'secret://s3_credentials/access_key',
      'secret://s3_credentials/secret_key',
    ]),
  '002-full-uri-reference.yaml': () =>
    usage('002-full-uri-reference.yaml', ['secret://postgres_credentials/jdbc_url']),
  '002-examples.yaml': async () => {
    const m = await usage('002-examples.yaml', [
      'secret://kafka_credentials/password',
      'secret://mongo_connection',
      'secret://api_key?version=2',
      'secret://optional_secret/key?default=default_value',
    ])
    expect(m.references.map((r) => r.ref)).toEqual([
      { name: 'kafka_credentials', key: 'password' },
      { name: 'mongo_connection' },
      { name: 'api_key', version: '2' },
      { name: 'optional_secret', key: 'key', default: 'default_value' },
    ])
  },
  '002-secret-groups.yaml': async () => {
    const m = await load('002-secret-groups.yaml')
    expect(Object.keys(m.secrets)).toEqual(['kafka_username', 'kafka_password'])
    expect(m.secrets.kafka_password).toMatchObject({
      provider: 'vault',
      group: 'kafka',
      keys: ['password'],
      fields: {
        path: 'secret/data/production/kafka',
        key: 'password',
        auth: { role: 'flink-reader' },
      },
    })
  },
  '002-automatic-rotation-detection.yaml': async () => {
    const m = await load('002-automatic-rotation-detection.yaml')
    expect(m.secrets.database_credentials?.rotation).toEqual({
      autoRefresh: true,
      refreshIntervalMs: 300_000,
      onRotation: { action: 'reconnect', gracePeriodMs: 30_000 },
    })
  },
  '002-dual-secret-pattern.yaml': async () => {
    const m = await load('002-dual-secret-pattern.yaml')
    expect(findDualSecrets(m)).toEqual([
      {
        path: ['lookups', 'database', 'auth'],
        primary: { name: 'database_primary' },
        secondary: { name: 'database_secondary' },
        fallbackEnabled: true,
      },
    ])
    expect(lintManifest(m)).toEqual([])
  },
  // ───── seed 002: fragments without a location get a specific error ─────
  '002-principle-of-least-privilege.yaml': async () => {
    expect(await rejection('002-principle-of-least-privilege.yaml')).toBe(
      '002-principle-of-least-privilege.yaml:4:5: secrets.kafka_credentials: a vault secret needs "path" to say where it lives (e.g. path: secret/data/production/kafka)',
    )
  },
  '002-provider-unavailable.yaml': async () => {
    expect(await rejection('002-provider-unavailable.yaml')).toBe(
      '002-provider-unavailable.yaml:4:5: secrets.database_password: a vault secret needs "path" to say where it lives (e.g. path: secret/data/production/kafka)',
    )
  },
  '002-secret-isolation.yaml': async () => {
    const m = await load('002-secret-isolation.yaml')
    expect(Object.keys(m.secrets)).toEqual(['prod_database', 'staging_database'])
    // with an environment declared, the other environment's secret is flagged
    const prod = await loadManifestFromString(
      `environment: production\n${readFileSync(fixture('002-secret-isolation.yaml'), 'utf8')}`,
      {
        env,
        file: 'prod.yaml',
      },
    )
    expect(lintManifest(prod).map((f) => [f.code, f.secret, f.location?.line])).toEqual([
      ['cross-environment', 'staging_database', 13],
    ])
  },
  '002-audit-logging.yaml': async () => {
    const m = await load('002-audit-logging.yaml')
    expect(m.config.audit).toEqual({
      enabled: true,
      logAccess: true,
      destination: 'security-audit-logs',
    })
  },
  '002-missing-secrets.yaml': async () => {
    const m = await load('002-missing-secrets.yaml')
    expect(m.secrets.optional_api_key?.onMissing).toEqual({ action: 'default', defaultValue: '' })
    expect(m.secrets.required_password?.onMissing).toEqual({
      action: 'fail',
      message: 'Required secret not found: database password',
    })
  },
  '002-development-configuration.yaml': async () => {
    const m = await load('002-development-configuration.yaml')
    expect(m.config.defaultProvider).toBe('env')
    expect(m.secrets.kafka_credentials).toMatchObject({ keys: ['username', 'password'] })
    expect(m.secrets.mongo_connection).toMatchObject({
      default: 'mongodb://localhost:27017/credit_card',
    })
    expect(m.env.map((b) => b.name)).toEqual([
      'KAFKA_CREDENTIALS_USERNAME',
      'KAFKA_CREDENTIALS_PASSWORD',
      'MONGO_CONNECTION',
    ])
    expect(lintManifest(m)).toEqual([])
  },

  // ───── seed 004 ─────
  '004-eso-secretstore-configuration.yaml': async () => {
    expect(await rejection('004-eso-secretstore-configuration.yaml')).toBe(
      '004-eso-secretstore-configuration.yaml:17:1: invalid YAML: a floe manifest is a single YAML document: remove the "---" separator (Kubernetes objects belong in separate files)',
    )
  },
  '004-reloader-annotation.yaml': async () => {
    const m = await load('004-reloader-annotation.yaml')
    expect(m.document.kind).toBe('Deployment')
    expect(m.secrets).toEqual({})
  },
  '004-aws-secrets-manager-eso.yaml': async () => {
    const m = await load('004-aws-secrets-manager-eso.yaml')
    expect(m.plugins?.secrets).toEqual({
      type: 'external-secrets',
      config: { store: 'aws-secrets-manager', region: 'us-east-1' },
    })
    expect(lintManifest(m)).toEqual([])
  },
  '004-gcp-secret-manager-eso.yaml': async () => {
    const m = await load('004-gcp-secret-manager-eso.yaml')
    expect(m.plugins?.secrets).toMatchObject({
      config: { store: 'gcp-secret-manager', project: 'my-gcp-project' },
    })
  },
  '004-azure-key-vault-eso.yaml': async () => {
    const m = await load('004-azure-key-vault-eso.yaml')
    expect(m.plugins?.secrets).toMatchObject({
      config: { vault_url: 'https://my-vault.vault.azure.net' },
    })
  },
  // Documentation, not a manifest: three `config:` keys and `type: a | b | c`.
  '004-configuration-schema.yaml': async () => {
    expect(await rejection('004-configuration-schema.yaml')).toBe(
      '004-configuration-schema.yaml:16:5: invalid YAML: duplicate key "config" in plugins.secrets (first at line 11)',
    )
    const oneConfig = readFileSync(fixture('004-configuration-schema.yaml'), 'utf8').replace(
      /\n {4}# HashiCorp Vault\n {4}config:\n(?: {6}.*\n)+/,
      '\n',
    )
    const error = await loadManifestFromString(oneConfig, { env, file: 'schema.yaml' }).catch(
      (e: unknown) => e,
    )
    expect(isFloeError(error) && error.located).toBe(
      'schema.yaml:5:11: plugins.secrets.type: expected one of "k8s", "external-secrets", "vault" (pick one: "k8s | external-secrets | vault" lists the alternatives)',
    )
  },
}

async function snippet(name: string, names: string[]): Promise<LoadedManifest> {
  expect(await rejection(name)).toBe(
    `${name}:4:3: secrets: expected a map of secret name → definition, got a list; DuckDB secret lists (type/name/key_id…) belong under duckdb.secrets:`,
  )
  const m = await loadManifestFromString(underDuckdb(name), { env, file: name })
  expect(m.duckdb?.secrets?.map((s) => s.name)).toEqual(names)
  return m
}

async function usage(name: string, raws: string[]): Promise<LoadedManifest> {
  const m = await load(name)
  expect(m.references.map((r) => r.raw)).toEqual(raws)
  // the secrets are declared in another file of the seed: the lint says so
  expect(new Set(lintManifest(m).map((f) => f.code))).toEqual(new Set(['undeclared-secret']))
  return m
}

describe('seed fixtures', () => {
  it('every fixture file has a check, and every check a fixture', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(checks).sort())
  })
  for (const [name, check] of Object.entries(checks)) it(name, check)

  it('an unset variable in a seed names the variable and its line', async () => {
    const error = await loadManifest(fixture('002-hashicorp-vault.yaml'), { env: {} }).catch(
      (e: unknown) => e,
    )
    expect(isFloeError(error) && error.located).toMatch(
      /002-hashicorp-vault\.yaml:13:16: secrets\.kafka_credentials\.vault\.address: environment variable VAULT_ADDR is not set/,
    )
  })
})

describe('seed 004 configuration schema, concrete variants', () => {
  for (const variant of ['k8s', 'external-secrets', 'vault']) {
    it(`plugins.secrets.type: ${variant} loads`, async () => {
      const m = await loadManifest(
        join(import.meta.dirname, 'fixtures', `plugins-${variant}.yaml`),
        { env: {} },
      )
      expect((m.plugins?.secrets as { type: string }).type).toBe(variant)
      expect(m.references.map((r) => [r.path.join('.'), r.ref])).toEqual([
        ['plugins.compute.connection_secret_ref', { name: 'snowflake-credentials' }],
        ['plugins.catalog.config.client_secret_ref', { name: 'polaris-credentials' }],
        [
          'ingestion.pipelines.0.source.secret_refs.client_id',
          { name: 'salesforce-credentials', key: 'client_id' },
        ],
        [
          'ingestion.pipelines.0.source.secret_refs.client_secret',
          { name: 'salesforce-credentials', key: 'client_secret' },
        ],
      ])
      expect(lintManifest(m).map((f) => [f.code, f.severity])).toEqual([
        ['undeclared-secret', 'warning'],
        ['undeclared-secret', 'warning'],
        ['undeclared-secret', 'warning'],
        ['undeclared-secret', 'warning'],
      ])
    })
  }

  it('a vault backend without address, or ESO without store, is a located error', async () => {
    const error = await loadManifestFromString(
      'plugins:\n  secrets:\n    type: vault\n    config: { role: floe }\n',
      {
        env: {},
        file: 'floe.yaml',
      },
    ).catch((e: unknown) => e)
    expect(isFloeError(error) && error.located).toBe(
      'floe.yaml:4:13: plugins.secrets.config.address: required (expected string)',
    )
    const eso = await loadManifestFromString('plugins:\n  secrets:\n    type: external-secrets\n', {
      env: {},
      file: 'floe.yaml',
    }).catch((e: unknown) => e)
    expect(isFloeError(eso) && eso.located).toBe(
      'floe.yaml:3:5: plugins.secrets.config: required (expected a map)',
    )
  })
})
