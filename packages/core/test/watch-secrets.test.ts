import { describe, expect, it } from 'vitest'
import {
  ABSENT_VERSION,
  createProviderRegistry,
  createResolver,
  nextPollDelay,
  parseSecretRef,
  SecretNotFoundError,
  watchSecrets,
  type DescribeResult,
  type SecretProvider,
  type WatchEvent,
} from '@floe/core'
import {
  createMemoryProvider,
  memoryProviderModule,
  testManifest,
  type MemoryProvider,
  type TestDefinition,
} from '@floe/core/testing'

const ref = parseSecretRef

/** A memory provider that also answers describeMany (as SSM DescribeParameters does). */
function batchingProvider(provider: MemoryProvider, maxDescribeBatchSize: number) {
  const calls: number[] = []
  const batching: SecretProvider = Object.assign(Object.create(provider) as SecretProvider, {
    maxDescribeBatchSize,
    async describeMany(requests, ctx): Promise<DescribeResult[]> {
      calls.push(requests.length)
      return Promise.all(
        requests.map(async (r) => {
          try {
            return { ok: true as const, metadata: await provider.describe!(r, ctx) }
          } catch (error) {
            return { ok: false as const, error: error as SecretNotFoundError }
          }
        }),
      )
    },
  } satisfies Partial<SecretProvider>)
  return { batching, calls }
}

function setup(
  secrets: Record<string, TestDefinition>,
  options: { provider?: SecretProvider; config?: Parameters<typeof testManifest>[1] } = {},
) {
  const memory = createMemoryProvider({
    data: Object.fromEntries(
      Object.values(secrets)
        .filter((d) => d.kind !== 'dynamic')
        .map((d) => [String(d.fields?.id), `${String(d.fields?.id)}-v1`]),
    ),
  })
  const manifest = testManifest(secrets, options.config)
  const provider = options.provider ?? memory
  const resolver = createResolver({
    manifest,
    catalog: createProviderRegistry({
      modules: [memoryProviderModule(provider)],
    }),
    mode: 'long-running',
    sleep: async () => {},
  })
  return { memory, manifest, resolver }
}

const mem = (id: string, extra: Partial<TestDefinition> = {}): TestDefinition => ({
  provider: 'memory',
  fields: { id },
  ...extra,
})

