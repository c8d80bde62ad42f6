import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createProviderRegistry,
  createResolver,
  parseSecretRef,
  resolveDual,
  resolveEnvWithDuals,
  watchRotations,
  type LeaseRefreshEvent,
  type RotationEvent,
} from '@floe/core'
import {
  createMemoryProvider,
  memoryProviderModule,
  testManifest,
  type TestDefinition,
} from '@floe/core/testing'

const ref = parseSecretRef

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

function dynamicSetup(
  definition: Partial<TestDefinition>,
  spec: { ttlSeconds: number; maxTtlSeconds?: number },
) {
  const provider = createMemoryProvider({ data: { 'database/creds/ro': { dynamic: spec } } })
  const events: LeaseRefreshEvent[] = []
  const resolver = createResolver({
    manifest: testManifest({
      mongo: {
        provider: 'memory',
        kind: 'dynamic',
        fields: { path: 'database/creds/ro' },
        ...definition,
      },
    }),
    catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
    mode: 'long-running',
    onLeaseRefresh: (e) => events.push(e),
  })
  return { provider, resolver, events }
}

describe('dynamic secrets', () => {
  it('renews at ~2/3 of the TTL and keeps serving the same credentials', async () => {
    const { provider, resolver, events } = dynamicSetup({}, { ttlSeconds: 30 })
    const first = await resolver.resolve([ref('secret://mongo/password')])
    expect(first.valueOf(ref('secret://mongo/password'))?.reveal()).toBe('pw-1-database/creds/ro')
    await vi.advanceTimersByTimeAsync(19_000)
    expect(provider.calls.renew).toBe(0)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(provider.calls.renew).toBe(1)
    expect(events.map((e) => e.kind)).toEqual(['renewed'])
    // Past the original TTL, the renewed lease still serves from cache: no new fetch.
    await vi.advanceTimersByTimeAsync(15_000)
    const again = await resolver.resolve([ref('secret://mongo/password')])
    expect(again.valueOf(ref('secret://mongo/password'))?.reveal()).toBe('pw-1-database/creds/ro')
    expect(provider.calls.fetch).toBe(1)
    await resolver.dispose()
  })

  it('passes increment_seconds and renews earlier to keep min_renewal_seconds', async () => {
    const { provider, resolver } = dynamicSetup(
      { lease: { renewalEnabled: true, minRenewalSeconds: 20, incrementSeconds: 90 } },
      { ttlSeconds: 30 },
    )
    const renew = vi.spyOn(provider, 'renew')
    await resolver.resolve([ref('secret://mongo')])
    // 2/3 of 30 s would leave 10 s; min_renewal_seconds: 20 moves the renewal to 10 s.
    await vi.advanceTimersByTimeAsync(10_500)
    expect(renew).toHaveBeenCalledTimes(1)
    expect(renew.mock.calls[0]?.[2]).toBe(90)
    await resolver.dispose()
  })

  it('fetches new credentials when the max TTL is reached, and revokes the old lease', async () => {
    const { provider, resolver, events } = dynamicSetup({}, { ttlSeconds: 30, maxTtlSeconds: 45 })
    await resolver.resolve([ref('secret://mongo')])
    await vi.advanceTimersByTimeAsync(21_000) // renew: granted only up to the max TTL (45 s)
    expect(provider.calls.renew).toBe(1)
    await vi.advanceTimersByTimeAsync(20_000) // renew no longer extends: re-fetch
    expect(provider.calls.fetch).toBe(2)
    expect(events.map((e) => e.kind)).toEqual(['renewed', 'refetched'])
    const leases = [...provider.leases.values()]
    expect(leases.map((l) => l.revoked)).toEqual([true, false])
    const report = await resolver.resolve([ref('secret://mongo/username')])
    expect(report.valueOf(ref('secret://mongo/username'))?.reveal()).toBe('user-2')
    await resolver.dispose()
    expect([...provider.leases.values()].every((l) => l.revoked)).toBe(true)
  })

  it('re-fetches when renewal fails', async () => {
    const { provider, resolver, events } = dynamicSetup({}, { ttlSeconds: 30 })
    await resolver.resolve([ref('secret://mongo')])
    provider.failNext('forbidden', 1, { operation: 'renew' })
    await vi.advanceTimersByTimeAsync(21_000)
    expect(provider.calls.renew).toBe(1)
    expect(provider.calls.fetch).toBe(2)
    expect(events.map((e) => e.kind)).toEqual(['refetched'])
    await resolver.dispose()
  })

  it('invocation mode: no renewals; dispose() revokes leases and disposes providers', async () => {
    const provider = createMemoryProvider({ data: { dyn: { dynamic: { ttlSeconds: 30 } } } })
    const resolver = createResolver({
      manifest: testManifest({
        dyn: { provider: 'memory', kind: 'dynamic', fields: { id: 'dyn' } },
      }),
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
    })
    await resolver.resolve([ref('secret://dyn')])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(provider.calls.renew).toBe(0)
    await resolver.dispose()
    expect(provider.calls.revoke).toBe(1)
    expect(provider.disposed).toBe(true)
    await expect(resolver.resolve([ref('secret://dyn')])).rejects.toMatchObject({ code: 'USAGE' })
  })
})

