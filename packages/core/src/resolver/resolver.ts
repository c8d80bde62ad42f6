import type { AuditLog } from '../audit/audit-log.js'
import { ConfigError, FloeError } from '../errors.js'
import { selectKey } from '../fetched.js'
import { silentLogger } from '../logging/logger.js'
import { Redactor } from '../logging/redactor.js'
import type { SecretValue } from '../secret-value.js'
import type {
  EnvBinding,
  FetchOutcome,
  LoadedManifest,
  Logger,
  ProviderCatalog,
  ProviderContext,
  ResolveReport,
  Resolver,
  SecretDefinition,
  SecretProvider,
} from '../types.js'
import { refId, type SecretRef } from '../uri.js'
import { createAuditRecorder } from './audit-recorder.js'
import { createDescriber } from './describe.js'
import { createFetchEngine, type ResolverMode, type ResolverStats } from './fetch-engine.js'
import { fallbackSpecOf, specKey, specOf, type FetchSpec } from './fetch-spec.js'
import { createLeaseKeeper, type LeaseRefreshEvent } from './lease-keeper.js'
import { DEFAULT_CONCURRENCY, toFloeError } from './policies.js'
import { createProviderPool } from './provider-pool.js'
import { applyMissingPolicy, FALLBACK_CODES, keyFor, redactReport } from './reference-policies.js'
import { createReport } from './report.js'

export type { ResolverMode, ResolverStats } from './fetch-engine.js'
export type { LeaseRefreshEvent } from './lease-keeper.js'

export interface ResolverOptions {
  manifest: Pick<LoadedManifest, 'secrets' | 'config'> &
    Partial<Pick<LoadedManifest, 'dir' | 'plugins'>>
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

/** The resolver plus the extras long-running hosts need. */
export interface FloeResolver extends Resolver {
  /** drops cached values of one secret (or all), e.g. after a rotation was detected */
  invalidate(secret?: string): void
  readonly stats: ResolverStats
  readonly redactor: Redactor
  /** the provider instance this resolver uses for a name (created on first use) */
  providerFor(name: string): Promise<SecretProvider>
}

/** How one (definition, version) of a resolve() call gets its value. */
interface Use {
  definition: SecretDefinition
  spec: FetchSpec
  fallback?: FetchSpec
  outcome?: FetchOutcome
  viaFallback?: boolean
}

/** `plugins.secrets.config` when `plugins.secrets.type` is the provider's name. */
function secretsPluginConfig(
  manifest: ResolverOptions['manifest'],
  provider: string,
): Record<string, unknown> | undefined {
  const plugin = manifest.plugins?.secrets as { type?: unknown; config?: unknown } | undefined
  if (plugin?.type !== provider) return undefined
  const config = plugin.config
  return config !== null && typeof config === 'object' && !Array.isArray(config)
    ? (config as Record<string, unknown>)
    : undefined
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Resolves `secret://` references: plan and dedupe them, fetch through the engine (cache,
 * batches, concurrency cap, retries), then apply fallback, defaults and on_missing (see
 * ARCHITECTURE.md, "The resolution pipeline"). Leases are kept by the lease keeper, provider
 * instances by the pool.
 */
export function createResolver(options: ResolverOptions): FloeResolver {
  const { manifest } = options
  const config = manifest.config
  const mode: ResolverMode = options.mode ?? 'invocation'
  const logger = options.logger ?? silentLogger
  const now = options.now ?? Date.now
  const clock = { sleep: options.sleep ?? realSleep, random: options.random ?? Math.random }
  const redactor = options.redactor ?? new Redactor()
  const registerSecret = (logger as { registerSecret?: (v: SecretValue) => void }).registerSecret
  const ctx: ProviderContext = {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    logger,
  }
  const record = createAuditRecorder({
    config,
    ...(options.audit ? { audit: options.audit } : {}),
    dir: manifest.dir ?? ctx.cwd,
    env: ctx.env,
    logger,
  })
  const stats: ResolverStats = { providerCalls: 0, cacheHits: 0, retries: 0 }
  const pool = createProviderPool({
    catalog: options.catalog,
    concurrency: Math.max(1, options.concurrency ?? config.concurrency ?? DEFAULT_CONCURRENCY),
    ...(options.providerOptions ? { providerOptions: options.providerOptions } : {}),
    pluginConfig: (name) => secretsPluginConfig(manifest, name),
  })
  const leases = createLeaseKeeper({
    mode,
    pool,
    ctx,
    logger,
    stats,
    now,
    record,
    refetch: async (spec) => {
      engine.forget(spec.key)
      return (await engine.fetchAll([spec])).get(spec.key)
    },
    extended: (key, expiresAt) => engine.extend(key, expiresAt),
    ...(options.onLeaseRefresh ? { onLeaseRefresh: options.onLeaseRefresh } : {}),
  })
  const engine = createFetchEngine({ config, mode, pool, ctx, logger, stats, clock, now, leases })
  const describe = createDescriber({ manifest, pool, ctx, stats, clock, record })
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

  /** One Use per (secret, version); references that cannot be planned fail at once. */
  function plan(refs: readonly SecretRef[], report: ResolveReport) {
    const specs = new Map<string, FetchSpec>()
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
        const spec = specs.get(key) ?? specOf(definition, ref.version)
        specs.set(key, spec)
        use = { definition, spec }
        uses.set(useKey, use)
      }
      planned.push({ ref, use })
    }
    return { specs, uses, planned }
  }

