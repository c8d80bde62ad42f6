import { afterEach, describe, expect, it, vi } from 'vitest'
import { inspect } from 'node:util'
import {
  createLogger,
  createProviderRegistry,
  createResolver,
  InvalidSecretError,
  parseSecretRef,
  SecretValue,
  type FloeResolver,
  type ProviderModule,
  type ResolverOptions,
} from '@floe/core'
import {
  createMemoryProvider,
  memoryProviderModule,
  testManifest,
  type MemoryProvider,
  type TestDefinition,
} from '@floe/core/testing'

const ref = parseSecretRef

function setup(
  secrets: Record<string, TestDefinition>,
  provider: MemoryProvider,
  extra: Partial<ResolverOptions> & { others?: ProviderModule[] } = {},
): { resolver: FloeResolver; sleeps: number[] } {
  const sleeps: number[] = []
  const { others = [], ...rest } = extra
  const resolver = createResolver({
    manifest: testManifest(secrets, rest.manifest?.config),
    catalog: createProviderRegistry({ modules: [memoryProviderModule(provider), ...others] }),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...rest,
    ...(rest.manifest ? { manifest: rest.manifest } : {}),
  })
  return { resolver, sleeps }
}

const mem = (id: string, extra: Partial<TestDefinition> = {}): TestDefinition => ({
  provider: 'memory',
  fields: { id },
  ...extra,
})

afterEach(() => {
  vi.useRealTimers()
})

describe('planning: dedupe, batches, concurrency', () => {
  it('fetches each distinct (secret, version) once, whatever the keys asked', async () => {
    const provider = createMemoryProvider({
      data: { 'app/db': { user: 'alice', password: 's3cret-pw' }, 'app/api': 'token-xyz' },
    })
    const { resolver } = setup({ db: mem('app/db'), api: mem('app/api') }, provider)
    const refs = [
      'secret://db/user',
      'secret://db/password',
      'secret://db',
      'secret://api',
      'secret://api',
    ]
    const report = await resolver.resolve(refs.map(ref))
    expect(report.failures).toEqual([])
    expect(provider.calls.fetch).toBe(2)
    expect(provider.fetched.sort()).toEqual(['app/api', 'app/db'])
    expect(report.valueOf(ref('secret://db/user'))?.reveal()).toBe('alice')
    expect(report.valueOf(ref('secret://db/password'))?.reveal()).toBe('s3cret-pw')
    expect(JSON.parse(report.valueOf(ref('secret://db'))!.reveal())).toEqual({
      user: 'alice',
      password: 's3cret-pw',
    })
    expect(report.valueOf(ref('secret://api'))?.reveal()).toBe('token-xyz')
  })

  it('treats ?version= as a distinct fetch and returns that version', async () => {
    const provider = createMemoryProvider({ data: { k: { versions: ['old-value', 'new-value'] } } })
    const { resolver } = setup({ key: mem('k') }, provider)
    const report = await resolver.resolve([ref('secret://key?version=1'), ref('secret://key')])
    expect(provider.calls.fetch).toBe(2)
    expect(report.valueOf(ref('secret://key?version=1'))?.reveal()).toBe('old-value')
    expect(report.valueOf(ref('secret://key'))?.reveal()).toBe('new-value')
    const missing = await resolver.resolve([ref('secret://key?version=9')])
    expect(missing.failures[0]?.error.code).toBe('NOT_FOUND')
  })

  it('chunks by the provider batch size: ceil(n / batch) calls', async () => {
    const data = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`s${i}`, `v${i}`]))
    const provider = createMemoryProvider({ data, batchSize: 3 })
    const secrets = Object.fromEntries(Object.keys(data).map((id) => [id, mem(id)]))
    const { resolver } = setup(secrets, provider)
    const report = await resolver.resolve(Object.keys(data).map((id) => ref(`secret://${id}`)))
    expect(report.failures).toEqual([])
    expect(provider.calls.fetch).toBe(3)
    expect([...provider.batchSizes].sort()).toEqual([1, 3, 3])
    expect(report.values.size).toBe(7)
  })

  it('sends one request per call to a provider without batch support', async () => {
    const provider = createMemoryProvider({ data: { a: '1aa', b: '2bb' } })
    const { resolver } = setup({ a: mem('a'), b: mem('b') }, provider)
    await resolver.resolve([ref('secret://a'), ref('secret://b')])
    expect(provider.batchSizes).toEqual([1, 1])
  })

  it('caps calls in flight per provider', async () => {
    const data = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, `v${i}`]))
    const provider = createMemoryProvider({ data, latencyMs: 5 })
    const secrets = Object.fromEntries(Object.keys(data).map((id) => [id, mem(id)]))
    const { resolver } = setup(secrets, provider, { concurrency: 3 })
    const report = await resolver.resolve(Object.keys(data).map((id) => ref(`secret://${id}`)))
    expect(report.values.size).toBe(20)
    expect(provider.maxInFlight).toBe(3)
  })

  it('takes the concurrency cap from _config.concurrency', async () => {
    const data = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, `v${i}`]))
    const provider = createMemoryProvider({ data, latencyMs: 5 })
    const secrets = Object.fromEntries(Object.keys(data).map((id) => [id, mem(id)]))
    const { resolver } = setup(secrets, provider, {
      manifest: testManifest(secrets, { concurrency: 2 }),
    })
    await resolver.resolve(Object.keys(data).map((id) => ref(`secret://${id}`)))
    expect(provider.maxInFlight).toBe(2)
  })

  it('shares one in-flight fetch between concurrent resolve() calls', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a' }, latencyMs: 5 })
    const { resolver } = setup({ a: mem('a') }, provider)
    const [r1, r2] = await Promise.all([
      resolver.resolve([ref('secret://a')]),
      resolver.resolve([ref('secret://a')]),
    ])
    expect(provider.calls.fetch).toBe(1)
    expect(r1.valueOf(ref('secret://a'))?.reveal()).toBe('value-a')
    expect(r2.valueOf(ref('secret://a'))?.reveal()).toBe('value-a')
  })
})