describe('watchSecrets', () => {
  it('reports a new version once, by metadata only, and the next resolve reads the new value', async () => {
    const { memory, manifest, resolver } = setup({ db: mem('db'), api: mem('api') })
    const events: WatchEvent[] = []
    const watcher = watchSecrets({
      resolver,
      manifest,
      secrets: ['db'],
      onEvent: (e) => events.push(e),
    })
    await watcher.ready
    expect(
      (await resolver.resolve([ref('secret://db')])).valueOf(ref('secret://db'))?.reveal(),
    ).toBe('db-v1')
    const fetchesBefore = memory.calls.fetch
    expect(await watcher.check()).toEqual([])
    memory.set('db', 'db-v2')
    memory.set('api', 'api-v2') // not watched: never described, never reported
    const changed = await watcher.check()
    expect(changed).toEqual([
      {
        event: 'changed',
        secret: 'db',
        provider: 'memory',
        reason: 'version',
        previousVersion: '1',
        version: memory.versionOf('db'),
      },
    ])
    expect(events).toEqual(changed)
    expect(await watcher.check()).toEqual([])
    // polling never read a value
    expect(memory.calls.fetch).toBe(fetchesBefore)
    expect(memory.calls.describe).toBe(4)
    expect(
      (await resolver.resolve([ref('secret://db')])).valueOf(ref('secret://db'))?.reveal(),
    ).toBe('db-v2')
    watcher.stop()
    await resolver.dispose()
  })

  it('polls on its own timer and reports through onEvent', async () => {
    const { memory, manifest, resolver } = setup({
      db: mem('db', { rotation: { autoRefresh: true, refreshIntervalMs: 5 } }),
    })
    let seen: (e: WatchEvent) => void = () => {}
    const next = new Promise<WatchEvent>((r) => (seen = r))
    const watcher = watchSecrets({
      resolver,
      manifest,
      secrets: ['db'],
      floorMs: 0,
      onEvent: (e) => seen(e),
    })
    await watcher.ready
    memory.set('db', 'db-v2')
    await expect(next).resolves.toMatchObject({
      event: 'changed',
      secret: 'db',
      version: memory.versionOf('db'),
    })
    watcher.stop()
    await resolver.dispose()
  })

  it('describes in ⌈n/batch⌉ calls per provider when the provider has describeMany', async () => {
    const memory = createMemoryProvider({
      data: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`s${i}`, `v-${i}`])),
    })
    const { batching, calls } = batchingProvider(memory, 20)
    const secrets = Object.fromEntries(
      Array.from({ length: 45 }, (_, i) => [`s${i}`, mem(`s${i}`)]),
    )
    const { manifest, resolver } = setup(secrets, { provider: batching })
    const watcher = watchSecrets({
      resolver,
      manifest,
      secrets: Object.keys(secrets),
      onEvent: () => {},
    })
    await watcher.ready
    expect(calls).toEqual([20, 20, 5])
    expect(watcher.stats.describeCalls).toEqual({ memory: 3 })
    memory.set('s44', 'changed')
    const events = await watcher.check()
    expect(events.map((e) => e.secret)).toEqual(['s44'])
    expect(calls).toHaveLength(6)
    watcher.stop()
    await resolver.dispose()
  })

  it('without describeMany it is one describe per secret', async () => {
    const secrets = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, mem(`s${i}`)]))
    const { memory, manifest, resolver } = setup(secrets)
    const watcher = watchSecrets({
      resolver,
      manifest,
      secrets: Object.keys(secrets),
      onEvent: () => {},
    })
    await watcher.ready
    expect(memory.calls.describe).toBe(5)
    expect(watcher.stats.describeCalls).toEqual({ memory: 5 })
    watcher.stop()
    await resolver.dispose()
  })

  it('intervals: the definition, else _config.rotation, never below the floor; dynamic secrets are not polled', async () => {
    const { manifest, resolver } = setup(
      {
        own: mem('own', { rotation: { autoRefresh: true, refreshIntervalMs: 90_000 } }),
        tiny: mem('tiny', { rotation: { autoRefresh: true, refreshIntervalMs: 10 } }),
        plain: mem('plain'),
        dyn: { provider: 'memory', kind: 'dynamic', fields: { path: 'database/creds/ro' } },
      },
      { config: { rotation: { autoRefresh: true, refreshIntervalMs: 120_000 } } },
    )
    const watcher = watchSecrets({
      resolver,
      manifest,
      secrets: ['own', 'tiny', 'plain', 'dyn'],
      baseline: false,
      onEvent: () => {},
    })
    expect(Object.fromEntries(watcher.intervals())).toEqual({
      own: 90_000,
      tiny: 1_000,
      plain: 120_000,
    })
    watcher.stop()
    await resolver.dispose()
  })

  it('reports key names added or removed, and describe failures without stopping', async () => {
    const memory = createMemoryProvider({ data: { db: { user: 'u', password: 'p' } } })
    const manifest = testManifest({ db: mem('db') })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memoryProviderModule(memory)] }),
      sleep: async () => {},
    })
    const events: WatchEvent[] = []
    const watcher = watchSecrets({
      resolver,
      manifest,
      secrets: ['db'],
      onEvent: (e) => events.push(e),
    })
    await watcher.ready
    memory.set('db', { user: 'u', password: 'p2', host: 'h' })
    expect(await watcher.check()).toMatchObject([{ event: 'changed', keysChanged: ['host'] }])
    memory.deny('db')
    expect(await watcher.check()).toMatchObject([
      { event: 'failed', secret: 'db', phase: 'describe', code: 'FORBIDDEN' },
    ])
    memory.deny('db', false)
    memory.set('db', { user: 'u2', password: 'p2', host: 'h' })
    expect(await watcher.check()).toMatchObject([
      { event: 'changed', secret: 'db', version: memory.versionOf('db') },
    ])
    expect(JSON.stringify(events)).not.toMatch(/p2|u2/)
    watcher.stop()
    await resolver.dispose()
  })

  it('a secret that disappears and comes back is reported both times', async () => {
    const { memory, manifest, resolver } = setup({ db: mem('db') })
    const watcher = watchSecrets({ resolver, manifest, secrets: ['db'], onEvent: () => {} })
    await watcher.ready
    memory.delete('db')
    expect(await watcher.check()).toMatchObject([
      { event: 'failed', code: 'NOT_FOUND' },
      { event: 'changed', secret: 'db', version: ABSENT_VERSION },
    ])
    expect(await watcher.check()).toMatchObject([{ event: 'failed', code: 'NOT_FOUND' }])
    memory.set('db', 'db-back')
    expect(await watcher.check()).toMatchObject([
      { event: 'changed', previousVersion: ABSENT_VERSION, version: memory.versionOf('db') },
    ])
    watcher.stop()
    await resolver.dispose()
  })

  it('turns lease refresh notices into renewed / changed (lease) / failed events', () => {
    const manifest = testManifest({ dyn: { provider: 'memory', kind: 'dynamic', fields: {} } })
    const events: WatchEvent[] = []
    const watcher = watchSecrets({
      resolver: { describe: async () => [] },
      manifest,
      secrets: ['dyn'],
      onEvent: (e) => events.push(e),
    })
    const lease = { id: 'lease-1', ttlSeconds: 30, renewable: true, issuedAt: new Date() }
    watcher.leaseRefreshed({ secret: 'dyn', provider: 'memory', kind: 'renewed', lease })
    watcher.leaseRefreshed({ secret: 'other', provider: 'memory', kind: 'renewed', lease })
    watcher.leaseRefreshed({
      secret: 'dyn',
      provider: 'memory',
      kind: 'refetched',
      lease: { ...lease, id: 'lease-2' },
    })
    watcher.leaseRefreshed({ secret: 'dyn', provider: 'memory', kind: 'failed' })
    expect(events).toEqual([
      { event: 'renewed', secret: 'dyn', provider: 'memory', lease: 'lease-1', ttlSeconds: 30 },
      { event: 'changed', secret: 'dyn', provider: 'memory', reason: 'lease', version: 'lease-2' },
      expect.objectContaining({ event: 'failed', secret: 'dyn', phase: 'lease' }),
    ])
    watcher.stop()
  })
})

describe('nextPollDelay', () => {
  it('comes early by at most the jitter, never below the floor, and spreads a fleet', () => {
    const schedule = { intervalMs: 60_000, floorMs: 1_000, jitter: 0.2 }
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const delays = Array.from({ length: 200 }, () => nextPollDelay(schedule, random))
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(48_000)
    expect(new Set(delays).size).toBeGreaterThan(100)
    expect(nextPollDelay({ intervalMs: 10, floorMs: 1_000, jitter: 0.2 }, () => 0.99)).toBe(1_000)
    expect(nextPollDelay({ intervalMs: 5_000, floorMs: 0, jitter: 0 }, random)).toBe(5_000)
  })
})
