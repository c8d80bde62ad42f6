import type { FloeError } from '../errors.js'
import type { FetchOutcome, LeaseInfo, Logger, ProviderContext } from '../types.js'
import type { AuditRecorder } from './audit-recorder.js'
import type { LeaseHooks, ResolverMode, ResolverStats } from './fetch-engine.js'
import type { FetchSpec } from './fetch-spec.js'
import { toFloeError } from './policies.js'
import type { ProviderPool } from './provider-pool.js'

export interface LeaseRefreshEvent {
  secret: string
  provider: string
  /** 'renewed' keeps the credentials; 'refetched' means new credentials were issued */
  kind: 'renewed' | 'refetched' | 'failed'
  lease?: LeaseInfo
  error?: FloeError
}

export interface LeaseKeeper extends LeaseHooks {
  /** stops renewing and revokes every lease still held */
  dispose(): Promise<void>
}

/** A lease that is renewed while its value is cached. */
interface Renewal {
  spec: FetchSpec
  lease: LeaseInfo
  /** end of the lease's maximum lifetime (ms), from its first issue */
  maxEnd?: number
  timer?: NodeJS.Timeout
}

/**
 * The one owner of a resolver's leases: it remembers every lease issued (to revoke it at the
 * end), renews those whose value is cached in long-running mode at 2/3 of their TTL, and
 * fetches new credentials when a renewal fails or the max TTL is reached.
 */
export function createLeaseKeeper(options: {
  mode: ResolverMode
  pool: ProviderPool
  ctx: ProviderContext
  logger: Logger
  stats: ResolverStats
  now: () => number
  record: AuditRecorder
  /** drops the cached value of `spec` and fetches it again */
  refetch: (spec: FetchSpec) => Promise<FetchOutcome | undefined>
  /** a renewal extended the lease of a cached value */
  extended: (key: string, expiresAt: number) => void
  onLeaseRefresh?: (event: LeaseRefreshEvent) => void
}): LeaseKeeper {
  const { pool, ctx, logger, stats, now, record } = options
  const held = new Map<string, { lease: LeaseInfo; provider: string }>()
  const renewals = new Map<string, Renewal>()
  let disposed = false

  function schedule(renewal: Renewal): void {
    const { lease, spec } = renewal
    const settings = spec.definition.lease
    if (disposed || settings?.renewalEnabled === false) return
    if (renewal.timer) clearTimeout(renewal.timer)
    const remaining = lease.issuedAt.getTime() + lease.ttlSeconds * 1000 - now()
    let delay = (remaining * 2) / 3
    const keep = (settings?.minRenewalSeconds ?? 0) * 1000
    // Renew early enough that at least min_renewal_seconds of validity remain.
    if (keep > 0 && remaining - delay < keep) delay = Math.max(remaining / 3, remaining - keep)
    renewal.timer = setTimeout(
      () => {
        refresh(renewal).catch((error: unknown) => {
          logger.warn('lease refresh failed', {
            secret: spec.secret,
            error: toFloeError(error, spec.provider).message,
          })
        })
      },
      Math.max(0, delay),
    )
    renewal.timer.unref()
  }

  const current = (renewal: Renewal) => !disposed && renewals.get(renewal.spec.key) === renewal

  async function refresh(renewal: Renewal): Promise<void> {
    const { spec, lease } = renewal
    if (!current(renewal)) return
    const provider = await pool.get(spec.provider)
    const increment = spec.definition.lease?.incrementSeconds
    const atMax = renewal.maxEnd !== undefined && renewal.maxEnd - now() <= 1000
    if (lease.renewable && provider.renew && !atMax) {
      try {
        stats.providerCalls += 1
        const renewed = await pool.limitFor(spec.provider)(() =>
          provider.renew!(lease, ctx, increment),
        )
        const newEnd = renewed.issuedAt.getTime() + renewed.ttlSeconds * 1000
        const oldEnd = lease.issuedAt.getTime() + lease.ttlSeconds * 1000
        record({ action: 'renew', secret: spec.secret, provider: spec.provider, outcome: 'ok' })
        // A renewal that no longer extends the lease means its max TTL is reached.
        if (newEnd > oldEnd && newEnd - now() > 1000) {
          renewal.lease = renewed
          held.set(renewed.id, { lease: renewed, provider: spec.provider })
          options.extended(spec.key, newEnd)
          options.onLeaseRefresh?.({
            secret: spec.secret,
            provider: spec.provider,
            kind: 'renewed',
            lease: renewed,
          })
          schedule(renewal)
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
    await replace(renewal)
  }

  async function replace(renewal: Renewal): Promise<void> {
    const { spec, lease: oldLease } = renewal
    const outcome = await options.refetch(spec)
    if (outcome?.ok) {
      options.onLeaseRefresh?.({
        secret: spec.secret,
        provider: spec.provider,
        kind: 'refetched',
        ...(outcome.secret.lease ? { lease: outcome.secret.lease } : {}),
      })
      await revoke(oldLease, spec.provider)
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

  async function revoke(lease: LeaseInfo, providerName: string): Promise<void> {
    held.delete(lease.id)
    try {
      const provider = await pool.get(providerName)
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

  return {
    hold(spec, lease, renew) {
      held.set(lease.id, { lease, provider: spec.provider })
      if (!renew || options.mode !== 'long-running') return
      const renewal: Renewal = {
        spec,
        lease,
        ...(lease.maxTtlSeconds !== undefined
          ? { maxEnd: lease.issuedAt.getTime() + lease.maxTtlSeconds * 1000 }
          : {}),
      }
      const previous = renewals.get(spec.key)
      if (previous?.timer) clearTimeout(previous.timer)
      renewals.set(spec.key, renewal)
      schedule(renewal)
    },
    release(key) {
      const renewal = renewals.get(key)
      if (!renewal) return
      if (renewal.timer) clearTimeout(renewal.timer)
      renewals.delete(key)
    },
    async dispose() {
      if (disposed) return
      disposed = true
      for (const key of [...renewals.keys()]) this.release(key)
      await Promise.allSettled(
        [...held.values()].map(({ lease, provider }) => revoke(lease, provider)),
      )
    },
  }
}
