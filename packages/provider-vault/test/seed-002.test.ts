import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { testManifest } from '@floe/core/testing'
import {
  fetchAll,
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  parseSecretRef,
  type LeaseRefreshEvent,
  type LoadedManifest,
} from '@floe/core'
import { parseVaultPolicyHcl } from '@floe/testkit'
import { provider as envProvider } from '@floe/provider-env'
import { emitVaultPolicy, provider } from '../src/index.js'
import { settingsSchema } from '../src/validate.js'
import { silentLogger, startFixture, type Fixture } from './helpers.js'

/** The Vault examples of seed 002 (KV v2 + namespace, dynamic, _groups, retry + fallback). */
const SEED_002 = `
secrets:
  # KV v2 secrets engine
  kafka_credentials:
    provider: vault
    path: secret/data/production/kafka
    keys:
      - username
      - password
    vault:
      address: \${VAULT_ADDR}
      namespace: credit-card  # Enterprise only
    auth:
      method: kubernetes  # kubernetes, approle, token, aws
      role: flink-reader
    cache:
      enabled: true
      ttl: 5m
    renewal:
      enabled: true
      increment: 1h

  # Dynamic database credentials
  mongo_credentials:
    provider: vault
    path: database/creds/mongo-readonly
    type: dynamic
    vault:
      address: \${VAULT_ADDR}
    auth:
      method: kubernetes
      role: flink-reader
    lease:
      renewal_enabled: true
      min_renewal_seconds: \${MIN_RENEWAL:-60}
      increment_seconds: \${INCREMENT:-3600}

  _groups:
    kafka:
      provider: vault
      path: secret/data/production/kafka
      vault:
        address: \${VAULT_ADDR}
      auth:
        method: kubernetes
        role: flink-reader

  kafka_username:
    _group: kafka
    key: username

  kafka_password:
    _group: kafka
    key: password

  database_password:
    provider: vault
    path: secret/data/production/database
    vault:
      address: \${VAULT_ADDR}
    auth:
      method: kubernetes
      role: flink-reader
    retry:
      attempts: 3
      backoff: exponential
      initial_delay: 1s
      max_delay: 30s
    fallback:
      provider: env
      variable: DB_PASSWORD
`

let fixture: Fixture
let jwtPath: string

beforeEach(async () => {
  fixture = await startFixture({
    kubernetesRoles: { 'flink-reader': { jwt: 'sa.jwt.token', policies: ['floe'] } },
    databaseRoles: { 'mongo-readonly': { defaultTtlSeconds: 3600, maxTtlSeconds: 7200 } },
  })
  jwtPath = await fixture.file('sa-token', 'sa.jwt.token\n')
  fixture.vault.writeKv(
    'secret/production/kafka',
    { username: 'ns-user', password: 'ns-pass' },
    { namespace: 'credit-card' },
  )
  fixture.vault.writeKv('secret/production/kafka', {
    username: 'kafka-user',
    password: 'kafka-pass',
  })
  fixture.vault.writeKv('secret/production/database', { value: 'db-from-vault' })
})

afterEach(() => fixture.close())

async function setup(env: NodeJS.ProcessEnv = {}) {
  const fullEnv = { VAULT_ADDR: fixture.vault.url, DB_PASSWORD: 'db-from-env', ...env }
  const providerOptions = { vault: { auth: { jwt_path: jwtPath } } }
  const catalog = createProviderRegistry({ modules: [provider, envProvider], providerOptions })
  const manifest = await loadManifestFromString(SEED_002, { env: fullEnv, catalog })
  // the policy floe emits for this manifest is the only one the Kubernetes role gets
  fixture.vault.setPolicy('floe', emitVaultPolicy(manifest))
  return { manifest, catalog, env: fullEnv, providerOptions }
}

const ref = (text: string) => parseSecretRef(text)

