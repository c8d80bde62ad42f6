import { fetchAll, SecretValue, type FetchOutcome } from '@floe/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { configSchema, createAzureKeyVaultProvider, provider } from '../src/index.js'
import { startAzureFixture, testContext, tlsOptions, type AzureFixture } from './helpers.js'

let fx: AzureFixture
beforeAll(async () => {
  fx = await startAzureFixture()
})
afterAll(async () => {
  await fx.close()
})
beforeEach(() => fx.emulator.reset())

const ctx = testContext()
const cfg = (secret_name: string, extra: Record<string, unknown> = {}) => ({
  vault_url: fx.emulator.url,
  secret_name,
  ...extra,
})
const failed = (outcome: FetchOutcome | undefined) => {
  if (!outcome || outcome.ok) throw new Error('expected a failed outcome')
  return outcome.error
}
const make = () => createAzureKeyVaultProvider({ client: fx.sdk })

describe('configSchema', () => {
  it('accepts the seed 002 example (managed identity, service principal) and rejects malformed fields', () => {
    const base = {
      vault_url: 'https://my-vault.vault.azure.net',
      secret_name: 'storage-connection-string',
      version: 'latest',
    }
    expect(configSchema.safeParse({ ...base, auth: { type: 'managed_identity' } }).success).toBe(
      true,
    )
    expect(
      configSchema.safeParse({
        ...base,
        auth: { type: 'service_principal', tenant_id: 't', client_id: 'c', client_secret: 's' },
      }).success,
    ).toBe(true)
    expect(configSchema.safeParse({ ...base, auth: { type: 'cli' } }).success).toBe(true)
    expect(
      configSchema.safeParse({ ...base, vault_url: 'http://my-vault.vault.azure.net' }).success,
    ).toBe(false)
    expect(configSchema.safeParse({ ...base, secret_name: 'bad_name' }).success).toBe(false)
    expect(configSchema.safeParse({ ...base, version: '3' }).success).toBe(false)
    expect(
      configSchema.safeParse({ ...base, auth: { type: 'service_principal', tenant_id: 't' } })
        .success,
    ).toBe(false)
    expect(configSchema.safeParse({ ...base, region: 'westeurope' }).success).toBe(false)
    expect(provider.name).toBe('azure_key_vault')
  })
})

