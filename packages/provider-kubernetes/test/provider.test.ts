import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { fetchAll, FloeError, SecretValue } from '@floe/core'
import { startEsoController, startKubernetesEmulator, type KubernetesEmulator } from '@floe/testkit'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { configSchema, createKubernetesProvider, provider as providerModule } from '../src/index.js'
import { kubeConfigFor, recordingContext } from './helpers.js'

let kube: KubernetesEmulator
const ctx = recordingContext()

beforeEach(async () => {
  kube = await startKubernetesEmulator({ tls: true, seed: { namespaces: ['floe-jobs', 'other'] } })
})
afterEach(async () => {
  await kube.close()
})

async function rejection(promise: Promise<unknown>): Promise<FloeError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(FloeError)
    return error as FloeError
  }
  throw new Error('expected a rejection')
}

describe('configuration', () => {
  it('finds the cluster through KUBECONFIG and uses the context namespace by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-kube-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'config')
    writeFileSync(file, kube.kubeconfig({ namespace: 'floe-jobs' }))
    kube.seed({
      secrets: [
        { namespace: 'floe-jobs', name: 'redis-credentials', stringData: { password: 'pw' } },
      ],
    })
    const provider = createKubernetesProvider()
    const [outcome] = await fetchAll(
      provider,
      [{ secret: 'redis_password', config: { secret_name: 'redis-credentials', key: 'password' } }],
      recordingContext({ KUBECONFIG: file }),
    )
    expect(outcome?.ok && outcome.secret.value.reveal()).toBe('pw')
  })

  it('selects a context, overrides the server, and explains a missing configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-kube-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'config')
    writeFileSync(
      file,
      kube
        .kubeconfig({ context: 'prod', namespace: 'other' })
        .replace(kube.url, 'https://127.0.0.1:9'),
    )
    kube.seed({ secrets: [{ namespace: 'other', name: 'api', stringData: { token: 't' } }] })
    const provider = createKubernetesProvider()
    const config = { secret_name: 'api', kubeconfig: file, context: 'prod', server: kube.url }
    const [outcome] = await fetchAll(provider, [{ secret: 'api', config }], ctx)
    expect(outcome?.ok && outcome.secret.value.reveal()).toBe('t')
    const [wrongContext] = await fetchAll(
      provider,
      [{ secret: 'api', config: { ...config, context: 'nope' } }],
      ctx,
    )
    expect(!wrongContext?.ok && wrongContext.error.code).toBe('CONFIG')
    const [none] = await fetchAll(
      provider,
      [{ secret: 'api', config: {} }],
      recordingContext({ HOME: dir, KUBECONFIG: join(dir, 'absent') }),
    )
    expect(!none?.ok && none.error.message).toContain('no Kubernetes configuration found')
  })

  it('validates the provider fields strictly', () => {
    expect(
      configSchema.safeParse({
        namespace: 'floe-jobs',
        secret_name: 'redis-credentials',
        key: 'password',
        service_account: 'flink-runner',
      }).success,
    ).toBe(true)
    expect(configSchema.safeParse({ secret_name: 'Redis_Credentials' }).success).toBe(false)
    expect(configSchema.safeParse({ secret_name: 'a', key: 'k', keys: ['k'] }).success).toBe(false)
    expect(configSchema.safeParse({ secret_name: 'a', region: 'us-east-1' }).success).toBe(false)
    expect(providerModule.name).toBe('kubernetes')
  })
})