describe('cache', () => {
  it('invocation mode: no repeated calls for the resolver lifetime', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    const { resolver } = setup({ a: mem('a') }, provider)
    for (let i = 0; i < 5; i += 1) await resolver.resolve([ref('secret://a')])
    expect(provider.calls.fetch).toBe(1)
    expect(resolver.stats.cacheHits).toBe(4)
  })

  it('long-running mode: serves from cache inside the TTL and refetches after it', async () => {
    let clock = 1_000_000
    const provider = createMemoryProvider({ data: { a: 'first-value' } })
    const { resolver } = setup(
      { a: mem('a', { cache: { enabled: true, ttlMs: 60_000 } }) },
      provider,
      { mode: 'long-running', now: () => clock },
    )
    await resolver.resolve([ref('secret://a')])
    provider.set('a', 'second-value')
    clock += 59_000
    const inside = await resolver.resolve([ref('secret://a')])
    expect(provider.calls.fetch).toBe(1)
    expect(inside.valueOf(ref('secret://a'))?.reveal()).toBe('first-value')
    clock += 2_000
    const after = await resolver.resolve([ref('secret://a')])
    expect(provider.calls.fetch).toBe(2)
    expect(after.valueOf(ref('secret://a'))?.reveal()).toBe('second-value')
  })

  it('long-running mode defaults to a 5 minute TTL (then _config.cache)', async () => {
    let clock = 0
    const provider = createMemoryProvider({ data: { a: 'value-a', b: 'value-b' } })
    const secrets = { a: mem('a'), b: mem('b') }
    const { resolver } = setup(secrets, provider, { mode: 'long-running', now: () => clock })
    await resolver.resolve([ref('secret://a')])
    clock += 299_000
    await resolver.resolve([ref('secret://a')])
    expect(provider.calls.fetch).toBe(1)
    clock += 2_000
    await resolver.resolve([ref('secret://a')])
    expect(provider.calls.fetch).toBe(2)

    const configured = setup(secrets, provider, {
      mode: 'long-running',
      now: () => clock,
      manifest: testManifest(secrets, { cache: { enabled: true, ttlMs: 1_000 } }),
    }).resolver
    provider.resetCounters()
    await configured.resolve([ref('secret://b')])
    clock += 1_500
    await configured.resolve([ref('secret://b')])
    expect(provider.calls.fetch).toBe(2)
  })

  it('cache.enabled: false fetches on every resolve (still deduped inside one)', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    const { resolver } = setup({ a: mem('a', { cache: { enabled: false, ttlMs: 0 } }) }, provider)
    await resolver.resolve([ref('secret://a'), ref('secret://a')])
    await resolver.resolve([ref('secret://a')])
    expect(provider.calls.fetch).toBe(2)
  })

  it('never caches failures', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup({ a: mem('a') }, provider)
    const first = await resolver.resolve([ref('secret://a')])
    expect(first.failures[0]?.error.code).toBe('NOT_FOUND')
    provider.set('a', 'now-here')
    const second = await resolver.resolve([ref('secret://a')])
    expect(second.valueOf(ref('secret://a'))?.reveal()).toBe('now-here')
    expect(provider.calls.fetch).toBe(2)
  })

  it('invalidate() drops one secret', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a', b: 'value-b' } })
    const { resolver } = setup({ a: mem('a'), b: mem('b') }, provider)
    await resolver.resolve([ref('secret://a'), ref('secret://b')])
    resolver.invalidate('a')
    await resolver.resolve([ref('secret://a'), ref('secret://b')])
    expect(provider.fetched).toEqual(['a', 'b', 'a'])
  })
})