describe('azure_key_vault provider against the emulator', () => {
  it('fetches latest and by version id; JSON values expose keys', async () => {
    const v1 = fx.emulator.seed({ name: 'db', value: '{"user":"etl","password":"p1"}' })
    const v2 = fx.emulator.seed({ name: 'db', value: '{"user":"etl","password":"p2"}' })
    const [latest, first] = await fetchAll(
      make(),
      [
        { secret: 'db', config: cfg('db') },
        { secret: 'db', config: cfg('db', { version: v1 }) },
      ],
      ctx,
    )
    if (!latest?.ok || !first?.ok) throw new Error('fetch failed')
    expect(latest.secret.version).toBe(v2)
    expect(latest.secret.keys?.password?.reveal()).toBe('p2')
    expect(first.secret.keys?.password?.reveal()).toBe('p1')
  })

  it('a disabled secret is FORBIDDEN "is disabled"; an expired one is FORBIDDEN "expired" and its value is dropped', async () => {
    fx.emulator.seed({ name: 'off', value: 'x', enabled: false })
    fx.emulator.seed({
      name: 'old',
      value: 'expired-value',
      expiresOn: new Date(Date.now() - 3_600_000),
    })
    const [off, old] = await fetchAll(
      make(),
      [
        { secret: 'off', config: cfg('off') },
        { secret: 'old', config: cfg('old') },
      ],
      ctx,
    )
    expect(failed(off).code).toBe('FORBIDDEN')
    expect(failed(off).message).toMatch(/^\[azure_key_vault\] secret "off" .* is disabled$/)
    expect(failed(old).code).toBe('FORBIDDEN')
    expect(failed(old).message).toContain('is expired on')
    expect(failed(old).details).toEqual({ state: 'expired' })
    expect(JSON.stringify(failed(old))).not.toContain('expired-value')
  })

  it('describe lists version properties only (no GET of a value) and reports state', async () => {
    fx.emulator.seed({ name: 'meta', value: 'a' })
    const v2 = fx.emulator.seed({
      name: 'meta',
      value: 'b',
      contentType: 'text/plain',
      tags: { owner: 'data' },
      enabled: false,
    })
    const meta = await make().describe!({ secret: 'meta', config: cfg('meta') }, ctx)
    expect(meta).toMatchObject({ exists: true, version: v2, state: 'disabled', type: 'text/plain' })
    expect(meta.status).toMatchObject({
      versions: '2',
      'tag.owner': 'data',
      store: 'azure-key-vault',
    })
    fx.emulator.seed({ name: 'gone', value: 'c', expiresOn: new Date(Date.now() - 1000) })
    expect((await make().describe!({ secret: 'gone', config: cfg('gone') }, ctx)).state).toBe(
      'expired',
    )
    expect(fx.emulator.calls.count('GetSecret')).toBe(0)
    expect(fx.emulator.calls.count('GetSecretVersions')).toBe(2)
    await expect(
      make().describe!({ secret: 'none', config: cfg('none') }, ctx),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('put writes new versions with content type and tags and enforces compare-and-set', async () => {
    const p = make()
    const created = await p.put!(
      {
        secret: 'api',
        config: cfg('api', { tags: { team: 'data' } }),
        data: new SecretValue('one'),
        contentType: 'text/plain',
      },
      ctx,
    )
    expect(created.created).toBe(true)
    await expect(
      p.put!(
        {
          secret: 'api',
          config: cfg('api'),
          data: new SecretValue('x'),
          expectedVersion: 'f'.repeat(32),
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    const second = await p.put!(
      {
        secret: 'api',
        config: cfg('api'),
        data: { k: new SecretValue('v') },
        expectedVersion: created.version,
      },
      ctx,
    )
    expect(second).toMatchObject({ created: false, previousVersion: created.version })
    const meta = await p.describe!({ secret: 'api', config: cfg('api') }, ctx)
    expect(meta).toMatchObject({ version: second.version, type: 'application/json' })
    const first = await p.describe!(
      { secret: 'api', config: cfg('api'), version: created.version },
      ctx,
    )
    expect(first).toMatchObject({ type: 'text/plain', status: { 'tag.team': 'data' } })
  })

  it('lists names only, following absolute nextLinks, with a prefix', async () => {
    for (let i = 0; i < 28; i++)
      fx.emulator.seed({ name: `etl-${String(i).padStart(2, '0')}`, value: 'v' })
    fx.emulator.seed({ name: 'other', value: 'v', contentType: 'text/plain' })
    const names: string[] = []
    for await (const l of make().list!(
      { prefix: 'etl-', config: { vault_url: fx.emulator.url } },
      ctx,
    ))
      names.push(l.name)
    expect(names).toHaveLength(28)
    expect(fx.emulator.calls.count('GetSecrets')).toBe(2)
  })

  it('429 is UNAVAILABLE with the Retry-After; 403 deny is FORBIDDEN with a role hint; 404 is NOT_FOUND', async () => {
    fx.emulator.seed({ name: 'busy', value: 'v' })
    fx.emulator.seed({ name: 'locked', value: 'v' })
    fx.emulator.deny('locked')
    fx.emulator.faults.add({
      operation: 'GetSecret',
      kind: 'throttle',
      calls: [1],
      retryAfterSeconds: 7,
    })
    const p = make()
    const [busy] = await fetchAll(p, [{ secret: 'busy', config: cfg('busy') }], ctx)
    expect(failed(busy)).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 7000 })
    const [locked, missing] = await fetchAll(
      p,
      [
        { secret: 'locked', config: cfg('locked') },
        { secret: 'missing', config: cfg('missing') },
      ],
      ctx,
    )
    expect(failed(locked).code).toBe('FORBIDDEN')
    expect(failed(locked).hint).toContain('Key Vault Secrets User')
    expect(failed(missing).code).toBe('NOT_FOUND')
  })

  it('builds its own client from service_principal auth + authority_host (the emulator token endpoint)', async () => {
    fx.emulator.seed({ name: 'sp', value: 'via-service-principal' })
    const p = provider.create({ tlsOptions })
    const config = cfg('sp', { auth: fx.auth, authority_host: fx.emulator.url })
    const [res] = await fetchAll(p, [{ secret: 'sp', config }], ctx)
    expect(res?.ok && res.secret.value.reveal()).toBe('via-service-principal')
    expect(fx.emulator.calls.count('Token')).toBe(1)
    expect((await p.check!(ctx, config)).status).toBe('ready')

    const wrong = provider.create({ tlsOptions })
    const [denied] = await fetchAll(
      wrong,
      [
        {
          secret: 'sp',
          config: cfg('sp', {
            auth: { ...fx.auth, client_secret: 'nope' },
            authority_host: fx.emulator.url,
          }),
        },
      ],
      ctx,
    )
    expect(failed(denied).code).toBe('FORBIDDEN')
    expect(failed(denied).message).not.toContain('nope')
    await p.dispose!()
    await wrong.dispose!()
  })

  it('AZURE_AUTHORITY_HOST from the context env is honoured', async () => {
    fx.emulator.seed({ name: 'envhost', value: 'ok' })
    const p = provider.create({ tlsOptions })
    const [res] = await fetchAll(
      p,
      [{ secret: 'envhost', config: cfg('envhost', { auth: fx.auth }) }],
      testContext({ AZURE_AUTHORITY_HOST: fx.emulator.url }),
    )
    expect(res?.ok && res.secret.value.reveal()).toBe('ok')
  })

  it('rejects a malformed version without calling the vault', async () => {
    const [bad] = await fetchAll(make(), [{ secret: 's', config: cfg('s'), version: '2' }], ctx)
    expect(failed(bad).code).toBe('INVALID')
    expect(fx.emulator.calls.count()).toBe(0)
  })
})