describe('reading', () => {
  it('decodes data, honours key/keys, and reads each Secret once per batch', async () => {
    kube.seed({
      secrets: [
        { namespace: 'floe-jobs', name: 'snowflake', stringData: { user: 'dbt', password: 'p' } },
      ],
    })
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    const before = kube.calls.count('get secrets')
    const outcomes = await fetchAll(
      provider,
      [
        {
          secret: 'user',
          config: { namespace: 'floe-jobs', secret_name: 'snowflake', key: 'user' },
        },
        {
          secret: 'all',
          config: { namespace: 'floe-jobs', secret_name: 'snowflake', keys: ['user', 'password'] },
        },
        {
          secret: 'more',
          config: { namespace: 'floe-jobs', secret_name: 'snowflake', keys: ['user', 'account'] },
        },
      ],
      ctx,
    )
    expect(kube.calls.count('get secrets') - before).toBe(1)
    expect(outcomes[0]?.ok && outcomes[0].secret.value.reveal()).toBe('dbt')
    expect(outcomes[1]?.ok && JSON.parse(outcomes[1].secret.value.reveal())).toEqual({
      user: 'dbt',
      password: 'p',
    })
    expect(outcomes[1]?.ok && outcomes[1].secret.keys?.password?.reveal()).toBe('p')
    expect(!outcomes[2]?.ok && outcomes[2].error.code).toBe('NOT_FOUND')
    expect(!outcomes[2]?.ok && outcomes[2].error.message).toBe(
      '[kubernetes] read Secret floe-jobs/snowflake: Secret floe-jobs/snowflake has no key "account" (keys: user, password)'.replace(
        'read Secret floe-jobs/snowflake: ',
        '',
      ),
    )
  })

  it('classifies 401, 403, 429 and unreachable servers', async () => {
    kube.seed({ secrets: [{ namespace: 'floe-jobs', name: 'db', stringData: { a: '1' } }] })
    const config = { namespace: 'floe-jobs', secret_name: 'db' }
    const wrongToken = kubeConfigFor(kube)
    wrongToken.users = [{ name: 'floe', token: 'wrong' }]
    const [unauthorized] = await fetchAll(
      createKubernetesProvider({ kubeConfig: wrongToken }),
      [{ secret: 'db', config }],
      ctx,
    )
    expect(!unauthorized?.ok && unauthorized.error.code).toBe('FORBIDDEN')

    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    kube.deny({ verb: 'get', resource: 'secrets', name: 'db' })
    const [denied] = await fetchAll(provider, [{ secret: 'db', config }], ctx)
    expect(!denied?.ok && denied.error.code).toBe('FORBIDDEN')
    expect(!denied?.ok && denied.error.message).toContain('cannot get resource "secrets"')
    kube.clearDenials()

    kube.faults.add({ operation: 'get secrets', kind: 'throttle', retryAfterSeconds: 3, times: 1 })
    const [throttled] = await fetchAll(provider, [{ secret: 'db', config }], ctx)
    expect(!throttled?.ok && throttled.error.code).toBe('UNAVAILABLE')
    expect(!throttled?.ok && throttled.error.retryAfterMs).toBe(3000)

    const url = kube.url
    await kube.close()
    const gone = kubeConfigFor({ url, token: 't' } as KubernetesEmulator)
    const [unreachable] = await fetchAll(
      createKubernetesProvider({ kubeConfig: gone }),
      [{ secret: 'db', config }],
      ctx,
    )
    expect(!unreachable?.ok && unreachable.error.code).toBe('UNAVAILABLE')
    kube = await startKubernetesEmulator()
  })

  it('describes keys, resourceVersion, creation time and type without exposing values', async () => {
    kube.seed({
      secrets: [
        {
          namespace: 'floe-jobs',
          name: 'tls',
          type: 'kubernetes.io/tls',
          stringData: { 'tls.crt': 'CERT', 'tls.key': 'KEY' },
        },
      ],
    })
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    const metadata = await provider.describe!(
      {
        secret: 'tls',
        config: { namespace: 'floe-jobs', secret_name: 'tls', external_secret: false },
      },
      ctx,
    )
    const stored = kube.get('v1', 'Secret', 'floe-jobs', 'tls')
    expect(metadata).toEqual({
      exists: true,
      keys: ['tls.crt', 'tls.key'],
      version: stored?.metadata.resourceVersion,
      createdAt: new Date(stored?.metadata.creationTimestamp),
      type: 'kubernetes.io/tls',
    })
    expect(inspect(metadata) + JSON.stringify(metadata)).not.toMatch(/CERT|KEY/)
    // without `external_secret: false` describe looks for an ExternalSecret once: absent → no status
    const before = kube.calls.count('get externalsecrets')
    const detected = await provider.describe!(
      { secret: 'tls', config: { namespace: 'floe-jobs', secret_name: 'tls' } },
      ctx,
    )
    expect(detected.status).toBeUndefined()
    expect(kube.calls.count('get externalsecrets') - before).toBe(1)
    const missing = await rejection(
      provider.describe!(
        { secret: 'nope', config: { namespace: 'floe-jobs', secret_name: 'nope' } },
        ctx,
      ),
    )
    expect(missing.code).toBe('NOT_FOUND')
  })

  it('lists names, types and creation times', async () => {
    const now = Date.now()
    for (const [name, days] of [
      ['snowflake-credentials', 7],
      ['catalog-credentials', 7],
      ['salesforce-credentials', 3],
    ] as const) {
      kube.seed({ secrets: [{ namespace: 'floe-jobs', name, stringData: { k: 'v' } }] })
      // age the object the way the API server would have stamped it days ago
      const object = kube.get('v1', 'Secret', 'floe-jobs', name)!
      object.metadata.creationTimestamp = new Date(now - days * 86_400_000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
      kube.put(object)
    }
    kube.seed({ secrets: [{ namespace: 'other', name: 'elsewhere' }] })
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    const listings = []
    for await (const listing of provider.list!({ namespace: 'floe-jobs' }, ctx))
      listings.push(listing)
    const order = ['snowflake-credentials', 'catalog-credentials', 'salesforce-credentials']
    listings.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    expect(
      listings.map((l) => [
        l.name,
        l.type,
        Math.round((now - l.createdAt!.getTime()) / 86_400_000),
      ]),
    ).toEqual([
      ['snowflake-credentials', 'Opaque', 7],
      ['catalog-credentials', 'Opaque', 7],
      ['salesforce-credentials', 'Opaque', 3],
    ])
  })
})

describe('writing', () => {
  it('creates, then updates with resourceVersion; a concurrent writer gets CONFLICT, never a lost update', async () => {
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    const config = { namespace: 'floe-jobs', secret_name: 'db', keys: ['user', 'password'] }
    const created = await provider.put!(
      {
        secret: 'db',
        config,
        data: { user: new SecretValue('u'), password: new SecretValue('one') },
      },
      ctx,
    )
    expect(created.created).toBe(true)
    expect(kube.get('v1', 'Secret', 'floe-jobs', 'db')?.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'floe',
    })
    // both writers read the same resourceVersion before either writes
    kube.faults.add({ operation: 'get secrets', kind: 'latency', ms: 150, times: 2 })
    const results = await Promise.allSettled([
      provider.put!(
        {
          secret: 'db',
          config,
          data: { user: new SecretValue('u'), password: new SecretValue('two') },
        },
        ctx,
      ),
      provider.put!(
        {
          secret: 'db',
          config,
          data: { user: new SecretValue('u'), password: new SecretValue('three') },
        },
        ctx,
      ),
    ])
    const rejected = results.filter((r) => r.status === 'rejected')
    expect(rejected).toHaveLength(1)
    expect(((rejected[0] as PromiseRejectedResult).reason as FloeError).code).toBe('CONFLICT')
    const winner = results.findIndex((r) => r.status === 'fulfilled')
    expect(kube.secretData('floe-jobs', 'db')?.password).toBe(winner === 0 ? 'two' : 'three')
  })

  it('writes a single value into the configured key or the only key, and refuses to guess among many', async () => {
    kube.seed({
      secrets: [
        { namespace: 'floe-jobs', name: 'one', stringData: { password: 'old' } },
        { namespace: 'floe-jobs', name: 'many', stringData: { a: '1', b: '2' } },
      ],
    })
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    await provider.put!(
      {
        secret: 'one',
        config: { namespace: 'floe-jobs', secret_name: 'one' },
        data: new SecretValue('new'),
      },
      ctx,
    )
    expect(kube.secretData('floe-jobs', 'one')).toEqual({ password: 'new' })
    await provider.put!(
      {
        secret: 'many',
        config: { namespace: 'floe-jobs', secret_name: 'many', key: 'b' },
        data: new SecretValue('3'),
      },
      ctx,
    )
    expect(kube.secretData('floe-jobs', 'many')).toEqual({ a: '1', b: '3' })
    const error = await rejection(
      provider.put!(
        {
          secret: 'many',
          config: { namespace: 'floe-jobs', secret_name: 'many' },
          data: new SecretValue('x'),
        },
        ctx,
      ),
    )
    expect(error.code).toBe('INVALID')
  })

  it('check() reports the server and a failure', async () => {
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    const ready = await provider.check!(ctx, { namespace: 'floe-jobs' })
    expect(ready.status).toBe('ready')
    expect(ready.detail).toContain(kube.url)
    kube.deny({ verb: 'list', resource: 'secrets' })
    const denied = await provider.check!(ctx, { namespace: 'floe-jobs' })
    expect(denied.status).toBe('error')
    expect(denied.detail).toContain('forbidden')
  })
})