describe('retries', () => {
  it('retries UNAVAILABLE with exponential backoff and full jitter', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    provider.failNext('unavailable', 2)
    const { resolver, sleeps } = setup({ a: mem('a') }, provider)
    const report = await resolver.resolve([ref('secret://a')])
    expect(report.valueOf(ref('secret://a'))?.reveal()).toBe('value-a')
    expect(provider.calls.fetch).toBe(3)
    // random() = 0.5: half of 200·2^0 and 200·2^1
    expect(sleeps).toEqual([100, 200])
  })

  it('gives up after `attempts` and reports UNAVAILABLE', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    provider.failNext('unavailable', 10)
    const retry = {
      attempts: 4,
      backoff: 'exponential' as const,
      initialDelayMs: 1000,
      maxDelayMs: 3000,
    }
    const { resolver, sleeps } = setup({ a: mem('a', { retry }) }, provider, { random: () => 1 })
    const report = await resolver.resolve([ref('secret://a')])
    expect(report.failures[0]?.error.code).toBe('UNAVAILABLE')
    expect(provider.calls.fetch).toBe(4)
    expect(sleeps).toEqual([1000, 2000, 3000]) // capped at max_delay
  })

  it('honours Retry-After as a floor', async () => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    provider.failNext('unavailable', 1, { retryAfterMs: 7000 })
    const { resolver, sleeps } = setup({ a: mem('a') }, provider)
    await resolver.resolve([ref('secret://a')])
    expect(sleeps).toEqual([7000])
    expect(provider.calls.fetch).toBe(2)
  })

  it('retries only the failed requests of a batch', async () => {
    const provider = createMemoryProvider({
      data: { a: 'value-a', b: 'value-b', c: 'value-c' },
      batchSize: 10,
    })
    provider.failNext('unavailable', 1, { secret: 'b' })
    const { resolver } = setup({ a: mem('a'), b: mem('b'), c: mem('c') }, provider)
    const report = await resolver.resolve(['a', 'b', 'c'].map((n) => ref(`secret://${n}`)))
    expect(report.failures).toEqual([])
    expect(provider.batchSizes).toEqual([3, 1])
  })

  it.each(['forbidden', 'not_found', 'invalid'] as const)('does not retry %s', async (kind) => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    provider.failNext(kind, 5)
    const { resolver, sleeps } = setup({ a: mem('a') }, provider)
    const report = await resolver.resolve([ref('secret://a')])
    expect(report.failures).toHaveLength(1)
    expect(provider.calls.fetch).toBe(1)
    expect(sleeps).toEqual([])
  })

  it('classifies thrown network errors as transient', async () => {
    let calls = 0
    const flaky: ProviderModule = {
      name: 'flaky',
      packageName: 'floe-provider-flaky',
      configSchema: undefined as never,
      create: () => ({
        name: 'flaky',
        fetchOne: async () => {
          calls += 1
          if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
          return { value: new SecretValue('ok-value') }
        },
      }),
    }
    const { resolver } = setup({ f: { provider: 'flaky' } }, createMemoryProvider(), {
      others: [flaky],
    })
    const report = await resolver.resolve([ref('secret://f')])
    expect(report.valueOf(ref('secret://f'))?.reveal()).toBe('ok-value')
    expect(calls).toBe(2)
  })
})

