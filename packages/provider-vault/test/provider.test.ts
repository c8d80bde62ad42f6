import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createProviderRegistry,
  createResolver,
  fetchAll,
  parseSecretRef,
  SecretValue,
  isFloeError,
  type FetchOutcome,
  type FetchedSecret,
} from '@floe/core'
import { testManifest } from '@floe/core/testing'
import { startVaultEmulator, testCertificate } from '@floe/testkit'
import { provider, type VaultProvider } from '../src/index.js'
import { context, recordingLogger, startFixture, type Fixture } from './helpers.js'

let fixture: Fixture
const instances: VaultProvider[] = []

function create(options: Parameters<typeof provider.create>[0] = {}): VaultProvider {
  const instance = provider.create({ client: fixture.client, ...options }) as VaultProvider
  instances.push(instance)
  return instance
}

function found(outcome: FetchOutcome | undefined): FetchedSecret {
  if (!outcome?.ok)
    throw new Error(`expected a secret, got ${outcome?.error.code}: ${outcome?.error.message}`)
  return outcome.secret
}

function failed(outcome: FetchOutcome | undefined) {
  if (!outcome || outcome.ok) throw new Error('expected a failure')
  return outcome.error
}

beforeEach(async () => {
  fixture = await startFixture({
    policies: {
      prod: [
        { path: 'secret/data/production/*', capabilities: ['read', 'create', 'update'] },
        { path: 'secret/metadata/production/*', capabilities: ['read', 'list'] },
        { path: 'database/creds/mongo-readonly', capabilities: ['read'] },
        { path: 'database/roles/mongo-readonly', capabilities: ['read'] },
        { path: 'sys/leases/renew', capabilities: ['update'] },
        { path: 'sys/leases/revoke', capabilities: ['update'] },
      ],
    },
    approles: { etl: { roleId: 'etl-role', secretId: 'etl-secret', policies: ['prod'] } },
    kubernetesRoles: {
      'flink-reader': { jwt: 'header.payload.signature', policies: ['prod'], mount: 'k8s-prod' },
    },
    awsRoles: {
      batch: { policies: ['prod'], serverId: 'vault.example.com', accessKeyId: 'AKIAFLOE' },
    },
    databaseRoles: { 'mongo-readonly': { defaultTtlSeconds: 60, maxTtlSeconds: 300 } },
  })
  fixture.vault.writeKv('secret/production/kafka', {
    username: 'kafka-user',
    password: 'kafka-pass',
    port: 9092,
  })
})

afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.dispose()))
  await fixture.close()
})

const approle = { method: 'approle' as const, role_id: 'etl-role', secret_id: 'etl-secret' }

