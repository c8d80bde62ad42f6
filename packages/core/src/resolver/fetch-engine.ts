import { FloeError } from '../errors.js'
import { batchSizeOf, fetchChunk as callProvider } from '../provider-kit.js'
import type {
  FetchedSecret,
  FetchOutcome,
  FetchRequest,
  LeaseInfo,
  Logger,
  ProviderContext,
  SecretProvider,
  SecretsConfig,
} from '../types.js'
import type { FetchSpec } from './fetch-spec.js'
import { cachePolicyOf, retryPolicyOf, toFloeError } from './policies.js'
import type { ProviderPool } from './provider-pool.js'
import { callWithRetries, type RetryClock } from './with-retries.js'

export type ResolverMode = 'invocation' | 'long-running'

export interface ResolverStats {
  /** provider calls made (fetch and describe, retries included) */
  providerCalls: number
  cacheHits: number
  retries: number
}

/** What the fetch engine tells the lease keeper. */
export interface LeaseHooks {
  /** a fetched secret carries a lease; `renew` is false when its value is not kept */
  hold(spec: FetchSpec, lease: LeaseInfo, renew: boolean): void
  /** the cache entry of `key` is gone: stop renewing it */
  release(key: string): void
}

interface CacheEntry {
  promise: Promise<FetchOutcome>
  expiresAt: number
  settled: boolean
}

export interface FetchEngine {
  /**
   * Fetches every spec, from cache where possible, batching per provider and capping calls in
   * flight. Concurrent callers share in-flight fetches through the cache.
   */
  fetchAll(specs: readonly FetchSpec[]): Promise<Map<string, FetchOutcome>>
  /** true when `key` holds a settled, unexpired value */
  isCached(key: string): boolean
  /** drops cache entries whose key starts with `prefix` (all when empty) */
  invalidate(prefix: string): void
  /** drops the cache entry of exactly `key` */
  forget(key: string): void
  /** a renewed lease extends its entry */
  extend(key: string, expiresAt: number): void
}

function defer<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

export function createFetchEngine(options: {
  config: SecretsConfig
  mode: ResolverMode
  pool: ProviderPool
  ctx: ProviderContext
  logger: Logger
  stats: ResolverStats
  clock: RetryClock
  now: () => number
  leases: LeaseHooks
}): FetchEngine {
  const { config, mode, pool, ctx, logger, stats, now, leases } = options
  const cache = new Map<string, CacheEntry>()

  function cached(key: string): CacheEntry | undefined {
    const entry = cache.get(key)
    if (!entry) return undefined
    if (entry.settled && entry.expiresAt <= now()) {
      drop(key, entry)
      return undefined
    }
    return entry
  }

  function drop(key: string, entry: CacheEntry): void {
    if (cache.get(key) !== entry) return
    cache.delete(key)
    leases.release(key)
  }

  function expiryOf(spec: FetchSpec, fetched: FetchedSecret): number {
    if (fetched.lease) return fetched.lease.issuedAt.getTime() + fetched.lease.ttlSeconds * 1000
    if (mode === 'invocation') return Number.POSITIVE_INFINITY
    return now() + cachePolicyOf(spec.definition, config).ttlMs
  }

  function settle(spec: FetchSpec, entry: CacheEntry, outcome: FetchOutcome): void {
    entry.settled = true
    if (!outcome.ok) return drop(spec.key, entry)
    const keep = cachePolicyOf(spec.definition, config).enabled
    if (keep) entry.expiresAt = expiryOf(spec, outcome.secret)
    else drop(spec.key, entry)
    // An uncached dynamic secret still holds a lease, revoked when the resolver is disposed.
    if (outcome.secret.lease) leases.hold(spec, outcome.secret.lease, keep)
  }

  /** One provider call for `specs` (a batch), with retries of transient failures. */
  function fetchChunk(provider: SecretProvider, specs: FetchSpec[]) {
    const limit = pool.limitFor(provider.name)
    return callWithRetries(
      specs,
      async (pending) => {
        const requests: FetchRequest[] = pending.map((s) => ({
          secret: s.secret,
          config: s.config,
          ...(s.version !== undefined ? { version: s.version } : {}),
        }))
        stats.providerCalls += 1
        try {
          return await limit(() => callProvider(provider, requests, ctx))
        } catch (error) {
          const failure = toFloeError(error, provider.name)
          return pending.map((): FetchOutcome => ({ ok: false, error: failure }))
        }
      },
      {
        policyOf: (spec) => retryPolicyOf(spec.definition, config),
        failureOf: (outcome) => (outcome.ok ? undefined : outcome.error),
        clock: options.clock,
        onRetry: (retry, attempt, delayMs) => {
          stats.retries += 1
          logger.debug('retrying transient provider failure', {
            provider: provider.name,
            secrets: retry.map((s) => s.secret),
            attempt,
            delayMs,
          })
        },
      },
    )
  }

  async function fetchFromProvider(
    providerName: string,
    group: { spec: FetchSpec; resolve: (o: FetchOutcome) => void }[],
  ): Promise<void> {
    let provider: SecretProvider
    try {
      provider = await pool.get(providerName)
    } catch (error) {
      const failure = toFloeError(error, providerName)
      for (const item of group) item.resolve({ ok: false, error: failure })
      return
    }
    const size = batchSizeOf(provider)
    const chunks: (typeof group)[] = []
    for (let i = 0; i < group.length; i += size) chunks.push(group.slice(i, i + size))
    await Promise.all(
      chunks.map(async (chunk) => {
        const results = await fetchChunk(
          provider,
          chunk.map((c) => c.spec),
        )
        for (const item of chunk) {
          item.resolve(
            results.get(item.spec) ?? {
              ok: false,
              error: new FloeError('INVALID', 'no result', { provider: providerName }),
            },
          )
        }
      }),
    )
  }

  return {
    async fetchAll(specs) {
      const out = new Map<string, FetchOutcome>()
      const waits: Promise<void>[] = []
      const byProvider = new Map<
        string,
        { spec: FetchSpec; resolve: (o: FetchOutcome) => void }[]
      >()
      for (const spec of specs) {
        const hit = cached(spec.key)
        if (hit) {
          if (hit.settled) stats.cacheHits += 1
          waits.push(hit.promise.then((o) => void out.set(spec.key, o)))
          continue
        }
        const deferred = defer<FetchOutcome>()
        const entry: CacheEntry = {
          promise: deferred.promise,
          expiresAt: Number.POSITIVE_INFINITY,
          settled: false,
        }
        cache.set(spec.key, entry)
        const group = byProvider.get(spec.provider) ?? []
        group.push({
          spec,
          resolve: (outcome) => {
            settle(spec, entry, outcome)
            deferred.resolve(outcome)
          },
        })
        byProvider.set(spec.provider, group)
        waits.push(deferred.promise.then((o) => void out.set(spec.key, o)))
      }
      for (const [providerName, group] of byProvider) {
        waits.push(fetchFromProvider(providerName, group))
      }
      await Promise.all(waits)
      return out
    },
    isCached: (key) => cached(key)?.settled === true,
    invalidate(prefix) {
      for (const [key, entry] of cache) if (key.startsWith(prefix)) drop(key, entry)
    },
    forget(key) {
      const entry = cache.get(key)
      if (entry) drop(key, entry)
    },
    extend(key, expiresAt) {
      const entry = cache.get(key)
      if (entry) entry.expiresAt = expiresAt
    },
  }
}