describe('fallback, on_missing and defaults', () => {
  function withFallback() {
    const primary = createMemoryProvider({ data: { db: 'primary-pw' } })
    const backup = createMemoryProvider({ name: 'backup', data: { DB_PASSWORD: 'env-pw' } })
    const def = mem('db', { fallback: { provider: 'backup', fields: { id: 'DB_PASSWORD' } } })
    const { resolver, sleeps } = setup({ db: def }, primary, {
      others: [memoryProviderModule(backup)],
    })
    return { primary, backup, resolver, sleeps }
  }

  it('uses the fallback provider when the secret is NOT_FOUND', async () => {
    const { primary, backup, resolver } = withFallback()
    primary.delete('db')
    const report = await resolver.resolve([ref('secret://db')])
    expect(report.valueOf(ref('secret://db'))?.reveal()).toBe('env-pw')
    expect(backup.calls.fetch).toBe(1)
    expect(report.warnings.join('\n')).toMatch(/fallback provider "backup"/)
  })

  it('uses the fallback after retries of UNAVAILABLE are spent', async () => {
    const { primary, resolver, sleeps } = withFallback()
    primary.failNext('unavailable', 3)
    const report = await resolver.resolve([ref('secret://db')])
    expect(primary.calls.fetch).toBe(3)
    expect(sleeps).toHaveLength(2)
    expect(report.valueOf(ref('secret://db'))?.reveal()).toBe('env-pw')
  })

  it('never falls back on FORBIDDEN', async () => {
    const { primary, backup, resolver } = withFallback()
    primary.deny('db')
    const report = await resolver.resolve([ref('secret://db')])
    expect(report.failures[0]?.error.code).toBe('FORBIDDEN')
    expect(backup.calls.fetch).toBe(0)
  })

  it('does not call the fallback when the primary succeeds', async () => {
    const { backup, resolver } = withFallback()
    const report = await resolver.resolve([ref('secret://db')])
    expect(report.valueOf(ref('secret://db'))?.reveal()).toBe('primary-pw')
    expect(backup.calls.fetch).toBe(0)
  })

  it('on_missing: fail is the default, with the custom message when given', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup(
      {
        plain: mem('plain'),
        custom: mem('custom', {
          onMissing: { action: 'fail', message: 'Required secret not found: database password' },
        }),
      },
      provider,
    )
    const report = await resolver.resolve([ref('secret://plain'), ref('secret://custom')])
    expect(report.failures.map((f) => f.error.code)).toEqual(['NOT_FOUND', 'NOT_FOUND'])
    expect(report.failures[1]?.error.message).toBe(
      '[memory] Required secret not found: database password',
    )
  })

  it('on_missing: default and warn', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup(
      {
        optional: mem('optional', {
          onMissing: { action: 'default', defaultValue: 'fallback-text' },
        }),
        emptyDefault: mem('emptyDefault', { onMissing: { action: 'default' } }),
        noisy: mem('noisy', { onMissing: { action: 'warn' } }),
      },
      provider,
    )
    const report = await resolver.resolve(
      ['optional', 'emptyDefault', 'noisy'].map((n) => ref(`secret://${n}`)),
    )
    expect(report.failures).toEqual([])
    expect(report.valueOf(ref('secret://optional'))?.reveal()).toBe('fallback-text')
    expect(report.valueOf(ref('secret://emptyDefault'))?.reveal()).toBe('')
    expect(report.valueOf(ref('secret://noisy'))).toBeUndefined()
    expect(report.warnings).toEqual([expect.stringContaining('"noisy" not found')])
  })

  it('on_missing: warn prints its message, prefixed with the secret name', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup(
      {
        told: mem('told', {
          onMissing: { action: 'warn', message: 'Optional secret not found, using defaults' },
        }),
      },
      provider,
    )
    const report = await resolver.resolve([ref('secret://told')])
    expect(report.failures).toEqual([])
    expect(report.warnings).toEqual(['secret "told": Optional secret not found, using defaults'])
  })

  it('?default= and the definition default apply to NOT_FOUND (reference wins)', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup({ a: mem('a', { default: 'def-level' }), b: mem('b') }, provider)
    const report = await resolver.resolve([
      ref('secret://a?default=ref-level'),
      ref('secret://a/x'),
      ref('secret://b/key?default=from-ref'),
    ])
    expect(report.valueOf(ref('secret://a'))?.reveal()).toBe('ref-level')
    expect(report.valueOf(ref('secret://a/x'))?.reveal()).toBe('def-level')
    expect(report.valueOf(ref('secret://b/key'))?.reveal()).toBe('from-ref')
  })

  it('a missing key is NOT_FOUND (default applies); a key of a plain value is INVALID', async () => {
    const provider = createMemoryProvider({
      data: { kv: { user: 'bob-user' }, plain: 'just-text' },
    })
    const { resolver } = setup({ kv: mem('kv'), plain: mem('plain') }, provider)
    const report = await resolver.resolve([
      ref('secret://kv/missing'),
      ref('secret://kv/other?default=d-value'),
      ref('secret://plain/user?default=never'),
    ])
    expect(report.failures.map((f) => [f.ref.key, f.error.code])).toEqual([
      ['missing', 'NOT_FOUND'],
      ['user', 'INVALID'],
    ])
    expect(report.failures[0]?.error.message).toContain('keys: user')
    expect(report.valueOf(ref('secret://kv/other'))?.reveal()).toBe('d-value')
  })

  it.each([
    ['forbidden', 'FORBIDDEN'],
    ['unavailable', 'UNAVAILABLE'],
    ['invalid', 'INVALID'],
  ] as const)('defaults never hide %s', async (kind, code) => {
    const provider = createMemoryProvider({ data: { a: 'value-a' } })
    provider.failNext(kind, 10)
    const { resolver } = setup(
      { a: mem('a', { default: 'def', onMissing: { action: 'default', defaultValue: 'x' } }) },
      provider,
    )
    const report = await resolver.resolve([ref('secret://a?default=ref-default')])
    expect(report.valueOf(ref('secret://a'))).toBeUndefined()
    expect(report.failures[0]?.error.code).toBe(code)
  })

  it('an empty value is a value, not a missing secret', async () => {
    const provider = createMemoryProvider({ data: { empty: '' } })
    const { resolver } = setup({ empty: mem('empty', { default: 'not-used' }) }, provider)
    const report = await resolver.resolve([ref('secret://empty?default=nope')])
    expect(report.valueOf(ref('secret://empty'))?.reveal()).toBe('')
  })

  it('selects a definition’s single `key:` when the reference has none', async () => {
    const provider = createMemoryProvider({
      data: { kafka: { username: 'u1', password: 'kafka-pw' } },
    })
    const { resolver } = setup(
      {
        kafka_password: mem('kafka', {
          fields: { id: 'kafka', key: 'password' },
          keys: ['password'],
        }),
      },
      provider,
    )
    const report = await resolver.resolve([ref('secret://kafka_password')])
    expect(report.valueOf(ref('secret://kafka_password'))?.reveal()).toBe('kafka-pw')
  })

  it('reports undeclared secrets and missing providers with what to do', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup({ v: { provider: 'vault', fields: { path: 'x' } } }, provider)
    const report = await resolver.resolve([ref('secret://nope'), ref('secret://v')])
    expect(report.failures[0]?.error.code).toBe('CONFIG')
    expect(report.failures[1]?.error.code).toBe('NOT_INSTALLED')
    expect(report.failures[1]?.error.hint).toBe('npm install @floe/provider-vault')
  })
})

