import { resolve as resolvePath } from 'node:path'
import pLimit, { type LimitFunction } from 'p-limit'
import { createAuditLog, type AuditEntry, type AuditLog } from '../audit/audit-log.js'
import {
  ConfigError,
  FloeError,
  NotInstalledError,
  SecretNotFoundError,
  UnsupportedError,
} from '../errors.js'
import { selectKey } from '../fetched.js'
import { batchSizeOf, fetchChunk as callProvider } from '../provider-kit.js'
import { silentLogger } from '../logging/logger.js'
import { Redactor } from '../logging/redactor.js'
import { SecretValue } from '../secret-value.js'
import type {
  DescribeOutcome,
  EnvBinding,
  FetchedSecret,
  FetchOutcome,
  FetchRequest,
  LeaseInfo,
  LoadedManifest,
  Logger,
  ProviderCatalog,
  ProviderContext,
  ResolveReport,
  Resolver,
  RetryPolicy,
  SecretDefinition,
  SecretProvider,
} from '../types.js'
import { refId, type SecretRef } from '../uri.js'
import {
  backoffDelay,
  cachePolicyOf,
  DEFAULT_CONCURRENCY,
  retryPolicyOf,
  toFloeError,
} from './policies.js'
import { createReport } from './report.js'

export type ResolverMode = 'invocation' | 'long-running'

export interface LeaseRefreshEvent {
  secret: string
  provider: string
  /** 'renewed' keeps the credentials; 'refetched' means new credentials were issued */
  kind: 'renewed' | 'refetched' | 'failed'
  lease?: LeaseInfo
  error?: FloeError
}

export interface ResolverOptions {
  manifest: Pick<LoadedManifest, 'secrets' | 'config'> & Partial<Pick<LoadedManifest, 'dir'>>
  /** a ProviderRegistry or any ProviderCatalog */
  catalog: ProviderCatalog
  env?: NodeJS.ProcessEnv
  cwd?: string
  logger?: Logger
  /** audit sink; defaults to `_config.audit.path` when auditing is enabled */
  audit?: AuditLog
  /** every resolved value is added here (share it with the logger and `exec` masking) */
  redactor?: Redactor
  /** 'invocation' (CLI): cache for the resolver's lifetime; 'long-running': TTL + lease renewal */
  mode?: ResolverMode
  /** in-flight calls per provider (default `_config.concurrency`, else 8) */
  concurrency?: number
  /** passed to each provider module's `create()`; default: the registry's `optionsFor(name)` */
  providerOptions?: Record<string, Record<string, unknown>>
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
  /** notified when a dynamic secret's lease is renewed or its credentials re-issued */
  onLeaseRefresh?: (event: LeaseRefreshEvent) => void
}

export interface ResolverStats {
  /** provider calls made (fetch and describe, retries included) */
  providerCalls: number
  cacheHits: number
  retries: number
}

/** The resolver plus the extras long-running hosts need. */
export interface FloeResolver extends Resolver {
  /** drops cached values of one secret (or all), e.g. after a rotation was detected */
  invalidate(secret?: string): void
  readonly stats: ResolverStats
  readonly redactor: Redactor
  /** the provider instance this resolver uses for a name (created on first use) */
  providerFor(name: string): Promise<SecretProvider>
}

/** What is fetched: a definition (or a fallback source) at a version. */
interface FetchSpec {
  key: string
  secret: string
  provider: string
  config: Record<string, unknown>
  version?: string
  definition: SecretDefinition
  isFallback: boolean
}

interface CacheEntry {
  promise: Promise<FetchOutcome>
  expiresAt: number
  spec: FetchSpec
  settled: boolean
  lease?: LeaseInfo
  /** end of the lease's maximum lifetime (ms), from the first issue */
  leaseMaxEnd?: number
  timer?: NodeJS.Timeout
}

const TRANSIENT_OR_MISSING = new Set(['NOT_FOUND', 'UNAVAILABLE'])

/** How one (definition, version) of a resolve() call gets its value. */
interface Use {
  definition: SecretDefinition
  spec: FetchSpec
  fallback?: FetchSpec
  outcome?: FetchOutcome
  viaFallback?: boolean
}