describe('KV reads', () => {
  it('reads KV v2 with keys, key selection, versions and non-string values', async () => {
    fixture.vault.writeKv('secret/production/kafka', {
      username: 'kafka-user',
      password: 'rotated',
      port: 9092,
    })
    const vault = create({ token: fixture.vault.rootToken })
    const [all, oneKey, declared, v1] = await fetchAll(
      vault,
      [
        { secret: 'kafka', config: { path: 'secret/data/production/kafka' } },
        {
          secret: 'kafka_password',
          config: { path: 'secret/data/production/kafka', key: 'password' },
        },
        {
          secret: 'kafka_creds',
          config: { path: 'secret/data/production/kafka', keys: ['username', 'password'] },
        },
        { secret: 'kafka', config: { path: 'secret/data/production/kafka' }, version: '1' },
      ],
      context(),
    )
    const latest = found(all)
    expect(latest.version).toBe('2')
    expect(latest.keys?.port?.reveal()).toBe('9092')
    expect(found(oneKey).value.reveal()).toBe('rotated')
    expect(Object.keys(found(declared).keys ?? {})).toEqual(['username', 'password'])
    expect(found(v1).keys?.password?.reveal()).toBe('kafka-pass')
  })

  it('reports a declared key the secret lacks as NOT_FOUND naming only key names', async () => {
    const vault = create({ token: fixture.vault.rootToken })
    const [outcome] = await fetchAll(
      vault,
      [
        {
          secret: 'kafka',
          config: { path: 'secret/data/production/kafka', keys: ['username', 'sasl_jaas'] },
        },
      ],
      context(),
    )
    const error = failed(outcome)
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('sasl_jaas')
    expect(error.message).not.toContain('kafka-pass')
  })

  it('reads KV v1, custom KV v2 mounts and namespaces', async () => {
    fixture.vault.writeKv('kv/team/app', { token: 'v1-token' })
    fixture.vault.mount('team/secrets', { type: 'kv', version: 2 })
    fixture.vault.writeKv('team/secrets/app', { token: 'custom-mount' })
    fixture.vault.writeKv(
      'secret/production/kafka',
      { username: 'in-namespace' },
      { namespace: 'credit-card' },
    )
    const vault = create({ token: fixture.vault.rootToken })
    const outcomes = await fetchAll(
      vault,
      [
        { secret: 'v1', config: { path: 'kv/team/app' } },
        { secret: 'custom', config: { path: 'app', mount: 'team/secrets' } },
        {
          secret: 'ns',
          config: { path: 'secret/data/production/kafka', vault: { namespace: 'credit-card' } },
        },
      ],
      context(),
    )
    expect(found(outcomes[0]).keys?.token?.reveal()).toBe('v1-token')
    expect(found(outcomes[0]).version).toBeUndefined()
    expect(found(outcomes[1]).keys?.token?.reveal()).toBe('custom-mount')
    expect(found(outcomes[2]).keys?.username?.reveal()).toBe('in-namespace')
    expect(fixture.vault.calls.records.some((r) => r.detail?.namespace === 'credit-card')).toBe(
      true,
    )
  })

  it('rejects versions on KV v1 and malformed versions without calling Vault', async () => {
    const vault = create({ token: fixture.vault.rootToken })
    await fetchAll(
      vault,
      [{ secret: 'warm', config: { path: 'secret/data/production/kafka' } }],
      context(),
    )
    const before = fixture.vault.calls.count('kv.read')
    const [v1, bad] = await fetchAll(
      vault,
      [
        { secret: 'v1', config: { path: 'kv/team/app' }, version: '2' },
        { secret: 'bad', config: { path: 'secret/data/production/kafka' }, version: 'latest' },
      ],
      context(),
    )
    expect(failed(v1).code).toBe('INVALID')
    expect(failed(bad).code).toBe('INVALID')
    expect(fixture.vault.calls.count('kv.read')).toBe(before)
  })
})

