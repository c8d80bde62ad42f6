import {
  fetchAll,
  createProviderRegistry,
  createResolver,
  parseSecretRef,
  SecretValue,
  type SecretDefinition,
} from '@floe/core'
import { provider as envProvider } from '@floe/provider-env'
import {
  fetchRequest,
  preferNodeBuildsOfAwsSdk,
  quietContext,
  startAwsEmulator,
  type AwsEmulator,
} from '@floe/testkit'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { configSchema, provider, type ParameterStoreProvider } from '../src/index.js'

preferNodeBuildsOfAwsSdk()
const { SSMClient } = createRequire(import.meta.url)(
  '@aws-sdk/client-ssm',
) as typeof import('@aws-sdk/client-ssm')

let emu: AwsEmulator
let client: InstanceType<typeof SSMClient>
let ps: ParameterStoreProvider
const ctx = quietContext()
const req = fetchRequest
const revealed = (o: { ok: boolean; secret?: { value: SecretValue } } | undefined) =>
  o?.ok ? o.secret?.value.reveal() : undefined

beforeAll(async () => {
  emu = await startAwsEmulator()
  client = new SSMClient(emu.clientConfig())
  ps = provider.create({ client }) as ParameterStoreProvider
})
afterAll(async () => {
  client.destroy()
  await emu.close()
})
beforeEach(() => emu.reset())

describe('aws_parameter_store: fetch', () => {
  it('batches distinct names into GetParameters calls of at most 10', async () => {
    for (let i = 0; i < 25; i++) emu.putParameter(`/prod/p${i}`, `v${i}`)
    const requests = Array.from({ length: 25 }, (_, i) => req(`p${i}`, { name: `/prod/p${i}` }))
    const outcomes = await fetchAll(ps, requests, ctx)
    expect(outcomes.map(revealed)).toEqual(requests.map((_, i) => `v${i}`))
    expect(emu.calls.byOperation()).toEqual({ GetParameters: 3 })
    expect(provider.maxBatchSize).toBe(10)
  })

  it('reads versions and labels with name:3 / name:label selectors, in one batch', async () => {
    emu.putParameter('/db/password', 'one', { labels: ['stable'] })
    emu.putParameter('/db/password', 'two')
    emu.putParameter('/db/password', 'three')
    const outcomes = await fetchAll(
      ps,
      [
        req('db', { name: '/db/password' }),
        req('db', { name: '/db/password' }, '2'),
        req('db', { name: '/db/password' }, 'stable'),
        req('db', { name: '/db/password', version: 1 }),
        req('db', { name: '/db/password' }, '9'),
      ],
      ctx,
    )
    expect(outcomes.slice(0, 4).map(revealed)).toEqual(['three', 'two', 'one', 'one'])
    expect(outcomes[0]?.ok && outcomes[0].secret.version).toBe('3')
    expect(outcomes[4]?.ok === false && outcomes[4].error.code).toBe('NOT_FOUND')
    expect(emu.calls.byOperation()).toEqual({ GetParameters: 1 })
  })

  it('decrypts SecureString by default; with_decryption: false returns the ciphertext; JSON values expose keys', async () => {
    emu.putParameter('/app/creds', JSON.stringify({ user: 'u', password: 'p' }))
    const [plain, cipher] = await fetchAll(
      ps,
      [req('c', { name: '/app/creds' }), req('c', { name: '/app/creds', with_decryption: false })],
      ctx,
    )
    expect(plain?.ok && plain.secret.keys?.password?.reveal()).toBe('p')
    expect(revealed(cipher)).not.toContain('password')
    expect(emu.calls.count('GetParameters')).toBe(2)
  })

  it('a denied name does not turn its batch neighbours FORBIDDEN', async () => {
    emu.putParameter('/open/a', 'A')
    emu.putParameter('/locked/b', 'B')
    emu.putParameter('/open/c', 'C')
    emu.deny({ resource: '/locked/*' })
    const outcomes = await fetchAll(
      ps,
      [
        req('a', { name: '/open/a' }),
        req('b', { name: '/locked/b' }),
        req('c', { name: '/open/c' }),
      ],
      ctx,
    )
    expect(outcomes.map((o) => (o.ok ? o.secret.value.reveal() : o.error.code))).toEqual([
      'A',
      'FORBIDDEN',
      'C',
    ])
  })

  it('classifies throttling with Retry-After and rejects bad definitions', async () => {
    emu.putParameter('/x', 'v')
    emu.faults.add({ kind: 'throttle', times: 1, retryAfterSeconds: 3 })
    const [throttled] = await fetchAll(ps, [req('x', { name: '/x' })], ctx)
    expect(throttled?.ok === false && throttled.error).toMatchObject({
      code: 'UNAVAILABLE',
      retryAfterMs: 3000,
    })
    const [bad] = await fetchAll(ps, [req('x', { name: '/x:3' })], ctx)
    expect(bad?.ok === false && bad.error.code).toBe('CONFIG')
    expect(configSchema.safeParse({ name: '/x', type: 'Secret' }).success).toBe(false)
    expect(
      configSchema.safeParse({
        name: '/x',
        auth: { type: 'assume_role', role_arn: 'arn:aws:iam::123456789012:role/reader' },
      }).success,
    ).toBe(true)
  })
})

