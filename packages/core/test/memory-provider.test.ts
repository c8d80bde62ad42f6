import { describe, expect, it, vi } from 'vitest'
import { fetchAll, SecretValue, silentLogger, type ProviderContext } from '@floe/core'
import { createMemoryProvider, memoryConfigSchema, memoryProviderModule } from '@floe/core/testing'

const ctx: ProviderContext = { env: {}, cwd: '/', logger: silentLogger }
const req = (secret: string, extra: Record<string, unknown> = {}, version?: string) => ({
  secret,
  config: extra,
  ...(version ? { version } : {}),
})

describe('memory provider', () => {
  it('distinguishes an empty value from a missing secret', async () => {
    const p = createMemoryProvider({ data: { empty: '' }, batchSize: 2 })
    const [empty, missing] = await fetchAll(p, [req('empty'), req('missing')], ctx)
    expect(empty).toMatchObject({ ok: true })
    expect(empty!.ok && empty!.secret.value.reveal()).toBe('')
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', provider: 'memory' } })
  })

  it('keeps versions and reads them by id/path/name', async () => {
    const p = createMemoryProvider({
      data: { 'kv/app': { versions: ['{"user":"a"}', '{"user":"b"}'] } },
    })
    const [latest] = await fetchAll(p, [req('app', { path: 'kv/app' })], ctx)
    const [first] = await fetchAll(p, [req('app', { id: 'kv/app' }, '1')], ctx)
    expect(latest!.ok && latest!.secret.keys?.user?.reveal()).toBe('b')
    expect(latest!.ok && latest!.secret.version).toBe('2')
    expect(first!.ok && first!.secret.keys?.user?.reveal()).toBe('a')
  })

  it('writes with compare-and-set and create-only', async () => {
    const p = createMemoryProvider({ data: { db: 'one-value' } })
    const data = new SecretValue('two-value')
    await expect(
      p.put({ secret: 'db', config: {}, data, expectedVersion: '9' }, ctx),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    })
    expect(await p.put({ secret: 'db', config: {}, data, expectedVersion: '1' }, ctx)).toEqual({
      version: '2',
      previousVersion: '1',
      created: false,
    })
    await expect(
      p.put({ secret: 'db', config: {}, data, createOnly: true }, ctx),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    })
    const created = await p.put(
      { secret: 'new', config: {}, data: { k: new SecretValue('v-1') } },
      ctx,
    )
    expect(created.created).toBe(true)
    expect(await p.describe!(req('new'), ctx)).toMatchObject({
      exists: true,
      keys: ['k'],
      version: created.version,
    })
  })

  it('lists names (with prefix), describes without values, rotates', async () => {
    const p = createMemoryProvider({
      data: { 'prod/a': { x: 'val-x', y: 'val-y' }, 'prod/b': 'v', 'dev/c': 'w' },
    })
    const names: string[] = []
    for await (const item of p.list({ prefix: 'prod/' }, ctx)) names.push(item.name)
    expect(names).toEqual(['prod/a', 'prod/b'])
    const meta = await p.describe!(req('a', { id: 'prod/a' }), ctx)
    expect(meta).toMatchObject({ exists: true, keys: ['x', 'y'] })
    expect(JSON.stringify(meta)).not.toMatch(/val-/)
    await expect(p.describe!(req('nope'), ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const rotated = await p.rotate(req('b', { id: 'prod/b' }), ctx)
    expect(rotated).toMatchObject({ previousVersion: '2', version: p.versionOf('prod/b') })
    const [after] = await fetchAll(p, [req('b', { id: 'prod/b' })], ctx)
    expect(after!.ok && after!.secret.value.reveal()).not.toBe('v')
  })

  it('scripts failures per call and per secret, and counts calls', async () => {
    const p = createMemoryProvider({ data: { a: 'va', b: 'vb' }, batchSize: 5 })
    p.failNext('unavailable', 1, { retryAfterMs: 250 })
    await expect(p.fetchMany!([req('a')], ctx)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryAfterMs: 250,
    })
    p.failNext('forbidden', 1, { secret: 'b' })
    const [a, b] = await p.fetchMany!([req('a'), req('b')], ctx)
    expect(a?.ok).toBe(true)
    expect(b).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect((await p.fetchMany!([req('b')], ctx))[0]?.ok).toBe(true)
    expect(p.calls.fetch).toBe(3)
    expect(p.batchSizes).toEqual([1, 2, 1])
    await expect(
      p.fetchMany!(
        ['a', 'b', 'a', 'b', 'a', 'b'].map((s) => req(s)),
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID',
    })
  })

  it('denies access like a real provider (FORBIDDEN, not NOT_FOUND)', async () => {
    const p = createMemoryProvider({ data: { a: 'va' } })
    p.deny('a')
    const [a] = await fetchAll(p, [req('a')], ctx)
    expect(a).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    await expect(
      p.put({ secret: 'a', config: {}, data: new SecretValue('x-y') }, ctx),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
  })

  it('issues, renews (up to max TTL), expires and revokes leases', async () => {
    vi.useFakeTimers({ now: 0 })
    try {
      const p = createMemoryProvider({
        data: { creds: { dynamic: { ttlSeconds: 10, maxTtlSeconds: 25 } } },
      })
      const [first] = await fetchAll(p, [req('creds')], ctx)
      const lease = first!.ok ? first!.secret.lease! : undefined
      expect(lease).toMatchObject({ ttlSeconds: 10, renewable: true, maxTtlSeconds: 25 })
      await vi.advanceTimersByTimeAsync(8_000)
      const renewed = await p.renew(lease!, ctx, 100)
      expect(renewed.ttlSeconds).toBe(25) // capped by max TTL, counted from issue
      await p.revoke(renewed, ctx)
      await expect(p.renew(renewed, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      const [second] = await fetchAll(p, [req('creds')], ctx)
      await vi.advanceTimersByTimeAsync(11_000)
      await expect(p.renew(second!.ok ? second!.secret.lease! : lease!, ctx)).rejects.toMatchObject(
        {
          code: 'NOT_FOUND',
        },
      )
    } finally {
      vi.useRealTimers()
    }
  })

  it('is a ProviderModule with a strict config schema', () => {
    const mod = memoryProviderModule({ name: 'mem2', data: { a: 'b' } })
    const instance = mod.create()
    expect(instance.name).toBe('mem2')
    expect(mod.instances).toEqual([instance])
    expect(memoryConfigSchema.safeParse({ id: 'x' }).success).toBe(true)
    expect(memoryConfigSchema.safeParse({ idd: 'x' }).success).toBe(false)
  })
})