  /** Fetches what failed with a fallback code from the definition's `fallback:` source. */
  async function applyFallbacks(
    uses: readonly Use[],
    primary: Map<string, FetchOutcome>,
    cachedKeys: Set<string>,
    report: ResolveReport,
  ): Promise<void> {
    const fallbackSpecs = new Map<string, FetchSpec>()
    for (const use of uses) {
      const outcome = primary.get(use.spec.key)
      if (outcome && !outcome.ok && FALLBACK_CODES.has(outcome.error.code)) {
        const fallback = fallbackSpecOf(use.definition)
        if (fallback) {
          use.fallback = fallbackSpecs.get(fallback.key) ?? fallback
          fallbackSpecs.set(fallback.key, use.fallback)
        }
      }
    }
    const second = fallbackSpecs.size
      ? await engine.fetchAll([...fallbackSpecs.values()])
      : new Map<string, FetchOutcome>()
    for (const use of uses) {
      const first = primary.get(use.spec.key) as FetchOutcome
      const fromFallback = use.fallback ? second.get(use.fallback.key) : undefined
      const name = use.definition.name
      if (fromFallback?.ok && !first.ok) {
        report.warnings.push(
          `secret "${name}" came from its fallback provider "${use.fallback!.provider}" (${use.spec.provider}: ${first.error.code})`,
        )
        use.outcome = fromFallback
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
  }

  async function resolve(refs: readonly SecretRef[]): Promise<ResolveReport> {
    if (disposed) throw new FloeError('USAGE', 'resolver used after dispose()')
    const report = createReport()
    const { specs, uses, planned } = plan(refs, report)
    const hitsBefore = stats.cacheHits
    const cachedKeys = new Set([...specs.keys()].filter((k) => engine.isCached(k)))
    const primary = await engine.fetchAll([...specs.values()])
    await applyFallbacks([...uses.values()], primary, cachedKeys, report)

    for (const { ref, use } of planned) {
      const outcome = use.outcome!
      const { definition } = use
      if (!outcome.ok) {
        applyMissingPolicy(ref, idOf(ref), definition, outcome.error, report)
        continue
      }
      try {
        const value = selectKey(outcome.secret, ref.name, keyFor(ref, definition, outcome.secret))
        report.values.set(idOf(ref), value)
      } catch (error) {
        const failure = toFloeError(error, use.spec.provider, ref.name)
        applyMissingPolicy(ref, idOf(ref), definition, failure, report)
      }
    }
    for (const value of report.values.values()) {
      if (registered.has(value)) continue
      registered.add(value)
      if (redactor.add(value)) registerSecret?.call(logger, value)
    }
    redactReport(report, redactor)
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

  return {
    resolve,
    resolveEnv,
    describe,
    invalidate(secret) {
      if (secret === undefined) return engine.invalidate('')
      const definition = manifest.secrets[secret]
      // Every version of the secret (its fallback is keyed apart and expires on its own).
      if (definition) engine.invalidate(specKey(definition.provider, definition.name))
    },
    stats,
    redactor,
    providerFor: (name) => pool.get(name),
    async dispose() {
      if (disposed) return
      disposed = true
      engine.invalidate('')
      await leases.dispose()
      await pool.dispose()
    },
  }
}