describe('resolveEnv', () => {
  it('maps bindings to SecretValues and throws the first failure unless partial', async () => {
    const provider = createMemoryProvider({ data: { db: { password: 'pw-123' } } })
    const { resolver } = setup({ db: mem('db'), gone: mem('gone') }, provider)
    const good = {
      name: 'DB_PASSWORD',
      ref: ref('secret://db/password'),
      origin: 'derived' as const,
    }
    const bad = { name: 'GONE', ref: ref('secret://gone'), origin: 'explicit' as const }
    const { env } = await resolver.resolveEnv([good])
    expect(env.DB_PASSWORD?.reveal()).toBe('pw-123')
    await expect(resolver.resolveEnv([good, bad])).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const partial = await resolver.resolveEnv([good, bad], { allowPartial: true })
    expect(Object.keys(partial.env)).toEqual(['DB_PASSWORD'])
    expect(partial.report.failures).toHaveLength(1)
  })
})

describe('describe', () => {
  it('reads metadata only, never fetch', async () => {
    const provider = createMemoryProvider({ data: { a: { k1: 'v1', k2: 'v2' } } })
    const { resolver } = setup({ a: mem('a'), gone: mem('gone') }, provider)
    const [a, gone] = await resolver.describe(['a', 'gone'])
    expect(provider.calls.fetch).toBe(0)
    expect(provider.calls.describe).toBe(2)
    expect(a?.metadata).toMatchObject({ exists: true, keys: ['k1', 'k2'], version: '1' })
    expect(gone?.metadata).toEqual({ exists: false })
    expect(gone?.error?.code).toBe('NOT_FOUND')
  })

  it('retries transient describe failures', async () => {
    const provider = createMemoryProvider({ data: { a: 'v' } })
    provider.failNext('unavailable', 1, { operation: 'describe' })
    const { resolver, sleeps } = setup({ a: mem('a') }, provider)
    const [a] = await resolver.describe(['a'])
    expect(a?.metadata?.exists).toBe(true)
    expect(provider.calls.describe).toBe(2)
    expect(sleeps).toEqual([100])
  })

  it('reports undeclared secrets and missing providers without throwing', async () => {
    const provider = createMemoryProvider({ data: {} })
    const { resolver } = setup({ v: { provider: 'vault', fields: {} } }, provider)
    const [nope, v] = await resolver.describe(['nope', 'v'])
    expect(nope?.error?.code).toBe('CONFIG')
    expect(v).toMatchObject({ provider: 'vault', error: { code: 'NOT_INSTALLED' } })
  })

  it('reports UNSUPPORTED for providers without describe', async () => {
    const provider = createMemoryProvider({ data: { a: 'v' }, capabilities: { describe: false } })
    const { resolver } = setup({ a: mem('a') }, provider)
    const [a] = await resolver.describe(['a'])
    expect(a?.error?.code).toBe('UNSUPPORTED')
    expect(provider.calls.fetch).toBe(0)
  })
})

