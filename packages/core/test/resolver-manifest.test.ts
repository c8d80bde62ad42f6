import { describe, expect, it } from 'vitest'
import {
  createProviderRegistry,
  createResolver,
  findDualSecrets,
  loadManifestFromString,
  parseSecretRef,
  resolveDualSecret,
} from '@floe/core'
import { createMemoryProvider, memoryProviderModule } from '@floe/core/testing'

// Seed 002 "Error Handling", "Provider Unavailable" and "Dual-Secret Pattern", loaded by the
// real manifest loader and resolved against memory providers standing in for vault and env.
const yaml = `
secrets:
  database_password:
    provider: vault
    path: secret/data/database/password
    retry:
      attempts: 3
      backoff: exponential
      initial_delay: 1s
      max_delay: 30s
    fallback:
      provider: env
      variable: DB_PASSWORD
  optional_api_key:
    provider: vault
    path: secret/data/optional/api-key
    on_missing:
      action: default
      default_value: ""
  required_password:
    provider: vault
    path: secret/data/required/password
    on_missing:
      action: fail
      message: "Required secret not found: database password"
  database_primary:
    provider: vault
    path: secret/data/database/primary
  database_secondary:
    provider: vault
    path: secret/data/database/secondary
  _groups:
    kafka:
      provider: vault
      path: secret/data/production/kafka
  kafka_username:
    _group: kafka
    key: username
  kafka_password:
    _group: kafka
    key: password
  mongo_connection:
    provider: env
    variable: MONGO_URI
    default: mongodb://localhost:27017/credit_card

lookups:
  database:
    type: postgresql
    auth:
      primary: secret://database_primary
      secondary: secret://database_secondary
      fallback_enabled: true
`

async function setup() {
  const manifest = await loadManifestFromString(yaml, { env: {} })
  const vault = createMemoryProvider({
    name: 'vault',
    data: {
      'secret/data/database/password': 'vault-db-pw',
      'secret/data/database/secondary': 'secondary-pw',
      'secret/data/production/kafka': { username: 'kafka-user', password: 'kafka-pw' },
    },
  })
  const env = createMemoryProvider({ name: 'env', data: { DB_PASSWORD: 'env-db-pw' } })
  const sleeps: number[] = []
  const resolver = createResolver({
    manifest,
    catalog: createProviderRegistry({
      modules: [memoryProviderModule(vault), memoryProviderModule(env)],
    }),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
  })
  return { manifest, vault, env, resolver, sleeps }
}

const ref = parseSecretRef

describe('resolving a loaded seed-002 manifest', () => {
  it('retries with the manifest retry policy, then falls back to env', async () => {
    const { vault, env, resolver, sleeps } = await setup()
    vault.failNext('unavailable', 3)
    const report = await resolver.resolve([ref('secret://database_password')])
    expect(report.valueOf(ref('secret://database_password'))?.reveal()).toBe('env-db-pw')
    expect(vault.calls.fetch).toBe(3)
    expect(sleeps).toEqual([1000, 2000])
    expect(env.fetched).toEqual(['DB_PASSWORD'])
  })

  it('applies on_missing default/fail and the env default', async () => {
    const { resolver } = await setup()
    const report = await resolver.resolve(
      ['optional_api_key', 'required_password', 'mongo_connection'].map((n) =>
        ref(`secret://${n}`),
      ),
    )
    expect(report.valueOf(ref('secret://optional_api_key'))?.reveal()).toBe('')
    expect(report.valueOf(ref('secret://mongo_connection'))?.reveal()).toBe(
      'mongodb://localhost:27017/credit_card',
    )
    expect(report.failures.map((f) => f.error.message)).toEqual([
      '[vault] Required secret not found: database password',
    ])
  })

  it('resolves `_group` members to their `key:`', async () => {
    const { vault, resolver } = await setup()
    const report = await resolver.resolve([
      ref('secret://kafka_username'),
      ref('secret://kafka_password'),
    ])
    expect(report.valueOf(ref('secret://kafka_username'))?.reveal()).toBe('kafka-user')
    expect(report.valueOf(ref('secret://kafka_password'))?.reveal()).toBe('kafka-pw')
    // Fetches are per manifest secret: the two group members are fetched once each.
    expect(vault.fetched).toEqual(['secret/data/production/kafka', 'secret/data/production/kafka'])
  })

  it('honours the dual-secret pattern found in the manifest', async () => {
    const { manifest, resolver } = await setup()
    const [dual] = findDualSecrets(manifest)
    expect(dual?.fallbackEnabled).toBe(true)
    const result = await resolveDualSecret(resolver, dual!)
    expect(result).toMatchObject({ used: 'secondary' })
    expect(result.value.reveal()).toBe('secondary-pw')
  })
})
