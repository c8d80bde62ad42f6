import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fetchAll } from '@floe/core'
import type { FetchOutcome } from '@floe/core'
import { provider, type VaultProvider } from '../src/index.js'
import { context, startFixture, type Fixture } from './helpers.js'

/** Seed 004 (platform ADR): Vault policy for floe and the Kubernetes auth role, verbatim. */
const ADR_POLICY = `
# Vault policy for floe
path "floe/*" { capabilities = ["read", "list"]}
path "database/creds/snowflake-dbt" { capabilities = ["read"]}
`

let fixture: Fixture
let vault: VaultProvider

beforeEach(async () => {
  fixture = await startFixture({
    mounts: {
      floe: { type: 'kv', version: 2 },
      database: { type: 'database' },
    },
    policies: { floe: ADR_POLICY },
    // vault_kubernetes_auth_backend_role "floe_runtime": token_policies ["floe"], token_ttl 3600
    kubernetesRoles: {
      floe: { jwt: 'floe-job-runner.jwt', policies: ['floe'], tokenTtlSeconds: 3600 },
    },
    databaseRoles: {
      'snowflake-dbt': { defaultTtlSeconds: 3600, maxTtlSeconds: 86400 },
      'snowflake-admin': { defaultTtlSeconds: 3600, maxTtlSeconds: 86400 },
    },
  })
  fixture.vault.writeKv('floe/floe-jobs/snowflake-credentials', {
    SNOWFLAKE_ACCOUNT: 'xxx.us-east-1',
    SNOWFLAKE_USER: 'dbt_user',
    SNOWFLAKE_PASSWORD: 'pw',
  })
  const jwtPath = await fixture.file('token', 'floe-job-runner.jwt')
  vault = provider.create({
    client: fixture.client,
    auth: { method: 'kubernetes', role: 'floe', jwt_path: jwtPath },
  }) as VaultProvider
})

afterEach(async () => {
  await vault.dispose()
  await fixture.close()
})

const code = (o: FetchOutcome | undefined) => (o?.ok ? 'ok' : o?.error.code)

describe('seed 004: the ADR Vault backend', () => {
  it('reads floe/<namespace>/<name> from KV v2 and dynamic snowflake-dbt credentials', async () => {
    const outcomes = await fetchAll(
      vault,
      [
        {
          secret: 'snowflake-credentials',
          config: { path: 'floe/data/floe-jobs/snowflake-credentials' },
        },
        { secret: 'snowflake-dbt', config: { path: 'database/creds/snowflake-dbt' } },
        { secret: 'snowflake-admin', config: { path: 'database/creds/snowflake-admin' } },
      ],
      context(),
    )
    expect(outcomes.map(code)).toEqual(['ok', 'ok', 'FORBIDDEN'])
    const creds = outcomes[0]!.ok ? outcomes[0]!.secret : undefined
    expect(Object.keys(creds?.keys ?? {}).sort()).toEqual([
      'SNOWFLAKE_ACCOUNT',
      'SNOWFLAKE_PASSWORD',
      'SNOWFLAKE_USER',
    ])
    const dynamic = outcomes[1]!.ok ? outcomes[1]!.secret : undefined
    expect(dynamic?.lease?.ttlSeconds).toBe(3600)
    expect(fixture.vault.logins()).toEqual({ kubernetes: 1 })
  })

  it('the ADR policy lets floe list names, but not renew or revoke its leases', async () => {
    const names: string[] = []
    for await (const l of vault.list({ config: { mount: 'floe' } }, context())) names.push(l.name)
    expect(names).toEqual(['floe-jobs/snowflake-credentials'])
    const [outcome] = await fetchAll(
      vault,
      [{ secret: 'snowflake-dbt', config: { path: 'database/creds/snowflake-dbt' } }],
      context(),
    )
    const lease = outcome?.ok ? outcome.secret.lease : undefined
    // "Revocation on job failure" needs sys/leases/revoke: the ADR policy lacks it, the emitted one has it
    await expect(vault.revoke(lease!, context())).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})
