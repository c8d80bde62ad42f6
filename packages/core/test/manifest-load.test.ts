import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ConfigError,
  envNameFor,
  findDualSecrets,
  findManifestPath,
  loadManifest,
  loadManifestFromString,
} from '@floe/core'
import { envSchema, testCatalog, vaultSchema, yaml } from './fixtures/helpers.js'

describe('loadManifestFromString', () => {
  it('parses definitions, shared policies, groups and references', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  _config:
    default_provider: vault
    cache: { ttl: 10m }
  _groups:
    kafka:
      path: secret/data/production/kafka
  kafka_username:
    _group: kafka
    key: username
  db:
    provider: aws_secrets_manager
    secret_id: production/db
    keys: [user, password]
    retry: { attempts: 5, backoff: constant, initial_delay: 1s, max_delay: 30s }
    on_missing: warn
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          password: secret://db/password
`,
      { env: {} },
    )
    expect(m.version).toBe(1)
    expect(m.path).toBe('<inline>')
    expect(m.secrets.kafka_username).toMatchObject({
      provider: 'vault',
      group: 'kafka',
      keys: ['username'],
      fields: { path: 'secret/data/production/kafka', key: 'username' },
      cache: { enabled: true, ttlMs: 600_000 },
      location: { file: '<inline>', line: 8, column: 3 },
    })
    expect(m.secrets.db?.retry).toEqual({
      attempts: 5,
      backoff: 'constant',
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
    })
    expect(m.secrets.db?.onMissing).toEqual({ action: 'warn' })
    expect(m.references.map((r) => r.raw)).toEqual(['secret://db/password'])
    expect(m.references[0]?.location).toEqual({ file: '<inline>', line: 24, column: 21 })
    expect(m.env.map((b) => b.name)).toEqual([
      'KAFKA_USERNAME',
      'DB_USER',
      'DB_PASSWORD',
      'DBT_ENV_SECRET_DB_PASSWORD',
    ])
  })

  it('applies defaults: version 1, concurrency 8, retry and cache from _config', async () => {
    const started = await loadManifestFromString('secrets:\nenv:\n', { env: {} })
    expect(started).toMatchObject({ secrets: {}, env: [] })
    const empty = await loadManifestFromString('', { env: {} })
    expect(empty).toMatchObject({
      version: 1,
      secrets: {},
      env: [],
      references: [],
      config: { concurrency: 8 },
    })
    const m = await loadManifestFromString(
      yaml`
secrets:
  _config:
    concurrency: 4
    retry: { attempts: 4 }
    cache: false
    audit: { log_destination: security-audit-logs }
  a: { provider: env, variable: A }
  b: { provider: env, variable: B, retry: { max_delay: 2m }, cache: { ttl: 90 } }
`,
      { env: {} },
    )
    expect(m.config).toEqual({
      concurrency: 4,
      retry: { attempts: 4, backoff: 'exponential', initialDelayMs: 200, maxDelayMs: 30_000 },
      cache: { enabled: false, ttlMs: 300_000 },
      audit: { enabled: true, logAccess: true, destination: 'security-audit-logs' },
    })
    expect(m.secrets.a?.retry).toEqual(m.config.retry)
    expect(m.secrets.a?.cache).toEqual({ enabled: false, ttlMs: 300_000 })
    expect(m.secrets.b?.retry).toEqual({
      attempts: 4,
      backoff: 'exponential',
      initialDelayMs: 200,
      maxDelayMs: 120_000,
    })
    expect(m.secrets.b?.cache).toEqual({ enabled: true, ttlMs: 90_000 })
  })

  it('parses every shared policy field and leaves the rest to the provider', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  creds:
    provider: vault
    path: database/creds/ro
    type: dynamic
    scope: analytics
    default: "42"
    renewal: { enabled: true, increment: 1h }
    lease: { min_renewal_seconds: 60 }
    on_missing: { action: default, default_value: 7, message: "need it" }
    rotation:
      auto_refresh: true
      refresh_interval: 5m
      on_rotation: { action: reconnect, grace_period: 30s }
      restart: [dagster-daemon]
    fallback: { provider: env, variable: DB_PASSWORD }
    auth: { method: kubernetes, role: r }
  param:
    provider: aws_parameter_store
    name: /p
    type: SecureString
`,
      { env: {} },
    )
    expect(m.secrets.creds).toMatchObject({
      kind: 'dynamic',
      scope: 'analytics',
      default: '42',
      lease: { renewalEnabled: true, incrementSeconds: 3600, minRenewalSeconds: 60 },
      onMissing: { action: 'default', defaultValue: '7', message: 'need it' },
      rotation: {
        autoRefresh: true,
        refreshIntervalMs: 300_000,
        onRotation: { action: 'reconnect', gracePeriodMs: 30_000 },
        restart: ['dagster-daemon'],
      },
      fallback: { provider: 'env', fields: { variable: 'DB_PASSWORD' } },
    })
    expect(m.secrets.creds?.fields).toEqual({
      path: 'database/creds/ro',
      auth: { method: 'kubernetes', role: 'r' },
    })
    // a provider's own `type` is not the dynamic marker
    expect(m.secrets.param).toMatchObject({
      kind: 'static',
      fields: { name: '/p', type: 'SecureString' },
    })
  })

  it('merges groups deeply, the definition winning, and groups may extend groups', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  _groups:
    base:
      provider: vault
      vault: { address: https://vault:8200, namespace: a }
    kafka:
      _group: base
      path: secret/data/kafka
      auth: { method: kubernetes, role: reader }
  kafka_password:
    _group: kafka
    key: password
    vault: { namespace: b }
`,
      { env: {} },
    )
    expect(m.secrets.kafka_password).toMatchObject({
      provider: 'vault',
      group: 'kafka',
      fields: {
        path: 'secret/data/kafka',
        key: 'password',
        vault: { address: 'https://vault:8200', namespace: 'b' },
        auth: { method: 'kubernetes', role: 'reader' },
      },
    })
    expect(m.secrets.kafka_password?.fields).not.toHaveProperty('_group')
  })

  it('interpolates ${VAR}, ${env:VAR}, ${VAR:-default} and keeps $${ literal', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  a:
    provider: vault
    path: secret/\${TEAM}/\${env:APP}/\${MISSING:-fallback}/\${EMPTY:-was-empty}
    vault: { address: "\${VAULT_ADDR}" }
    retry:
      attempts: \${ATTEMPTS}
templates:
  literal: "$\${NOT_A_VAR} and $5"
  quoted: "\${ATTEMPTS}"
`,
      {
        env: { TEAM: 'data', APP: 'kafka', EMPTY: '', VAULT_ADDR: 'https://v:8200', ATTEMPTS: '4' },
      },
    )
    expect(m.secrets.a?.fields.path).toBe('secret/data/kafka/fallback/was-empty')
    expect(m.secrets.a?.fields.vault).toEqual({ address: 'https://v:8200' })
    // an unquoted ${VAR} reads as the number it expands to; a quoted one stays a string
    expect(m.secrets.a?.retry?.attempts).toBe(4)
    expect(m.document.templates).toEqual({ literal: '${NOT_A_VAR} and $5', quoted: '4' })
  })

  it('uses process.env when no env is given', async () => {
    process.env.FLOE_TEST_MANIFEST_VAR = 'from-process'
    try {
      const m = await loadManifestFromString('x: ${FLOE_TEST_MANIFEST_VAR}\n')
      expect(m.document.x).toBe('from-process')
    } finally {
      delete process.env.FLOE_TEST_MANIFEST_VAR
    }
  })

  it('keeps unknown sections in document and finds references in them, whole or embedded', async () => {
    const m = await loadManifestFromString(
      yaml`
streams:
  auth_events:
    properties:
      sasl.password: secret://kafka_credentials/password
lookups:
  db:
    jdbc: "jdbc:postgresql://h/db?user=x password=secret://pg/pass%20word?version=3 end"
    optional: secret://opt/key?default=a,b;c
`,
      { env: {}, file: 'floe.yaml' },
    )
    expect(m.document.streams).toBeDefined()
    expect(m.references.map((r) => [r.path.join('.'), r.ref, r.location])).toEqual([
      [
        'streams.auth_events.properties.sasl.password',
        { name: 'kafka_credentials', key: 'password' },
        { file: 'floe.yaml', line: 4, column: 22 },
      ],
      [
        'lookups.db.jdbc',
        { name: 'pg', key: 'pass word', version: '3' },
        { file: 'floe.yaml', line: 7, column: 51 },
      ],
      [
        'lookups.db.optional',
        { name: 'opt', key: 'key', default: 'a,b;c' },
        { file: 'floe.yaml', line: 8, column: 15 },
      ],
    ])
  })

  it('reads *_secret_ref and ingestion secret_refs as secret names', async () => {
    const m = await loadManifestFromString(
      yaml`
plugins:
  compute:
    type: snowflake
    connection_secret_ref: snowflake-credentials
ingestion:
  pipelines:
    - name: salesforce-sync
      source:
        type: salesforce
        secret_refs:
          client_id: salesforce-credentials
          client_secret: secret://sf/secret
`,
      { env: {} },
    )
    expect(
      m.references.map((r) => [r.path.join('.'), r.ref, (r as { form?: string }).form]),
    ).toEqual([
      ['plugins.compute.connection_secret_ref', { name: 'snowflake-credentials' }, 'name'],
      [
        'ingestion.pipelines.0.source.secret_refs.client_id',
        { name: 'salesforce-credentials', key: 'client_id' },
        'name',
      ],
      [
        'ingestion.pipelines.0.source.secret_refs.client_secret',
        { name: 'sf', key: 'secret' },
        'uri',
      ],
    ])
  })

  it('derives env bindings: explicit first, then <SECRET>_<KEY>, then DBT_ENV_SECRET_ for dbt', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  snowflake:
    provider: aws_secrets_manager
    secret_id: floe/prod/snowflake
    keys: [account, user, password, privateKey]
  api-token:
    provider: env
    variable: API_TOKEN
  kafka_creds:
    provider: env
    variables: { username: KU, password: KP }
env:
  SF_PASS: secret://snowflake/password
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          account: secret://snowflake/account
          password: secret://snowflake/password
          threads: 4
`,
      { env: {}, file: 'floe.yaml' },
    )
    expect(m.env.map((b) => [b.name, b.origin, b.ref])).toEqual([
      ['SF_PASS', 'explicit', { name: 'snowflake', key: 'password' }],
      ['SNOWFLAKE_ACCOUNT', 'derived', { name: 'snowflake', key: 'account' }],
      ['SNOWFLAKE_USER', 'derived', { name: 'snowflake', key: 'user' }],
      ['SNOWFLAKE_PASSWORD', 'derived', { name: 'snowflake', key: 'password' }],
      ['SNOWFLAKE_PRIVATE_KEY', 'derived', { name: 'snowflake', key: 'privateKey' }],
      ['API_TOKEN', 'derived', { name: 'api-token' }],
      ['KAFKA_CREDS_USERNAME', 'derived', { name: 'kafka_creds', key: 'username' }],
      ['KAFKA_CREDS_PASSWORD', 'derived', { name: 'kafka_creds', key: 'password' }],
      ['DBT_ENV_SECRET_SNOWFLAKE_ACCOUNT', 'dbt', { name: 'snowflake', key: 'account' }],
      ['DBT_ENV_SECRET_SNOWFLAKE_PASSWORD', 'dbt', { name: 'snowflake', key: 'password' }],
    ])
    expect(m.env[0]?.location).toEqual({ file: 'floe.yaml', line: 13, column: 12 })
    expect(m.env.at(-1)?.location).toEqual({ file: 'floe.yaml', line: 22, column: 21 })
    expect(m.dbt?.profiles.floe?.outputs.prod?.threads).toBe(4)
  })

  it('envNameFor upper-snake-cases names and keys', () => {
    expect(envNameFor({ name: 'kafka_credentials', key: 'sasl.password' })).toBe(
      'KAFKA_CREDENTIALS_SASL_PASSWORD',
    )
    expect(envNameFor({ name: 'snowflake-prod', key: 'privateKey' })).toBe(
      'SNOWFLAKE_PROD_PRIVATE_KEY',
    )
    expect(envNameFor({ name: 'db' }, { prefix: 'DBT_ENV_SECRET_' })).toBe('DBT_ENV_SECRET_DB')
    expect(envNameFor({ name: '1password' })).toBe('_1PASSWORD')
  })

  it('finds dual secrets', async () => {
    const m = await loadManifestFromString(
      yaml`
lookups:
  database:
    auth:
      primary: secret://database_primary
      secondary: secret://database_secondary
      fallback_enabled: true
  other:
    auth: { primary: secret://a, secondary: secret://b }
  lonely:
    primary: secret://c
`,
      { env: {} },
    )
    expect(findDualSecrets(m)).toEqual([
      {
        path: ['lookups', 'database', 'auth'],
        primary: { name: 'database_primary' },
        secondary: { name: 'database_secondary' },
        fallbackEnabled: true,
      },
      {
        path: ['lookups', 'other', 'auth'],
        primary: { name: 'a' },
        secondary: { name: 'b' },
        fallbackEnabled: false,
      },
    ])
  })

  it('locate() maps any document path to file:line:column', async () => {
    const m = await loadManifestFromString(
      yaml`
base: &base
  region: us-east-1
duckdb:
  secrets:
    - type: s3
      name: lake
      <<: *base
`,
      { env: {}, file: 'floe.yaml' },
    )
    expect(m.locate(['duckdb', 'secrets', 0, 'name'])).toEqual({
      file: 'floe.yaml',
      line: 6,
      column: 13,
    })
    expect(m.locate(['duckdb', 'secrets', 0, 'region'])).toEqual({
      file: 'floe.yaml',
      line: 2,
      column: 11,
    })
    expect(m.locate(['duckdb', 'secrets', 3])).toBeUndefined()
    expect(m.duckdb?.secrets?.[0]).toEqual({ type: 's3', name: 'lake', region: 'us-east-1' })
  })

  it('validates provider fields with a catalog, loading each provider once', async () => {
    const catalog = testCatalog({ vault: vaultSchema, env: envSchema })
    const m = await loadManifestFromString(
      yaml`
secrets:
  a: { provider: vault, path: p1, keys: [x], retry: { attempts: 2 }, type: dynamic }
  b: { provider: vault, path: p2, fallback: { provider: env, variable: B } }
`,
      { env: {}, catalog },
    )
    expect(Object.keys(m.secrets)).toEqual(['a', 'b'])
    expect(catalog.loads).toEqual(['vault', 'env'])
  })
})

describe('loadManifest and findManifestPath', () => {
  const root = mkdtempSync(join(tmpdir(), 'floe-manifest-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const repo = join(root, 'repo')
  const nested = join(repo, 'a', 'b')
  mkdirSync(join(repo, '.git'), { recursive: true })
  mkdirSync(nested, { recursive: true })
  writeFileSync(join(repo, 'manifest.yml'), 'secrets:\n  a: { provider: env, variable: A }\n')
  writeFileSync(join(root, 'floe.yaml'), 'version: 1\n')

  it('loads a file, with its path in locations', async () => {
    const m = await loadManifest(join(repo, 'manifest.yml'), { env: {} })
    expect(m.path).toBe(join(repo, 'manifest.yml'))
    expect(m.dir).toBe(repo)
    expect(m.secrets.a?.location?.line).toBe(2)
    expect(m.secrets.a?.location?.file).toContain('manifest.yml')
  })

  it('reports a missing file as a ConfigError', async () => {
    await expect(loadManifest(join(root, 'nope.yaml'))).rejects.toThrow(
      new ConfigError(`manifest not found: ${join(root, 'nope.yaml')}`),
    )
  })

  it('prefers -m, then FLOE_MANIFEST, then floe.yaml… upwards to the repository root', () => {
    expect(findManifestPath({ cwd: nested, env: {}, explicit: '../../manifest.yml' })).toBe(
      join(repo, 'manifest.yml'),
    )
    expect(findManifestPath({ cwd: root, env: { FLOE_MANIFEST: 'repo/manifest.yml' } })).toBe(
      join(repo, 'manifest.yml'),
    )
    expect(findManifestPath({ cwd: nested, env: {} })).toBe(join(repo, 'manifest.yml'))
    expect(findManifestPath({ cwd: root, env: {} })).toBe(join(root, 'floe.yaml'))
  })

  it('two manifest names in one directory is an error naming both and how to choose', () => {
    const both = join(root, 'both')
    mkdirSync(join(both, '.git'), { recursive: true })
    writeFileSync(join(both, 'floe.yaml'), 'version: 1\n')
    writeFileSync(join(both, 'manifest.yaml'), 'version: 1\n')
    expect(() => findManifestPath({ cwd: both, env: {} })).toThrow(ConfigError)
    expect(() => findManifestPath({ cwd: both, env: {} })).toThrow(
      /floe\.yaml[\s\S]*manifest\.yaml[\s\S]*--manifest/,
    )
    // Choosing one explicitly is how the ambiguity is settled.
    expect(findManifestPath({ cwd: both, env: {}, explicit: 'manifest.yaml' })).toBe(
      join(both, 'manifest.yaml'),
    )
  })

  it('lists every path it tried, stopping at the .git directory', () => {
    const cwd = join(repo, 'a')
    const other = join(root, 'other')
    mkdirSync(join(other, '.git'), { recursive: true })
    let error: unknown
    try {
      findManifestPath({ cwd: other, env: {} })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toBe(
      `no manifest found; tried:\n${['floe.yaml', 'floe.yml', 'manifest.yaml', 'manifest.yml'].map((n) => `  ${join(other, n)}`).join('\n')}\nCreate floe.yaml, or pass -m PATH or set FLOE_MANIFEST.`,
    )
    expect(() => findManifestPath({ cwd, env: {}, explicit: 'missing.yaml' })).toThrow(
      `manifest not found: ${join(cwd, 'missing.yaml')} (from -m/--manifest)`,
    )
    expect(() => findManifestPath({ cwd, env: { FLOE_MANIFEST: '/nowhere/floe.yaml' } })).toThrow(
      'manifest not found: /nowhere/floe.yaml (from FLOE_MANIFEST)',
    )
  })
})

describe('the manifest search stops where a user would expect', () => {
  const root = mkdtempSync(join(tmpdir(), 'floe-ceiling-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  // root/floe.yaml belongs to someone else; the work happens in root/below/work
  writeFileSync(join(root, 'floe.yaml'), 'version: 1\n')
  const below = join(root, 'below')
  const work = join(below, 'work')
  mkdirSync(work, { recursive: true })

  it('never searches a FLOE_CEILING_DIRECTORIES entry or above it', () => {
    expect(findManifestPath({ cwd: work, env: {} })).toBe(join(root, 'floe.yaml'))
    for (const ceiling of [below, `/nowhere:${below}`, root])
      expect(() =>
        findManifestPath({ cwd: work, env: { FLOE_CEILING_DIRECTORIES: ceiling } }),
      ).toThrow(/no manifest found/)
    // a ceiling that is the working directory itself is still searched (like git)
    writeFileSync(join(work, 'floe.yml'), 'version: 1\n')
    expect(findManifestPath({ cwd: work, env: { FLOE_CEILING_DIRECTORIES: work } })).toBe(
      join(work, 'floe.yml'),
    )
    rmSync(join(work, 'floe.yml'))
    // relative entries are ignored, as git does
    expect(findManifestPath({ cwd: work, env: { FLOE_CEILING_DIRECTORIES: 'below' } })).toBe(
      join(root, 'floe.yaml'),
    )
  })

  it('stops at the home directory', () => {
    expect(() => findManifestPath({ cwd: work, env: { HOME: below } })).toThrow(/no manifest found/)
    writeFileSync(join(below, 'floe.yaml'), 'version: 1\n')
    expect(findManifestPath({ cwd: work, env: { HOME: below } })).toBe(join(below, 'floe.yaml'))
    rmSync(join(below, 'floe.yaml'))
  })
})

describe('documentation', () => {
  it('the manifest README example loads', async () => {
    const readme = readFileSync(
      join(import.meta.dirname, '..', 'src', 'manifest', 'README.md'),
      'utf8',
    )
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBeDefined()
    const m = await loadManifestFromString(block as string, {
      env: { VAULT_ADDR: 'https://vault:8200' },
    })
    expect(Object.keys(m.secrets)).toEqual(['kafka_password', 'snowflake'])
    expect(m.secrets.snowflake?.rotation?.restart).toEqual(['dagster-daemon'])
    expect(m.env.map((b) => b.name)).toContain('DBT_ENV_SECRET_SNOWFLAKE_PASSWORD')
  })
})

describe('secrets._config settings at the top level', () => {
  it('are an error naming the setting, its line and where it goes (not silently ignored)', async () => {
    const text = yaml`
default_provider: env
secrets:
  db:
    keys: [password]
    variables: { password: DB_PASSWORD }
concurrency: 4
`
    let error: unknown
    try {
      await loadManifestFromString(text, { file: 'floe.yaml', env: {}, catalog: testCatalog() })
    } catch (e) {
      error = e
    }
    expect((error as ConfigError).code).toBe('CONFIG')
    const message = (error as Error).message
    expect(message).toContain(
      'default_provider: a setting of secrets._config; at the top level it is not read (move it under secrets: _config:)',
    )
    expect(message).toContain('concurrency: a setting of secrets._config')
    expect(message).toMatch(/floe\.yaml:1:\d+: default_provider/)
    expect(message).toMatch(/floe\.yaml:6:\d+: concurrency/)
  })
})