describe('seed 002 Vault examples against the emulator', () => {
  it('KV v2 in a namespace, groups and dynamic credentials resolve with the emitted policy', async () => {
    const { manifest, catalog, env, providerOptions } = await setup()
    const resolver = createResolver({
      manifest,
      catalog,
      env,
      providerOptions,
      logger: silentLogger,
    })
    const refs = [
      ref('secret://kafka_credentials/username'),
      ref('secret://kafka_username'),
      ref('secret://kafka_password'),
      ref('secret://mongo_credentials/username'),
      ref('secret://mongo_credentials/password'),
    ]
    const report = await resolver.resolve(refs)
    expect(report.failures.map((f) => f.error.message)).toEqual([])
    expect(report.valueOf(refs[0]!)?.reveal()).toBe('ns-user')
    expect(report.valueOf(refs[1]!)?.reveal()).toBe('kafka-user')
    expect(report.valueOf(refs[2]!)?.reveal()).toBe('kafka-pass')
    const mongoUser = report.valueOf(refs[3]!)!.reveal()
    expect(mongoUser).toMatch(/^v-token-mongo-readonly-/)
    expect(fixture.vault.credentialValid(mongoUser)).toBe(true)
    // one Kubernetes login per connection: the namespaced one, and the shared default one
    expect(fixture.vault.logins()).toEqual({ kubernetes: 2 })
    // the group's two members are one Vault read
    expect(fixture.vault.calls.count('kv.read')).toBe(2)

    await resolver.dispose()
    expect(fixture.vault.credentialValid(mongoUser)).toBe(false)
  })

  it('the emitted policy is exact: other paths are denied', async () => {
    const { manifest } = await setup()
    const rules = parseVaultPolicyHcl(emitVaultPolicy(manifest))
    const paths = rules.map((r) => r.path)
    expect(paths).toContain('secret/data/production/kafka')
    expect(paths).toContain('database/creds/mongo-readonly')
    expect(paths).toContain('sys/leases/renew')
    expect(paths.some((p) => p.includes('*') || p.includes('+'))).toBe(false)
    fixture.vault.writeKv('secret/production/other', { x: 'y' })
    const registry = createProviderRegistry({
      modules: [provider],
      providerOptions: { vault: { auth: { jwt_path: jwtPath } } },
    })
    const owner = createResolver({ manifest: testManifest({}), catalog: registry })
    const vault = await owner.providerFor('vault')
    const ctx = { env: { VAULT_ADDR: fixture.vault.url }, cwd: process.cwd(), logger: silentLogger }
    const auth = { method: 'kubernetes', role: 'flink-reader' }
    const [outcome] = await fetchAll(
      vault,
      [{ secret: 'other', config: { path: 'secret/data/production/other', auth } }],
      ctx,
    )
    expect(outcome?.ok ? 'ok' : outcome?.error.code).toBe('FORBIDDEN')
    await owner.dispose()
  })

  it('retries a sealed Vault, then falls back to the env variable', async () => {
    const { manifest, catalog, env, providerOptions } = await setup()
    fixture.vault.faults.add({ operation: 'kv.read', kind: 'error', status: 503 })
    const resolver = createResolver({
      manifest,
      catalog,
      env,
      providerOptions,
      logger: silentLogger,
      sleep: async () => undefined,
    })
    const report = await resolver.resolve([ref('secret://database_password')])
    expect(report.failures).toEqual([])
    expect(report.valueOf(ref('secret://database_password'))?.reveal()).toBe('db-from-env')
    expect(fixture.vault.calls.count('kv.read')).toBe(3)
    await resolver.dispose()
  })

  it('a dynamic credential is renewed before expiry, re-issued at max TTL and revoked on dispose', async () => {
    fixture.vault.addDatabaseRole('mongo-readonly', { defaultTtlSeconds: 2, maxTtlSeconds: 4 })
    const { manifest, catalog, env, providerOptions } = await setup({
      MIN_RENEWAL: '1',
      INCREMENT: '2',
    })
    const events: LeaseRefreshEvent[] = []
    const resolver = createResolver({
      manifest,
      catalog,
      env,
      providerOptions,
      logger: silentLogger,
      mode: 'long-running',
      onLeaseRefresh: (event) => events.push(event),
    })
    const user = ref('secret://mongo_credentials/username')
    const first = (await resolver.resolve([user])).valueOf(user)!.reveal()
    await vi.waitFor(() => expect(events.map((e) => e.kind)).toContain('refetched'), {
      timeout: 15_000,
      interval: 100,
    })
    const kinds = events.map((e) => e.kind)
    expect(kinds.indexOf('renewed')).toBeGreaterThanOrEqual(0)
    expect(kinds.indexOf('renewed')).toBeLessThan(kinds.indexOf('refetched'))
    // renewals happened while the first credential was still valid
    const firstLease = fixture.vault.leases().find((l) => l.username === first)!
    expect(firstLease.renewals).toBeGreaterThanOrEqual(1)
    await vi.waitFor(() => expect(fixture.vault.credentialValid(first)).toBe(false), {
      timeout: 5000,
    })
    expect(
      firstLease.revoked || fixture.vault.leases().find((l) => l.username === first)!.revoked,
    ).toBe(true)

    const second = (await resolver.resolve([user])).valueOf(user)!.reveal()
    expect(second).not.toBe(first)
    expect(fixture.vault.credentialValid(second)).toBe(true)
    await resolver.dispose()
    expect(fixture.vault.credentialValid(second)).toBe(false)
    expect(fixture.vault.leases().every((l) => l.revoked)).toBe(true)
  })
})

describe('loading', () => {
  it('rejects unknown vault fields with the provider schema', async () => {
    const catalog = createProviderRegistry({ modules: [provider] })
    await expect(
      loadManifestFromString(
        'secrets:\n  x:\n    provider: vault\n    path: secret/data/x\n    vault_addr: http://nope\n',
        { env: {}, catalog },
      ),
    ).rejects.toThrow(/vault_addr/)
  })

  it('a vault secret without `path:` (seed 002 "Provider unavailable") fails at its line, saying what to add', async () => {
    const catalog = createProviderRegistry({ modules: [provider, envProvider] })
    const text = [
      'secrets:',
      '  api_key:',
      '    provider: vault',
      '    fallback: { provider: env, variable: API_KEY }',
      '',
    ].join('\n')
    const error = await loadManifestFromString(text, { env: {}, catalog, file: 'floe.yaml' }).then(
      () => undefined,
      (e: unknown) => e as { located: string },
    )
    expect(error?.located).toBe(
      'floe.yaml:3:5: secrets.api_key.path: a vault secret needs `path:` to say where it lives (e.g. path: secret/data/production/kafka)',
    )
  })

  it('list and check still take connection settings without a path', () => {
    expect(settingsSchema.safeParse({ vault: { address: 'http://127.0.0.1:8200' } }).success).toBe(
      true,
    )
    expect(
      provider.configSchema.safeParse({ vault: { address: 'http://127.0.0.1:8200' } }).success,
    ).toBe(false)
  })

  it('keeps the manifest type', async () => {
    const { manifest } = await setup()
    const m: LoadedManifest = manifest
    expect(m.secrets.mongo_credentials?.kind).toBe('dynamic')
  })
})