describe('rotation watch', () => {
  it('polls describe() versions and fires on change, dropping the cached value', async () => {
    const provider = createMemoryProvider({ data: { db: 'v1-password', other: 'x-value' } })
    const manifest = testManifest({
      db: {
        provider: 'memory',
        fields: { id: 'db' },
        rotation: {
          autoRefresh: true,
          refreshIntervalMs: 60_000,
          onRotation: { action: 'reconnect', gracePeriodMs: 30_000 },
        },
      },
      other: { provider: 'memory', fields: { id: 'other' } },
    })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
    })
    const events: RotationEvent[] = []
    const watcher = watchRotations(resolver, manifest, (e) => events.push(e))
    await resolver.resolve([ref('secret://db')])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(provider.calls.describe).toBe(1)
    expect(events).toEqual([])
    provider.set('db', 'v2-password')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(events).toEqual([
      {
        secret: 'db',
        previousVersion: '1',
        version: '3',
        action: 'reconnect',
        gracePeriodMs: 30_000,
      },
    ])
    expect(provider.calls.describe).toBe(2)
    const report = await resolver.resolve([ref('secret://db')])
    expect(report.valueOf(ref('secret://db'))?.reveal()).toBe('v2-password')
    expect(provider.calls.fetch).toBe(2)
    watcher.stop()
    await vi.advanceTimersByTimeAsync(600_000)
    expect(provider.calls.describe).toBe(2)
    await resolver.dispose()
  })
})

describe('rotation watch errors', () => {
  it('reports describe failures through onError and keeps watching', async () => {
    const provider = createMemoryProvider({ data: { db: 'v1-password' } })
    const manifest = testManifest({
      db: {
        provider: 'memory',
        fields: { id: 'db' },
        rotation: { autoRefresh: true, refreshIntervalMs: 1_000 },
      },
    })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
      sleep: async () => {},
    })
    const errors: string[] = []
    const events: RotationEvent[] = []
    const watcher = watchRotations(resolver, manifest, (e) => events.push(e), {
      onError: (secret, error) => errors.push(`${secret}: ${(error as { code?: string }).code}`),
    })
    await watcher.poll()
    provider.deny('db')
    await watcher.poll()
    expect(errors).toEqual(['db: FORBIDDEN'])
    provider.deny('db', false)
    provider.set('db', 'v2-password')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(events.map((e) => e.version)).toEqual(['2'])
    watcher.stop()
    await resolver.dispose()
  })
})