describe('ESO-managed secrets in describe()', () => {
  it('reports store, sync and last sync, and flags a synced Secret that lacks expected keys', async () => {
    kube.put({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'aws-secrets-manager' },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    })
    kube.put({
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ExternalSecret',
      metadata: { name: 'snowflake-credentials', namespace: 'floe-jobs' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
        target: { name: 'snowflake-credentials', creationPolicy: 'Owner' },
        data: [
          {
            secretKey: 'SNOWFLAKE_USER',
            remoteRef: { key: 'floe/prod/snowflake', property: 'user' },
          },
        ],
      },
    })
    const eso = startEsoController({ kube, sources: () => JSON.stringify({ user: 'dbt' }) })
    await eso.reconcileNow()
    await eso.close()
    expect(eso.errors).toEqual([])
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    const config = { namespace: 'floe-jobs', secret_name: 'snowflake-credentials' }
    const synced = await provider.describe!({ secret: 'snowflake', config }, ctx)
    expect(synced.status).toMatchObject({
      store: 'aws-secrets-manager',
      storeKind: 'ClusterSecretStore',
      sync: 'Synced',
      externalSecret: 'floe-jobs/snowflake-credentials',
    })
    expect(Date.parse(synced.status!.lastSync!)).toBeGreaterThan(Date.now() - 60_000)
    expect(synced.status!.missingKeys).toBeUndefined()
    const expecting = await provider.describe!(
      {
        secret: 'snowflake',
        config: {
          ...config,
          keys: ['SNOWFLAKE_USER', 'SNOWFLAKE_PASSWORD'],
          external_secret: true,
        },
      },
      ctx,
    )
    expect(expecting.status?.missingKeys).toBe('SNOWFLAKE_PASSWORD')
  })
})
