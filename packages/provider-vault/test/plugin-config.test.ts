import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  parseSecretRef,
} from '@floe/core'
import { provider } from '../src/index.js'
import { withPathPrefix } from '../src/plugin-config.js'
import { startFixture, type Fixture } from './helpers.js'

/**
 * Seed 004's `plugins.secrets.config` (type: vault) configures the CLI's own connection, with
 * the precedence: the secret's `vault:`/`auth:` > the environment > the plugin block. Driven
 * through the manifest loader and the resolver, with node-vault over a socket to the emulator.
 */
let fixture: Fixture
let jwtPath: string
/** nothing listens on the discard port of 127.0.0.1: a connection there is refused */
const DEAD = 'http://127.0.0.1:9'

beforeAll(async () => {
  fixture = await startFixture({
    kubernetesRoles: { floe: { jwt: 'sa.jwt', policies: ['floe-read'] } },
  })
  fixture.vault.setPolicy('floe-read', 'path "secret/data/floe/*" { capabilities = ["read"] }')
  fixture.vault.writeKv('secret/floe/snowflake', { account: 'acct-1' })
  jwtPath = await fixture.file('sa-token', 'sa.jwt\n')
})
afterAll(() => fixture?.close())

const manifestText = (address: string, role = 'floe', secret = '    path: snowflake') => `
plugins:
  secrets:
    type: vault
    config:
      address: ${address}
      auth_method: kubernetes
      role: ${role}
      mount_path: kubernetes
      secret_path_prefix: secret/floe
secrets:
  snowflake:
    provider: vault
${secret}
`

async function resolveAccount(text: string, env: NodeJS.ProcessEnv): Promise<string> {
  // jwt_path only: the service-account token file of this test (not part of the plugin block)
  const catalog = createProviderRegistry({
    modules: [provider],
    providerOptions: { vault: { auth: { jwt_path: jwtPath }, timeoutMs: 2_000 } },
  })
  const manifest = await loadManifestFromString(text, { env, catalog })
  const resolver = createResolver({ manifest, catalog, env })
  try {
    const report = await resolver.resolve([parseSecretRef('secret://snowflake/account')])
    const failure = report.failures[0]
    if (failure) throw failure.error
    return [...report.values.values()][0]!.reveal()
  } finally {
    await resolver.dispose()
  }
}

describe('plugins.secrets.config (type: vault) configures the Vault connection', () => {
  it('alone: its address, kubernetes auth with its role and mount, and a path under its prefix', async () => {
    // no VAULT_ADDR, no VAULT_TOKEN: every connection setting comes from the plugin block
    expect(await resolveAccount(manifestText(fixture.vault.url), {})).toBe('acct-1')
  })

  it('the environment outranks it: VAULT_ADDR over its address, VAULT_TOKEN over its auth_method', async () => {
    // the plugin's address is dead and its role does not exist: only the environment works
    const env = { VAULT_ADDR: fixture.vault.url, VAULT_TOKEN: fixture.vault.rootToken }
    expect(await resolveAccount(manifestText(DEAD, 'no-such-role'), env)).toBe('acct-1')
  })

  it("the secret's vault: section outranks the environment", async () => {
    const secret = `    path: snowflake\n    vault: { address: "${fixture.vault.url}" }`
    expect(await resolveAccount(manifestText(DEAD, 'floe', secret), { VAULT_ADDR: DEAD })).toBe(
      'acct-1',
    )
  })

  it('with no address anywhere, the error names all three places', async () => {
    const text = 'secrets:\n  snowflake: { provider: vault, path: secret/data/floe/snowflake }\n'
    await expect(resolveAccount(text, {})).rejects.toThrow(
      'no Vault address: set vault.address on the secret, VAULT_ADDR, or plugins.secrets.config.address (with plugins.secrets.type: vault)',
    )
  })
})

describe('secret_path_prefix', () => {
  it('places relative paths under the prefix (KV v2) and leaves paths that say where they live', () => {
    expect(withPathPrefix({ path: 'snowflake' }, 'secret/floe')).toEqual({
      path: 'secret/floe/snowflake',
      mount: 'secret',
      kv_version: 2,
    })
    expect(withPathPrefix({ path: 'snowflake' }, 'floe/')).toEqual({
      path: 'floe/snowflake',
      mount: 'floe',
      kv_version: 2,
    })
    for (const kept of [
      { path: 'secret/data/production/kafka' },
      { path: 'database/creds/mongo-readonly' },
      { path: 'apps/api', mount: 'team/secrets' },
      { path: 'kv/team/app', kv_version: 1 as const },
      { path: 'secret/floe/snowflake' },
    ])
      expect(withPathPrefix(kept, 'secret/floe')).toEqual(kept)
    expect(withPathPrefix({ path: 'snowflake' }, undefined)).toEqual({ path: 'snowflake' })
  })
})