describe('resolveDual', () => {
  function dual() {
    const provider = createMemoryProvider({
      data: { primary: 'primary-pw', secondary: 'secondary-pw' },
    })
    const resolver = createResolver({
      manifest: testManifest({
        database_primary: { provider: 'memory', fields: { id: 'primary' } },
        database_secondary: { provider: 'memory', fields: { id: 'secondary' } },
      }),
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
      sleep: async () => {},
    })
    return { provider, resolver }
  }
  const primary = ref('secret://database_primary')
  const secondary = ref('secret://database_secondary')

  it('uses the primary when it resolves', async () => {
    const { resolver } = dual()
    const result = await resolveDual(resolver, primary, secondary, true)
    expect(result.used).toBe('primary')
    expect(result.value.reveal()).toBe('primary-pw')
  })

  it('falls back to the secondary while the primary is missing or unavailable', async () => {
    const { provider, resolver } = dual()
    provider.delete('primary')
    const result = await resolveDual(resolver, primary, secondary, true)
    expect(result.used).toBe('secondary')
    expect(result.value.reveal()).toBe('secondary-pw')
    expect(result.warnings.join()).toMatch(/primary secret "database_primary" failed \(NOT_FOUND\)/)
  })

  it('does not fall back when disabled or when the primary is FORBIDDEN', async () => {
    const { provider, resolver } = dual()
    provider.deny('primary')
    await expect(resolveDual(resolver, primary, secondary, true)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    provider.deny('primary', false)
    provider.delete('primary')
    await expect(resolveDual(resolver, primary, secondary, false)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})

describe('resolveEnvWithDuals', () => {
  function setup() {
    const provider = createMemoryProvider({
      data: {
        primary: { user: 'p-user', password: 'p-pw' },
        secondary: { user: 's-user', password: 's-pw' },
        other: 'other-value',
      },
    })
    const manifest = testManifest({
      db_primary: { provider: 'memory', fields: { id: 'primary' } },
      db_secondary: { provider: 'memory', fields: { id: 'secondary' } },
      other: { provider: 'memory', fields: { id: 'other' } },
    })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
      sleep: async () => {},
    })
    const bindings = [
      { name: 'DB_USER', ref: ref('secret://db_primary/user'), origin: 'derived' as const },
      { name: 'DB_PASSWORD', ref: ref('secret://db_primary/password'), origin: 'derived' as const },
      { name: 'OTHER', ref: ref('secret://other'), origin: 'derived' as const },
    ]
    const duals = [
      {
        path: ['lookups', 'database', 'auth'],
        primary: ref('secret://db_primary'),
        secondary: ref('secret://db_secondary'),
        fallbackEnabled: true,
      },
    ]
    return { provider, resolver, bindings, duals }
  }

  it('uses the primary when it resolves, the secondary (same key) when it is NOT_FOUND or UNAVAILABLE', async () => {
    const { provider, resolver, bindings, duals } = setup()
    const first = await resolveEnvWithDuals(resolver, bindings, duals)
    expect(first.env.DB_PASSWORD?.reveal()).toBe('p-pw')
    expect(first.fallbacks).toEqual([])
    provider.delete('primary')
    resolver.invalidate()
    const missing = await resolveEnvWithDuals(resolver, bindings, duals)
    expect(missing.env.DB_USER?.reveal()).toBe('s-user')
    expect(missing.env.DB_PASSWORD?.reveal()).toBe('s-pw')
    expect(missing.env.OTHER?.reveal()).toBe('other-value')
    expect(missing.fallbacks.map((f) => [f.variable, f.code])).toEqual([
      ['DB_USER', 'NOT_FOUND'],
      ['DB_PASSWORD', 'NOT_FOUND'],
    ])
    expect(missing.report.failures).toEqual([])
    expect(missing.report.warnings.join('\n')).toMatch(
      /primary secret "db_primary" failed \(NOT_FOUND\); DB_PASSWORD uses secondary "db_secondary"/,
    )
    provider.set('primary', { user: 'p-user', password: 'p-pw' })
    resolver.invalidate()
    provider.failNext('unavailable', 3, { secret: 'db_primary' })
    const down = await resolveEnvWithDuals(resolver, bindings, duals)
    expect(down.env.DB_PASSWORD?.reveal()).toBe('s-pw')
    expect(down.fallbacks[0]?.code).toBe('UNAVAILABLE')
  })

  it('never falls back on FORBIDDEN, nor when fallback_enabled is false', async () => {
    const { provider, resolver, bindings, duals } = setup()
    provider.deny('primary')
    await expect(resolveEnvWithDuals(resolver, bindings, duals)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    provider.deny('primary', false)
    provider.delete('primary')
    resolver.invalidate()
    const disabled = duals.map((d) => ({ ...d, fallbackEnabled: false }))
    await expect(resolveEnvWithDuals(resolver, bindings, disabled)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    const partial = await resolveEnvWithDuals(resolver, bindings, disabled, { allowPartial: true })
    expect(Object.keys(partial.env)).toEqual(['OTHER'])
  })
})