describe('redaction', () => {
  it('masks values resolved by this resolver in failure messages', async () => {
    const leaky: ProviderModule = {
      name: 'leaky',
      packageName: 'floe-provider-leaky',
      configSchema: undefined as never,
      create: () => ({
        name: 'leaky',
        fetchOne: async () => {
          throw new InvalidSecretError('batch only', { provider: 'leaky' })
        },
        fetchMany: async (reqs) =>
          reqs.map((r) =>
            r.secret === 'good'
              ? { ok: true as const, secret: { value: new SecretValue('sup3r-s3cret', 'good') } }
              : {
                  ok: false as const,
                  error: new InvalidSecretError('could not parse "sup3r-s3cret" as JSON', {
                    provider: 'leaky',
                  }),
                },
          ),
      }),
    }
    const { resolver } = setup(
      { good: { provider: 'leaky' }, bad: { provider: 'leaky' } },
      createMemoryProvider(),
      { others: [leaky] },
    )
    const report = await resolver.resolve([ref('secret://good'), ref('secret://bad')])
    expect(report.failures[0]?.error.message).toBe('[leaky] could not parse "[REDACTED]" as JSON')
    const dump = `${inspect(report, { depth: 10 })} ${JSON.stringify({ values: [...report.values], failures: report.failures })}`
    expect(dump).not.toContain('sup3r-s3cret')
    expect(resolver.redactor.redact('x sup3r-s3cret y')).toBe('x [REDACTED] y')
  })
})

describe('canary: no value leaks from the resolver', () => {
  it('keeps values out of logs, reports, errors and warnings on every path', async () => {
    const canaries = ['canary-db-8812', 'canary-api-4471', 'canary-fb-2093', 'canary-key-7730']
    const provider = createMemoryProvider({
      data: { db: { password: canaries[0]! }, api: canaries[1]!, kv: { key: canaries[3]! } },
      batchSize: 5,
    })
    const backup = createMemoryProvider({ name: 'backup', data: { FB: canaries[2]! } })
    provider.failNext('unavailable', 1)
    provider.deny('api')
    const lines: string[] = []
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) })
    const { resolver } = setup(
      {
        db: mem('db'),
        api: mem('api'),
        kv: mem('kv'),
        gone: mem('gone', { fallback: { provider: 'backup', fields: { id: 'FB' } } }),
        quiet: mem('quiet', { onMissing: { action: 'warn' } }),
      },
      provider,
      { others: [memoryProviderModule(backup)], logger },
    )
    const refs = ['db/password', 'api', 'kv/key', 'kv/nokey', 'gone', 'quiet', 'db/password/x'].map(
      (r) => ref(`secret://${r}`),
    )
    const report = await resolver.resolve(refs)
    const described = await resolver.describe(['db', 'api', 'kv'])
    expect(report.values.size).toBe(3)
    logger.info('resolved', { values: [...report.values.values()], report })
    logger.info(`raw ${report.valueOf(ref('secret://kv/key'))!.reveal()}`)
    const surfaces = [
      lines.join('\n'),
      JSON.stringify({ values: [...report.values], failures: report.failures, described }),
      inspect(report, { depth: 10 }),
      report.failures.map((f) => `${f.error.message}\n${f.error.stack}`).join('\n'),
      report.warnings.join('\n'),
    ]
    for (const surface of surfaces) {
      for (const canary of canaries) expect(surface).not.toContain(canary)
    }
    expect(lines.join('\n')).toContain('raw [REDACTED]')
  })
})