describe('aws_parameter_store: describe, list, put', () => {
  it('describes from DescribeParameters without reading a value', async () => {
    emu.putParameter('/svc/token', 't1', { keyId: 'alias/floe' })
    emu.putParameter('/svc/token', 't2', { labels: ['live'] })
    const meta = await ps.describe!(req('t', { name: '/svc/token' }), ctx)
    expect(meta).toMatchObject({
      exists: true,
      version: '2',
      type: 'SecureString',
      status: { kmsKeyId: 'alias/floe' },
    })
    expect(emu.calls.byOperation()).toEqual({ DescribeParameters: 1 })
    expect((await ps.describe!(req('t', { name: '/svc/token' }, 'live'), ctx)).version).toBe('2')
    await expect(ps.describe!(req('t', { name: '/svc/none' }), ctx)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('lists a hierarchy recursively with /path/* and pages through DescribeParameters', async () => {
    for (let i = 0; i < 60; i++)
      emu.putParameter(`/production/database/p${String(i).padStart(2, '0')}`, 'x')
    emu.putParameter('/production/database/replica/password', 'x')
    emu.putParameter('/staging/database/password', 'x')
    const names: string[] = []
    for await (const l of ps.list!({ prefix: '/production/database/*' }, ctx)) names.push(l.name)
    expect(names).toHaveLength(61)
    expect(names).toContain('/production/database/replica/password')
    expect(names).not.toContain('/staging/database/password')
    expect(emu.calls.byOperation()).toEqual({ DescribeParameters: 2 })
  })

  it('put creates with type and KMS key, overwrites with CAS on the version', async () => {
    const created = await ps.put!(
      {
        secret: 'k',
        config: { name: '/new/key', type: 'SecureString', kms_key_id: 'alias/floe' },
        data: new SecretValue('v1'),
      },
      ctx,
    )
    expect(created).toEqual({ version: '1', created: true })
    expect(emu.parameterVersions('/new/key')?.[0]).toMatchObject({
      type: 'SecureString',
      keyId: 'alias/floe',
    })
    const updated = await ps.put!(
      {
        secret: 'k',
        config: { name: '/new/key' },
        data: new SecretValue('v2'),
        expectedVersion: '1',
      },
      ctx,
    )
    expect(updated).toEqual({ version: '2', previousVersion: '1', created: false })
    await expect(
      ps.put!(
        {
          secret: 'k',
          config: { name: '/new/key' },
          data: new SecretValue('v3'),
          expectedVersion: '1',
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(
      ps.put!(
        {
          secret: 'k',
          config: { name: '/new/key' },
          data: new SecretValue('v3'),
          createOnly: true,
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(emu.parameterVersions('/new/key')?.map((v) => v.value)).toEqual(['v1', 'v2'])
  })
})

describe('aws_parameter_store through the floe resolver', () => {
  const definition = (
    name: string,
    fields: Record<string, unknown>,
    extra: Partial<SecretDefinition> = {},
  ): SecretDefinition => ({
    name,
    provider: 'aws_parameter_store',
    fields,
    kind: 'static',
    ...extra,
  })

  it('retries throttled GetParameters calls and batches 25 references into 3 calls', async () => {
    const secrets: Record<string, SecretDefinition> = {}
    for (let i = 0; i < 25; i++) {
      emu.putParameter(`/p/${i}`, `v${i}`)
      secrets[`s${i}`] = definition(`s${i}`, { name: `/p/${i}` })
    }
    emu.faults.add({ operation: 'GetParameters', kind: 'throttle', calls: [1, 2] })
    const resolver = createResolver({
      manifest: {
        secrets,
        config: {
          concurrency: 1,
          retry: { attempts: 4, backoff: 'exponential', initialDelayMs: 1, maxDelayMs: 5 },
        },
      },
      catalog: createProviderRegistry({ modules: [provider] }),
      providerOptions: { aws_parameter_store: { client } },
      sleep: async () => {},
    })
    const refs = Object.keys(secrets).map((s) => parseSecretRef(`secret://${s}`))
    const report = await resolver.resolve(refs)
    expect(report.failures).toEqual([])
    expect(refs.map((r) => report.valueOf(r)?.reveal())).toEqual(refs.map((_, i) => `v${i}`))
    expect(emu.calls.records.map((r) => r.fault ?? 'ok')).toEqual([
      'throttle',
      'throttle',
      'ok',
      'ok',
      'ok',
    ])
    await resolver.dispose()
  })

  it('uses the env fallback when the endpoint is down', async () => {
    const down = await startAwsEmulator()
    const url = down.url
    await down.close()
    const resolver = createResolver({
      manifest: {
        secrets: {
          pw: definition(
            'pw',
            { name: '/production/database/password', endpoint: url },
            { fallback: { provider: 'env', fields: { variable: 'DB_PASSWORD' } } },
          ),
        },
        config: {
          concurrency: 8,
          retry: { attempts: 2, backoff: 'constant', initialDelayMs: 1, maxDelayMs: 1 },
        },
      },
      catalog: createProviderRegistry({ modules: [provider, envProvider] }),
      providerOptions: { aws_parameter_store: { clientConfig: emu.clientConfig() } },
      env: { DB_PASSWORD: 'from-env' },
      sleep: async () => {},
    })
    const ref = parseSecretRef('secret://pw')
    const report = await resolver.resolve([ref])
    expect(report.valueOf(ref)?.reveal()).toBe('from-env')
    await resolver.dispose()
  })
})