describe('error classification', () => {
  it('never masks 403 as not found, whether or not the path exists', async () => {
    fixture.vault.writeKv('secret/staging/kafka', { username: 'staging-user' })
    const vault = create({ auth: approle })
    const outcomes = await fetchAll(
      vault,
      [
        { secret: 'staging', config: { path: 'secret/data/staging/kafka' } },
        { secret: 'absent', config: { path: 'secret/data/staging/absent' } },
        { secret: 'prod-absent', config: { path: 'secret/data/production/absent' } },
      ],
      context(),
    )
    expect(failed(outcomes[0]).code).toBe('FORBIDDEN')
    expect(failed(outcomes[0]).transient).toBe(false)
    expect(failed(outcomes[1]).code).toBe('FORBIDDEN')
    expect(failed(outcomes[2]).code).toBe('NOT_FOUND')
    await expect(
      vault.describe(
        { secret: 'staging', config: { path: 'secret/data/staging/kafka' } },
        context(),
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('reports a rejected login as FORBIDDEN, never NOT_FOUND', async () => {
    const vault = create({ auth: { method: 'approle', role_id: 'etl-role', secret_id: 'wrong' } })
    const [outcome] = await fetchAll(
      vault,
      [{ secret: 'kafka', config: { path: 'secret/data/production/kafka' } }],
      context(),
    )
    expect(failed(outcome).code).toBe('FORBIDDEN')
    expect(failed(outcome).message).not.toContain('wrong')
  })

  it('classifies refused connections, sealed Vault and throttling as UNAVAILABLE', async () => {
    const refused = provider.create({ address: 'http://127.0.0.1:1', token: 'x', timeoutMs: 2000 })
    instances.push(refused as VaultProvider)
    const [down] = await fetchAll(
      refused,
      [{ secret: 'a', config: { path: 'secret/data/a' } }],
      context(),
    )
    expect(failed(down).code).toBe('UNAVAILABLE')
    expect(failed(down).transient).toBe(true)

    const vault = create({ token: fixture.vault.rootToken })
    await fetchAll(
      vault,
      [{ secret: 'warm', config: { path: 'secret/data/production/kafka' } }],
      context(),
    )
    fixture.vault.faults.add({ operation: 'kv.read', kind: 'error', status: 503, times: 1 })
    fixture.vault.faults.add({ operation: 'kv.read', kind: 'throttle', times: 1 })
    const req = { secret: 'kafka', config: { path: 'secret/data/production/kafka' } }
    expect(failed((await fetchAll(vault, [req], context()))[0]).code).toBe('UNAVAILABLE')
    expect(failed((await fetchAll(vault, [req], context()))[0]).code).toBe('UNAVAILABLE')
    expect(found((await fetchAll(vault, [req], context()))[0]).keys?.username?.reveal()).toBe(
      'kafka-user',
    )
  })
})

describe('writes with check-and-set', () => {
  it('concurrent rotations: one wins, the other gets CONFLICT, a retry succeeds, nothing is lost', async () => {
    const vault = create({ token: fixture.vault.rootToken })
    const config = { path: 'secret/data/production/kafka', key: 'password' }
    const ctx = context()
    const meta = await vault.describe({ secret: 'kafka_password', config }, ctx)
    const seen = meta.version!
    const results = await Promise.allSettled(
      ['from-a', 'from-b'].map((v) =>
        vault.put(
          {
            secret: 'kafka_password',
            config,
            data: new SecretValue(v, 'x'),
            expectedVersion: seen,
          },
          ctx,
        ),
      ),
    )
    const wins = results.filter((r) => r.status === 'fulfilled')
    const losses = results.filter((r) => r.status === 'rejected')
    expect(wins).toHaveLength(1)
    expect(losses).toHaveLength(1)
    const conflict = (losses[0] as PromiseRejectedResult).reason as unknown
    expect(isFloeError(conflict, 'CONFLICT')).toBe(true)

    const loserValue = results[0]!.status === 'rejected' ? 'from-a' : 'from-b'
    const fresh = await vault.describe({ secret: 'kafka_password', config }, ctx)
    const retried = await vault.put(
      {
        secret: 'kafka_password',
        config,
        data: new SecretValue(loserValue, 'x'),
        expectedVersion: fresh.version!,
      },
      ctx,
    )
    expect(retried).toMatchObject({ created: false, previousVersion: fresh.version })
    // merged into the version it compared against: other keys survive every rotation
    expect(fixture.vault.readKv('secret/production/kafka')).toEqual({
      username: 'kafka-user',
      password: loserValue,
      port: '9092',
    })
    expect(Number(retried.version)).toBe(Number(seen) + 2)
  })

  it('createOnly conflicts with an existing secret; a write without expectedVersion still uses CAS', async () => {
    const vault = create({ token: fixture.vault.rootToken })
    const ctx = context()
    await expect(
      vault.put(
        {
          secret: 'kafka',
          config: { path: 'secret/data/production/kafka' },
          data: { username: new SecretValue('x', 'x') },
          createOnly: true,
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    const before = fixture.vault.calls.records.length
    const result = await vault.put(
      {
        secret: 'new',
        config: { path: 'secret/data/production/new' },
        data: { a: new SecretValue('1', 'a') },
      },
      ctx,
    )
    expect(result).toEqual({ version: '1', created: true })
    // the current version is read first and the write compares against it
    expect(fixture.vault.calls.records.slice(before).map((r) => r.operation)).toEqual([
      'kv.metadata',
      'kv.write',
    ])
  })

  it('refuses compare-and-set on KV v1 instead of overwriting blindly', async () => {
    fixture.vault.writeKv('kv/team/app', { token: 't' })
    const vault = create({ token: fixture.vault.rootToken })
    await expect(
      vault.put(
        {
          secret: 'app',
          config: { path: 'kv/team/app' },
          data: new SecretValue('n', 'n'),
          expectedVersion: '1',
        },
        context(),
      ),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' })
    expect(fixture.vault.readKv('kv/team/app')).toEqual({ token: 't' })
  })
})

describe('authentication', () => {
  it('approle from env or files; one login shared by every secret of the connection (groups)', async () => {
    const roleFile = await fixture.file('role-id', 'etl-role\n')
    const secretFile = await fixture.file('secret-id', 'etl-secret\n')
    const vault = create()
    const ctx = context({ VAULT_ROLE_ID: 'etl-role', VAULT_SECRET_ID: 'etl-secret' })
    const group = { path: 'secret/data/production/kafka', auth: { method: 'approle' } }
    const outcomes = await fetchAll(
      vault,
      [
        { secret: 'kafka_username', config: { ...group, key: 'username' } },
        { secret: 'kafka_password', config: { ...group, key: 'password' } },
      ],
      ctx,
    )
    expect(found(outcomes[0]).value.reveal()).toBe('kafka-user')
    expect(found(outcomes[1]).value.reveal()).toBe('kafka-pass')
    expect(fixture.vault.logins()).toEqual({ approle: 1 })

    const fromFiles = await fetchAll(
      vault,
      [
        {
          secret: 'k',
          config: {
            path: 'secret/data/production/kafka',
            auth: { method: 'approle', role_id_file: roleFile, secret_id_file: secretFile },
          },
        },
      ],
      context(),
    )
    expect(found(fromFiles[0]).keys?.username?.reveal()).toBe('kafka-user')
    expect(fixture.vault.logins()).toEqual({ approle: 2 })
  })

  it('kubernetes login with the service-account JWT file and a custom mount', async () => {
    const jwt = await fixture.file('token', 'header.payload.signature\n')
    const wrongJwt = await fixture.file('wrong', 'other.jwt.value')
    const vault = create()
    const auth = {
      method: 'kubernetes',
      role: 'flink-reader',
      mount_path: 'k8s-prod',
      jwt_path: jwt,
    }
    const [ok] = await fetchAll(
      vault,
      [{ secret: 'kafka', config: { path: 'secret/data/production/kafka', auth } }],
      context(),
    )
    expect(found(ok).keys?.username?.reveal()).toBe('kafka-user')
    const [denied] = await fetchAll(
      vault,
      [
        {
          secret: 'kafka',
          config: { path: 'secret/data/production/kafka', auth: { ...auth, jwt_path: wrongJwt } },
        },
      ],
      context(),
    )
    expect(failed(denied).code).toBe('FORBIDDEN')
    const [noFile] = await fetchAll(
      vault,
      [
        {
          secret: 'kafka',
          config: {
            path: 'secret/data/production/kafka',
            auth: { ...auth, jwt_path: `${fixture.dir}/absent` },
          },
        },
      ],
      context(),
    )
    expect(failed(noFile).code).toBe('CONFIG')
  })

  it('aws IAM login signs GetCallerIdentity with the environment credentials', async () => {
    const vault = create()
    const auth = { method: 'aws', role: 'batch', header_value: 'vault.example.com' }
    const env = { AWS_ACCESS_KEY_ID: 'AKIAFLOE', AWS_SECRET_ACCESS_KEY: 'not-a-real-key' }
    const [ok] = await fetchAll(
      vault,
      [{ secret: 'kafka', config: { path: 'secret/data/production/kafka', auth } }],
      context(env),
    )
    expect(found(ok).keys?.username?.reveal()).toBe('kafka-user')
    expect(fixture.vault.logins()).toEqual({ aws: 1 })
    const [wrongKey] = await fetchAll(
      create(),
      [{ secret: 'kafka', config: { path: 'secret/data/production/kafka', auth } }],
      context({ ...env, AWS_ACCESS_KEY_ID: 'AKIAOTHER' }),
    )
    expect(failed(wrongKey).code).toBe('FORBIDDEN')
  })

  it('token auth from a token file and from VAULT_TOKEN', async () => {
    const token = fixture.vault.createToken({ policies: ['prod'] })
    const tokenFile = await fixture.file('vault-token', `${token}\n`)
    const vault = create()
    const [fromFile] = await fetchAll(
      vault,
      [
        {
          secret: 'k',
          config: {
            path: 'secret/data/production/kafka',
            auth: { method: 'token', token_file: tokenFile },
          },
        },
      ],
      context(),
    )
    expect(found(fromFile).keys?.username?.reveal()).toBe('kafka-user')
    const [fromEnv] = await fetchAll(
      create(),
      [{ secret: 'k', config: { path: 'secret/data/production/kafka' } }],
      context({ VAULT_TOKEN: token, HOME: fixture.dir }),
    )
    expect(found(fromEnv).keys?.username?.reveal()).toBe('kafka-user')
    const [none] = await fetchAll(
      create(),
      [{ secret: 'k', config: { path: 'secret/data/production/kafka' } }],
      context({ HOME: fixture.dir }),
    )
    expect(failed(none).code).toBe('CONFIG')
  })

  it('an expired token triggers one re-login and the call is retried', async () => {
    const vault = create({ auth: approle })
    const req = { secret: 'kafka', config: { path: 'secret/data/production/kafka' } }
    found((await fetchAll(vault, [req], context()))[0])
    expect(fixture.vault.logins()).toEqual({ approle: 1 })
    // the server forgets the token behind the client's back
    expect(fixture.vault.expireTokens()).toBe(1)
    const [after] = await fetchAll(vault, [req], context())
    expect(found(after).keys?.username?.reveal()).toBe('kafka-user')
    expect(fixture.vault.logins()).toEqual({ approle: 2 })
  })

  it('renews its token at ~2/3 of the TTL and logs in again once the max TTL stops renewals', async () => {
    fixture.vault.addAppRole('short', {
      roleId: 'short-role',
      secretId: 's',
      policies: ['prod'],
      tokenTtlSeconds: 1,
      tokenMaxTtlSeconds: 2,
    })
    const vault = create({ auth: { method: 'approle', role_id: 'short-role', secret_id: 's' } })
    await fetchAll(
      vault,
      [{ secret: 'kafka', config: { path: 'secret/data/production/kafka' } }],
      context(),
    )
    await vi.waitFor(
      () => expect(fixture.vault.calls.count('token.renew-self')).toBeGreaterThanOrEqual(1),
      {
        timeout: 8000,
        interval: 100,
      },
    )
    await vi.waitFor(() => expect(fixture.vault.logins().approle).toBeGreaterThanOrEqual(2), {
      timeout: 8000,
      interval: 100,
    })
    const [still] = await fetchAll(
      vault,
      [{ secret: 'kafka', config: { path: 'secret/data/production/kafka' } }],
      context(),
    )
    expect(found(still).keys?.username?.reveal()).toBe('kafka-user')
  })
})

describe('dynamic secrets', () => {
  it('returns the lease, renews and revokes it through the issuing connection', async () => {
    const vault = create({ auth: approle })
    const ctx = context()
    const [outcome] = await fetchAll(
      vault,
      [{ secret: 'mongo', config: { path: 'database/creds/mongo-readonly' } }],
      ctx,
    )
    const secret = found(outcome)
    expect(secret.lease).toMatchObject({ ttlSeconds: 60, renewable: true })
    const username = secret.keys!.username!.reveal()
    expect(fixture.vault.credentialValid(username)).toBe(true)

    const renewed = await vault.renew(secret.lease!, ctx, 120)
    expect(renewed.id).toBe(secret.lease!.id)
    expect(renewed.ttlSeconds).toBeGreaterThan(60)
    expect(fixture.vault.leases()[0]!.renewals).toBe(1)

    const described = await vault.describe(
      { secret: 'mongo', config: { path: 'database/creds/mongo-readonly' } },
      ctx,
    )
    expect(described.lease).toMatchObject({ id: secret.lease!.id, ttlSeconds: renewed.ttlSeconds })

    await vault.revoke(renewed, ctx)
    expect(fixture.vault.credentialValid(username)).toBe(false)
    await expect(vault.renew(renewed, ctx)).rejects.toMatchObject({ code: 'INVALID' })
  })

  it('leaves leases to their owner: disposing the resolver revokes them, the provider does not', async () => {
    const manifest = testManifest({
      a: { provider: 'vault', kind: 'dynamic', fields: { path: 'database/creds/mongo-readonly' } },
      b: { provider: 'vault', kind: 'dynamic', fields: { path: 'database/creds/mongo-readonly' } },
    })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [provider] }),
      providerOptions: { vault: { client: fixture.client, auth: approle } },
      env: context().env,
    })
    const refs = [parseSecretRef('secret://a/username'), parseSecretRef('secret://b/username')]
    const report = await resolver.resolve(refs)
    expect(report.failures).toEqual([])
    const users = refs.map((r) => report.valueOf(r)!.reveal())
    expect(new Set(users).size).toBe(2)

    const direct = create({ auth: approle })
    const held = found(
      (
        await fetchAll(
          direct,
          [{ secret: 'c', config: { path: 'database/creds/mongo-readonly' } }],
          context(),
        )
      )[0],
    )
    await direct.dispose()
    expect(fixture.vault.credentialValid(held.keys!.username!.reveal())).toBe(true)

    await resolver.dispose()
    for (const user of users) expect(fixture.vault.credentialValid(user)).toBe(false)
  })
})

describe('describe, list and check', () => {
  it('describes KV v2 from metadata without reading the value', async () => {
    const vault = create({ auth: approle })
    const ctx = context()
    const reads = fixture.vault.calls.count('kv.read')
    const meta = await vault.describe(
      { secret: 'kafka', config: { path: 'secret/data/production/kafka' } },
      ctx,
    )
    expect(meta).toMatchObject({ exists: true, version: '1', type: 'kv-v2' })
    expect(meta.updatedAt).toBeInstanceOf(Date)
    expect(meta.keys).toBeUndefined()
    expect(fixture.vault.calls.count('kv.read')).toBe(reads)
    await expect(
      vault.describe({ secret: 'gone', config: { path: 'secret/data/production/gone' } }, ctx),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('describes dynamic roles without issuing a credential, and KV v1 by listing', async () => {
    fixture.vault.writeKv('kv/team/app', { token: 't' })
    const vault = create({ token: fixture.vault.rootToken })
    const dynamic = await vault.describe(
      { secret: 'mongo', config: { path: 'database/creds/mongo-readonly' } },
      context(),
    )
    expect(dynamic).toMatchObject({ exists: true, type: 'dynamic', status: { max_ttl: '300' } })
    expect(fixture.vault.leases()).toHaveLength(0)
    expect(
      await vault.describe({ secret: 'app', config: { path: 'kv/team/app' } }, context()),
    ).toMatchObject({
      exists: true,
    })
    await expect(
      vault.describe({ secret: 'x', config: { path: 'database/creds/nope' } }, context()),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('lists names recursively through metadata', async () => {
    fixture.vault.writeKv('secret/production/db/primary', { p: '1' })
    const vault = create({ token: fixture.vault.rootToken })
    const names: string[] = []
    for await (const l of vault.list(
      { prefix: 'production', config: { mount: 'secret' } },
      context(),
    )) {
      names.push(l.name)
    }
    expect(names.sort()).toEqual(['production/db/primary', 'production/kafka'])
    // connection settings from a definition (what `floe secrets list --remote` passes)
    const fromDefinition: string[] = []
    for await (const l of vault.list(
      {
        prefix: 'production/db',
        config: { path: 'secret/data/production/kafka', keys: ['username'] },
      },
      context(),
    )) {
      fromDefinition.push(l.name)
    }
    expect(fromDefinition).toEqual(['production/db/primary'])
    const fromDynamic: string[] = []
    for await (const l of vault.list(
      { prefix: 'production', config: { path: 'database/creds/mongo-readonly' } },
      context(),
    )) {
      fromDynamic.push(l.name)
    }
    expect(fromDynamic.sort()).toEqual(['production/db/primary', 'production/kafka'])
  })

  it('check() reports health and the token', async () => {
    const vault = create({ auth: approle })
    const ready = await vault.check(context(), {})
    expect(ready.status).toBe('ready')
    expect(ready.detail).toContain('approle')
    fixture.vault.faults.add({ operation: 'sys.health', kind: 'error', status: 503, times: 1 })
    expect((await vault.check(context(), {})).status).toBe('error')
  })
})

describe('TLS', () => {
  it('trusts vault.ca_cert; an untrusted certificate is a CONFIG error, not a retry', async () => {
    const tls = await startVaultEmulator({ tls: true })
    try {
      tls.writeKv('secret/app', { a: '1' })
      const ca = await fixture.file('ca.pem', testCertificate().ca)
      const request = (vault: Record<string, unknown>) => ({
        secret: 'app',
        config: { path: 'secret/data/app', vault: { address: tls.url, ...vault } },
      })
      const trusted = provider.create({ token: tls.rootToken }) as VaultProvider
      instances.push(trusted)
      const [ok] = await fetchAll(trusted, [request({ ca_cert: ca })], context())
      expect(found(ok).keys?.a?.reveal()).toBe('1')
      const [untrusted] = await fetchAll(trusted, [request({})], context())
      expect(failed(untrusted).code).toBe('CONFIG')
      const [skipped] = await fetchAll(trusted, [request({ tls_skip_verify: true })], context())
      expect(found(skipped).keys?.a?.reveal()).toBe('1')
    } finally {
      await tls.close()
    }
  })
})

describe('no secrets in errors or logs', () => {
  it('tokens, secret ids and values never appear in errors or log lines', async () => {
    const logger = recordingLogger()
    const ctx = { ...context(), logger }
    const vault = create({ auth: approle })
    const req = { secret: 'kafka', config: { path: 'secret/data/production/kafka' } }
    await fetchAll(vault, [req], ctx)
    fixture.vault.expireTokens()
    await fetchAll(vault, [req], ctx) // re-login path logs
    const denied = await fetchAll(
      vault,
      [{ secret: 'staging', config: { path: 'secret/data/staging/kafka' } }],
      ctx,
    )
    const bad = create({
      auth: { method: 'approle', role_id: 'etl-role', secret_id: 'etl-secret-typo' },
    })
    const rejected = await fetchAll(bad, [req], ctx)
    const text = [
      ...logger.lines,
      ...[...denied, ...rejected].map((o) => (o.ok ? '' : JSON.stringify(o.error) + o.error.stack)),
    ].join('\n')
    expect(logger.lines.some((l) => l.includes('logging in again'))).toBe(true)
    for (const needle of ['etl-secret', 'kafka-pass', 'hvs.']) {
      expect(text).not.toContain(needle)
    }
  })
})

describe('writes through a key selection', () => {
  it('a definition with keys: writes only its keys and keeps the others', async () => {
    const vault = create({ token: fixture.vault.rootToken })
    const config = { path: 'secret/data/production/kafka', keys: ['username', 'password'] }
    const put = await vault.put(
      {
        secret: 'kafka_credentials',
        config,
        data: { username: new SecretValue('u2', 'u'), password: new SecretValue('p2', 'p') },
        expectedVersion: '1',
      },
      context(),
    )
    expect(put).toMatchObject({ version: '2', previousVersion: '1', created: false })
    expect(fixture.vault.readKv('secret/production/kafka')).toEqual({
      username: 'u2',
      password: 'p2',
      port: '9092',
    })
    // a definition without a selection owns the whole secret: a map replaces it
    await vault.put(
      {
        secret: 'whole',
        config: { path: 'secret/data/production/kafka' },
        data: { only: new SecretValue('x', 'x') },
        expectedVersion: '2',
      },
      context(),
    )
    expect(fixture.vault.readKv('secret/production/kafka')).toEqual({ only: 'x' })
  })
})