function defer<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Resolves `secret://` references per DESIGN §6: plan, dedupe, batch, cap concurrency, cache,
 * retry transient failures, then fallback, on_missing and defaults (NOT_FOUND only).
 */
export function createResolver(options: ResolverOptions): FloeResolver {
  const { manifest, catalog } = options
  const config = manifest.config
  const mode: ResolverMode = options.mode ?? 'invocation'
  const logger = options.logger ?? silentLogger
  const sleep = options.sleep ?? realSleep
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  const concurrency = Math.max(1, options.concurrency ?? config.concurrency ?? DEFAULT_CONCURRENCY)
  const redactor = options.redactor ?? new Redactor()
  const registerSecret = (logger as { registerSecret?: (v: SecretValue) => void }).registerSecret
  const ctx: ProviderContext = {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    logger,
  }
  const audit = config.audit?.enabled
    ? (options.audit ??
      (config.audit.path
        ? createAuditLog({
            path: resolvePath(manifest.dir ?? ctx.cwd, config.audit.path),
            env: ctx.env,
          })
        : undefined))
    : undefined
  const logAccess = config.audit?.logAccess ?? true

  const providers = new Map<string, Promise<SecretProvider>>()
  const limits = new Map<string, LimitFunction>()
  const cache = new Map<string, CacheEntry>()
  const leases = new Map<string, { lease: LeaseInfo; provider: string }>()
  const stats: ResolverStats = { providerCalls: 0, cacheHits: 0, retries: 0 }
  let disposed = false
  // References are usually parsed once and resolved many times: memoize their identity.
  const refIds = new WeakMap<SecretRef, string>()
  const idOf = (ref: SecretRef): string => {
    let id = refIds.get(ref)
    if (id === undefined) {
      id = refId(ref)
      refIds.set(ref, id)
    }
    return id
  }
  const registered = new WeakSet<SecretValue>()

  function record(entry: AuditEntry): void {
    if (!audit) return
    if (entry.outcome === 'ok' || entry.outcome === 'cached') {
      if (!logAccess) return
    }
    try {
      audit.append(entry)
    } catch (error) {
      logger.warn('audit log write failed', { error: (error as Error).message })
    }
  }

  function providerFor(name: string): Promise<SecretProvider> {
    let pending = providers.get(name)
    if (!pending) {
      pending = catalog.load(name).then((mod) => {
        if (!mod) {
          const pkg = catalog.packageFor(name)
          throw new NotInstalledError(`provider "${name}" is not installed`, {
            hint: `npm install ${pkg}`,
            details: { package: pkg },
          })
        }
        const fromCatalog = (catalog as { optionsFor?: (n: string) => Record<string, unknown> })
          .optionsFor
        return mod.create(options.providerOptions?.[name] ?? fromCatalog?.call(catalog, name) ?? {})
      })
      pending.catch(() => providers.delete(name))
      providers.set(name, pending)
    }
    return pending
  }

  function limitFor(provider: string): LimitFunction {
    let limit = limits.get(provider)
    if (!limit) {
      limit = pLimit(concurrency)
      limits.set(provider, limit)
    }
    return limit
  }

  // ───────────────────────── fetching: cache, batches, retries ─────────────────────────

  // Fetches are keyed by manifest secret, not by provider fields: a provider may derive the
  // remote name from the secret name, so equal fields do not prove the same remote secret.
  const specKey = (provider: string, secret: string, version?: string) =>
    `${provider}\u0000${secret}\u0000${version ?? ''}`

  function specOf(definition: SecretDefinition, version: string | undefined): FetchSpec {
    return {
      key: specKey(definition.provider, definition.name, version),
      secret: definition.name,
      provider: definition.provider,
      config: definition.fields,
      ...(version !== undefined ? { version } : {}),
      definition,
      isFallback: false,
    }
  }

  function fallbackSpecOf(definition: SecretDefinition): FetchSpec | undefined {
    const fallback = definition.fallback
    if (!fallback) return undefined
    return {
      key: `fallback\u0000${specKey(fallback.provider, definition.name)}`,
      secret: definition.name,
      provider: fallback.provider,
      config: fallback.fields,
      definition,
      isFallback: true,
    }
  }

  function cached(key: string): CacheEntry | undefined {
    const entry = cache.get(key)
    if (!entry) return undefined
    if (entry.settled && entry.expiresAt <= now()) {
      dropEntry(key, entry)
      return undefined
    }
    return entry
  }

  function dropEntry(key: string, entry: CacheEntry): void {
    if (entry.timer) clearTimeout(entry.timer)
    if (cache.get(key) === entry) cache.delete(key)
  }

  /** Runs one provider call for `specs` with retries; settles every spec's outcome. */
  async function fetchChunk(
    provider: SecretProvider,
    specs: FetchSpec[],
  ): Promise<Map<FetchSpec, FetchOutcome>> {
    const results = new Map<FetchSpec, FetchOutcome>()
    const limit = limitFor(provider.name)
    let pending = specs
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const requests: FetchRequest[] = pending.map((s) => ({
        secret: s.secret,
        config: s.config,
        ...(s.version !== undefined ? { version: s.version } : {}),
      }))
      let outcomes: FetchOutcome[]
      try {
        stats.providerCalls += 1
        outcomes = await limit(() => callProvider(provider, requests, ctx))
      } catch (error) {
        const failure = toFloeError(error, provider.name)
        outcomes = pending.map(() => ({ ok: false as const, error: failure }))
      }
      const retry: FetchSpec[] = []
      let retryAfterMs: number | undefined
      let policy: RetryPolicy | undefined
      pending.forEach((spec, i) => {
        const outcome = outcomes[i] as FetchOutcome
        const specPolicy = retryPolicyOf(spec.definition, config)
        if (!outcome.ok && outcome.error.transient && attempt < specPolicy.attempts) {
          retry.push(spec)
          policy ??= specPolicy
          if (outcome.error.retryAfterMs !== undefined) {
            retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.error.retryAfterMs)
          }
        } else {
          results.set(spec, outcome)
        }
      })
      if (retry.length > 0 && policy) {
        const delay = backoffDelay(policy, attempt, random, retryAfterMs)
        stats.retries += 1
        logger.debug('retrying transient provider failure', {
          provider: provider.name,
          secrets: retry.map((s) => s.secret),
          attempt,
          delayMs: delay,
        })
        await sleep(delay)
      }
      pending = retry
    }
    return results
  }

  function expiryOf(spec: FetchSpec, fetched: FetchedSecret): number {
    if (fetched.lease) return fetched.lease.issuedAt.getTime() + fetched.lease.ttlSeconds * 1000
    if (mode === 'invocation') return Number.POSITIVE_INFINITY
    return now() + cachePolicyOf(spec.definition, config).ttlMs
  }

  function settle(spec: FetchSpec, entry: CacheEntry, outcome: FetchOutcome): void {
    entry.settled = true
    if (!outcome.ok) {
      dropEntry(spec.key, entry)
      return
    }
    const lease = outcome.secret.lease
    if (lease) {
      leases.set(lease.id, { lease, provider: spec.provider })
      entry.lease = lease
      entry.leaseMaxEnd ??=
        lease.maxTtlSeconds !== undefined
          ? lease.issuedAt.getTime() + lease.maxTtlSeconds * 1000
          : undefined
    }
    const policy = cachePolicyOf(spec.definition, config)
    if (!policy.enabled) {
      dropEntry(spec.key, entry)
    } else {
      entry.expiresAt = expiryOf(spec, outcome.secret)
      if (lease && mode === 'long-running') scheduleRenewal(entry)
    }
  }

  /**
   * Fetches every spec, from cache where possible, batching per provider and capping calls
   * in flight. Concurrent callers share in-flight fetches through the cache map.
   */
  async function fetchAll(specs: FetchSpec[]): Promise<Map<string, FetchOutcome>> {
    const out = new Map<string, FetchOutcome>()
    const waits: Promise<void>[] = []
    const byProvider = new Map<
      string,
      { spec: FetchSpec; entry: CacheEntry; resolve: (o: FetchOutcome) => void }[]
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
        spec,
        settled: false,
      }
      cache.set(spec.key, entry)
      const resolveEntry = (outcome: FetchOutcome) => {
        settle(spec, entry, outcome)
        deferred.resolve(outcome)
      }
      const group = byProvider.get(spec.provider) ?? []
      group.push({ spec, entry, resolve: resolveEntry })
      byProvider.set(spec.provider, group)
      waits.push(deferred.promise.then((o) => void out.set(spec.key, o)))
    }
    for (const [providerName, group] of byProvider) {
      waits.push(
        (async () => {
          let provider: SecretProvider
          try {
            provider = await providerFor(providerName)
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
        })(),
      )
    }
    await Promise.all(waits)
    return out
  }

  // ───────────────────────── dynamic secrets: renewal ─────────────────────────

  function scheduleRenewal(entry: CacheEntry): void {
    const lease = entry.lease
    const definition = entry.spec.definition
    if (!lease || disposed || definition.lease?.renewalEnabled === false) return
    if (entry.timer) clearTimeout(entry.timer)
    const remaining = lease.issuedAt.getTime() + lease.ttlSeconds * 1000 - now()
    let delay = (remaining * 2) / 3
    const keep = (definition.lease?.minRenewalSeconds ?? 0) * 1000
    // Renew early enough that at least min_renewal_seconds of validity remain.
    if (keep > 0 && remaining - delay < keep) delay = Math.max(remaining / 3, remaining - keep)
    entry.timer = setTimeout(
      () => {
        refreshLease(entry).catch((error: unknown) => {
          logger.warn('lease refresh failed', {
            secret: entry.spec.secret,
            error: toFloeError(error, entry.spec.provider).message,
          })
        })
      },
      Math.max(0, delay),
    )
    entry.timer.unref()
  }

  async function refreshLease(entry: CacheEntry): Promise<void> {
    const { spec } = entry
    const lease = entry.lease
    if (!lease || disposed || cache.get(spec.key) !== entry) return
    const provider = await providerFor(spec.provider)
    const increment = spec.definition.lease?.incrementSeconds
    const atMax = entry.leaseMaxEnd !== undefined && entry.leaseMaxEnd - now() <= 1000
    if (lease.renewable && provider.renew && !atMax) {
      try {
        stats.providerCalls += 1
        const renewed = await limitFor(spec.provider)(() => provider.renew!(lease, ctx, increment))
        const newEnd = renewed.issuedAt.getTime() + renewed.ttlSeconds * 1000
        const oldEnd = lease.issuedAt.getTime() + lease.ttlSeconds * 1000
        record({ action: 'renew', secret: spec.secret, provider: spec.provider, outcome: 'ok' })
        // A renewal that no longer extends the lease means its max TTL is reached.
        if (newEnd > oldEnd && newEnd - now() > 1000) {
          entry.lease = renewed
          entry.expiresAt = newEnd
          leases.set(renewed.id, { lease: renewed, provider: spec.provider })
          options.onLeaseRefresh?.({
            secret: spec.secret,
            provider: spec.provider,
            kind: 'renewed',
            lease: renewed,
          })
          scheduleRenewal(entry)
          return
        }
      } catch (error) {
        const failure = toFloeError(error, spec.provider, spec.secret)
        record({
          action: 'renew',
          secret: spec.secret,
          provider: spec.provider,
          outcome: failure.code,
        })
        logger.warn('lease renewal failed; fetching new credentials', {
          secret: spec.secret,
          error: failure.message,
        })
      }
    }
    await refetch(entry, lease)
  }

  async function refetch(entry: CacheEntry, oldLease: LeaseInfo): Promise<void> {
    const { spec } = entry
    dropEntry(spec.key, entry)
    const outcome = (await fetchAll([spec])).get(spec.key)
    if (outcome?.ok) {
      options.onLeaseRefresh?.({
        secret: spec.secret,
        provider: spec.provider,
        kind: 'refetched',
        ...(outcome.secret.lease ? { lease: outcome.secret.lease } : {}),
      })
      await revokeLease(oldLease, spec.provider)
      return
    }
    const error = outcome && !outcome.ok ? outcome.error : undefined
    logger.warn('could not fetch new credentials for a dynamic secret', {
      secret: spec.secret,
      ...(error ? { error: error.message } : {}),
    })
    options.onLeaseRefresh?.({
      secret: spec.secret,
      provider: spec.provider,
      kind: 'failed',
      ...(error ? { error } : {}),
    })
  }

  async function revokeLease(lease: LeaseInfo, providerName: string): Promise<void> {
    leases.delete(lease.id)
    try {
      const provider = await providerFor(providerName)
      if (!provider.revoke) return
      stats.providerCalls += 1
      await provider.revoke(lease, ctx)
      record({
        action: 'revoke',
        provider: providerName,
        outcome: 'ok',
        detail: `lease ${lease.id}`,
      })
    } catch (error) {
      logger.warn('lease revocation failed', {
        provider: providerName,
        error: toFloeError(error, providerName).message,
      })
    }
  }

  // ───────────────────────── resolution policies ─────────────────────────

  /** The key to select: the reference's, else a definition's single declared `key:`. */
  function keyFor(
    ref: SecretRef,
    definition: SecretDefinition,
    fetched: FetchedSecret,
  ): string | undefined {
    if (ref.key !== undefined) return ref.key
    const single = definition.fields.key
    if (typeof single === 'string' && fetched.keys && single in fetched.keys) return single
    return undefined
  }

  function missingPolicy(
    ref: SecretRef,
    definition: SecretDefinition,
    error: FloeError,
    report: ResolveReport,
  ): void {
    const id = idOf(ref)
    const put = (plain: string) => {
      const value = new SecretValue(plain, ref.key ? `${ref.name}/${ref.key}` : ref.name)
      report.values.set(id, value)
    }
    if (error.code !== 'NOT_FOUND') {
      report.failures.push({ ref, error })
      return
    }
    // Most specific first: the reference's ?default=, then the definition's default.
    if (ref.default !== undefined) return put(ref.default)
    if (definition.default !== undefined) return put(definition.default)
    const onMissing = definition.onMissing
    switch (onMissing?.action ?? 'fail') {
      case 'default':
        return put(onMissing?.defaultValue ?? '')
      case 'warn':
        report.warnings.push(
          `secret "${ref.name}" not found; continuing without it (on_missing: warn)`,
        )
        return
      default:
        report.failures.push({
          ref,
          error: onMissing?.message
            ? new SecretNotFoundError(onMissing.message, {
                secret: ref.name,
                ...(error.provider ? { provider: error.provider } : {}),
                cause: error,
              })
            : error,
        })
    }
  }

  function redactFailures(report: ResolveReport): void {
    for (const failure of report.failures) {
      const clean = redactor.redact(failure.error.message)
      if (clean !== failure.error.message) {
        const stack = failure.error.stack ?? ''
        failure.error.message = clean
        failure.error.stack = redactor.redact(stack)
      }
    }
    for (let i = 0; i < report.warnings.length; i += 1) {
      report.warnings[i] = redactor.redact(report.warnings[i] as string)
    }
  }

  async function resolve(refs: readonly SecretRef[]): Promise<ResolveReport> {
    if (disposed) throw new FloeError('USAGE', 'resolver used after dispose()')
    const report = createReport()
    const specs = new Map<string, FetchSpec>()
    /** one per (definition, version): where its value comes from */
    const uses = new Map<string, Use>()
    const planned: { ref: SecretRef; use: Use }[] = []
    for (const ref of refs) {
      const definition = manifest.secrets[ref.name]
      if (!definition) {
        report.failures.push({
          ref,
          error: new ConfigError(`secret "${ref.name}" is not declared in the manifest`, {
            secret: ref.name,
            hint: `add it under secrets: in the manifest`,
          }),
        })
        continue
      }
      const useKey = `${ref.name}\u0000${ref.version ?? ''}`
      let use = uses.get(useKey)
      if (!use) {
        const key = specKey(definition.provider, definition.name, ref.version)
        let spec = specs.get(key)
        if (!spec) {
          spec = specOf(definition, ref.version)
          specs.set(key, spec)
        }
        use = { definition, spec }
        uses.set(useKey, use)
      }
      planned.push({ ref, use })
    }

    const hitsBefore = stats.cacheHits
    const cachedKeys = new Set([...specs.keys()].filter((k) => cached(k)?.settled))
    const primary = await fetchAll([...specs.values()])

    // Fallbacks: NOT_FOUND, or UNAVAILABLE once retries are spent — never FORBIDDEN/INVALID.
    const fallbackSpecs = new Map<string, FetchSpec>()
    for (const use of uses.values()) {
      const outcome = primary.get(use.spec.key)
      if (outcome && !outcome.ok && TRANSIENT_OR_MISSING.has(outcome.error.code)) {
        const fallback = fallbackSpecOf(use.definition)
        if (fallback) {
          use.fallback = fallbackSpecs.get(fallback.key) ?? fallback
          fallbackSpecs.set(fallback.key, use.fallback)
        }
      }
    }
    const fallbackResults = fallbackSpecs.size
      ? await fetchAll([...fallbackSpecs.values()])
      : new Map<string, FetchOutcome>()

    for (const use of uses.values()) {
      const first = primary.get(use.spec.key) as FetchOutcome
      const second = use.fallback ? fallbackResults.get(use.fallback.key) : undefined
      const name = use.definition.name
      if (second?.ok && !first.ok) {
        report.warnings.push(
          `secret "${name}" came from its fallback provider "${use.fallback!.provider}" (${use.spec.provider}: ${first.error.code})`,
        )
        use.outcome = second
        use.viaFallback = true
      } else {
        use.outcome = first
      }
      record({
        action: 'resolve',
        secret: name,
        provider: use.viaFallback ? use.fallback!.provider : use.spec.provider,
        outcome: use.outcome.ok
          ? cachedKeys.has(use.spec.key) && !use.viaFallback
            ? 'cached'
            : 'ok'
          : use.outcome.error.code,
        ...(use.viaFallback && !first.ok ? { detail: `fallback after ${first.error.code}` } : {}),
      })
    }

    for (const { ref, use } of planned) {
      const outcome = use.outcome!
      const { definition } = use
      if (!outcome.ok) {
        missingPolicy(ref, definition, outcome.error, report)
        continue
      }
      try {
        const value = selectKey(outcome.secret, ref.name, keyFor(ref, definition, outcome.secret))
        report.values.set(idOf(ref), value)
      } catch (error) {
        missingPolicy(ref, definition, toFloeError(error, use.spec.provider, ref.name), report)
      }
    }
    for (const value of report.values.values()) {
      if (registered.has(value)) continue
      registered.add(value)
      if (redactor.add(value)) registerSecret?.call(logger, value)
    }
    redactFailures(report)
    logger.debug('resolved references', {
      references: refs.length,
      distinct: specs.size,
      cacheHits: stats.cacheHits - hitsBefore,
      failures: report.failures.length,
    })
    return report
  }

  async function resolveEnv(
    bindings: readonly EnvBinding[],
    resolveOptions: { allowPartial?: boolean } = {},
  ): Promise<{ env: Record<string, SecretValue>; report: ResolveReport }> {
    const report = await resolve(bindings.map((b) => b.ref))
    const failed = new Map(report.failures.map((f) => [refId(f.ref), f.error]))
    const env: Record<string, SecretValue> = {}
    for (const binding of bindings) {
      const id = refId(binding.ref)
      const value = report.values.get(id)
      if (value !== undefined) env[binding.name] = value
      else if (failed.has(id) && !resolveOptions.allowPartial) throw failed.get(id)!
    }
    return { env, report }
  }

  async function describeOne(name: string): Promise<DescribeOutcome> {
    const definition = manifest.secrets[name]
    if (!definition) {
      return {
        secret: name,
        provider: '',
        error: new ConfigError(`secret "${name}" is not declared in the manifest`, {
          secret: name,
        }),
      }
    }
    const base = { secret: name, provider: definition.provider }
    let provider: SecretProvider
    try {
      provider = await providerFor(definition.provider)
    } catch (error) {
      return { ...base, error: toFloeError(error, definition.provider, name) }
    }
    if (!provider.describe) {
      return {
        ...base,
        error: new UnsupportedError(`provider "${provider.name}" cannot read metadata`, {
          secret: name,
          provider: provider.name,
        }),
      }
    }
    const request: FetchRequest = { secret: name, config: definition.fields }
    const policy = retryPolicyOf(definition, config)
    const limit = limitFor(provider.name)
    for (let attempt = 1; ; attempt += 1) {
      try {
        stats.providerCalls += 1
        const metadata = await limit(() => provider.describe!(request, ctx))
        record({ action: 'describe', secret: name, provider: provider.name, outcome: 'ok' })
        return { ...base, metadata }
      } catch (error) {
        const failure = toFloeError(error, provider.name, name)
        if (failure.transient && attempt < policy.attempts) {
          stats.retries += 1
          await sleep(backoffDelay(policy, attempt, random, failure.retryAfterMs))
          continue
        }
        record({ action: 'describe', secret: name, provider: provider.name, outcome: failure.code })
        return {
          ...base,
          ...(failure.code === 'NOT_FOUND' ? { metadata: { exists: false } } : {}),
          error: failure,
        }
      }
    }
  }

  /** describe() of many secrets: one call per batch for providers with describeMany. */
  async function describeAll(names: readonly string[]): Promise<DescribeOutcome[]> {
    const batched = new Map<string, { provider: SecretProvider; indexes: number[] }>()
    const out: Promise<DescribeOutcome>[] = []
    for (const [index, name] of names.entries()) {
      const definition = manifest.secrets[name]
      const provider = definition && (await providerFor(definition.provider).catch(() => undefined))
      if (definition && provider?.describeMany && names.length > 1) {
        const group = batched.get(provider.name) ?? { provider, indexes: [] }
        group.indexes.push(index)
        batched.set(provider.name, group)
        out.push(Promise.resolve(undefined as unknown as DescribeOutcome))
      } else out.push(describeOne(name))
    }
    const results = await Promise.all(out)
    await Promise.all(
      [...batched.values()].map(async ({ provider, indexes }) => {
        const size = Math.max(1, provider.maxDescribeBatchSize ?? 1)
        for (let i = 0; i < indexes.length; i += size) {
          const chunk = indexes.slice(i, i + size)
          const described = await describeChunk(
            provider,
            chunk.map((n) => names[n] as string),
          )
          chunk.forEach((n, j) => (results[n] = described[j] as DescribeOutcome))
        }
      }),
    )
    return results
  }

  async function describeChunk(
    provider: SecretProvider,
    names: readonly string[],
  ): Promise<DescribeOutcome[]> {
    const definitions = names.map((n) => manifest.secrets[n] as SecretDefinition)
    const requests = definitions.map((d) => ({ secret: d.name, config: d.fields }))
    const policy = retryPolicyOf(definitions[0] as SecretDefinition, config)
    for (let attempt = 1; ; attempt += 1) {
      let results: Awaited<ReturnType<NonNullable<SecretProvider['describeMany']>>>
      try {
        stats.providerCalls += 1
        results = await limitFor(provider.name)(() => provider.describeMany!(requests, ctx))
      } catch (error) {
        const failure = toFloeError(error, provider.name)
        if (failure.transient && attempt < policy.attempts) {
          stats.retries += 1
          await sleep(backoffDelay(policy, attempt, random, failure.retryAfterMs))
          continue
        }
        results = names.map(() => ({ ok: false as const, error: failure }))
      }
      return names.map((name, i) => {
        const result = results[i]
        const base = { secret: name, provider: provider.name }
        const outcome = !result
          ? new FloeError('INVALID', 'describeMany returned too few results', base)
          : result
        if (outcome instanceof FloeError || !outcome.ok) {
          const error = outcome instanceof FloeError ? outcome : outcome.error
          record({ action: 'describe', secret: name, provider: provider.name, outcome: error.code })
          return {
            ...base,
            ...(error.code === 'NOT_FOUND' ? { metadata: { exists: false } } : {}),
            error,
          }
        }
        record({ action: 'describe', secret: name, provider: provider.name, outcome: 'ok' })
        return { ...base, metadata: outcome.metadata }
      })
    }
  }

  return {
    resolve,
    resolveEnv,
    describe: describeAll,
    invalidate(secret) {
      const definition = secret === undefined ? undefined : manifest.secrets[secret]
      if (secret !== undefined && !definition) return
      // Every version of the secret (its fallback is keyed apart and expires on its own).
      const prefix = definition ? specKey(definition.provider, definition.name) : ''
      for (const [key, entry] of cache) {
        if (!definition || key.startsWith(prefix)) dropEntry(key, entry)
      }
    },
    stats,
    redactor,
    providerFor,
    async dispose() {
      if (disposed) return
      disposed = true
      for (const [key, entry] of cache) dropEntry(key, entry)
      await Promise.allSettled(
        [...leases.values()].map(({ lease, provider }) => revokeLease(lease, provider)),
      )
      const created = [...providers.values()]
      providers.clear()
      await Promise.allSettled(created.map(async (p) => (await p).dispose?.()))
    },
  }
}
