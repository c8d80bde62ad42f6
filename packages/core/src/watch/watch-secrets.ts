import { type FloeError } from '../errors.js'
import type { LeaseRefreshEvent } from '../resolver/resolver.js'
import type { DescribeOutcome, LoadedManifest, Resolver, SecretProvider } from '../types.js'
import {
  DEFAULT_POLL_FLOOR_MS,
  DEFAULT_POLL_JITTER,
  DEFAULT_REFRESH_INTERVAL_MS,
  nextPollDelay,
  type PollSchedule,
} from './schedule.js'

/** A watched secret's remote version moved (or its dynamic lease had to be re-issued). */
export interface SecretChangedEvent {
  event: 'changed'
  secret: string
  provider: string
  /** 'version': describe() saw a new version; 'lease': a lease could not be renewed and new credentials were issued */
  reason: 'version' | 'lease'
  previousVersion?: string
  version?: string
  /** key names added or removed, when describe() lists keys (which values changed is not knowable from metadata) */
  keysChanged?: string[]
}

export interface LeaseRenewedEvent {
  event: 'renewed'
  secret: string
  provider: string
  lease: string
  ttlSeconds: number
}

export interface WatchFailedEvent {
  event: 'failed'
  secret: string
  provider: string
  /** 'describe': a poll failed (the watch goes on); 'lease': no renewal and no new credentials */
  phase: 'describe' | 'lease'
  code: string
  message: string
}

export type WatchEvent = SecretChangedEvent | LeaseRenewedEvent | WatchFailedEvent

/** What the watcher needs of a resolver (a `createResolver()` result has all of it). */
export type WatchableResolver = Pick<Resolver, 'describe'> & {
  /** drops cached values so the next resolve reads the new version */
  invalidate?(secret?: string): void
  /** used to size describe batches by the provider's `describeMany` */
  providerFor?(name: string): Promise<SecretProvider>
}

export interface WatchSecretsOptions {
  resolver: WatchableResolver
  manifest: Pick<LoadedManifest, 'secrets'> & Partial<Pick<LoadedManifest, 'config'>>
  /** exactly the secrets in use (e.g. those behind the child's environment) */
  secrets: readonly string[]
  onEvent(event: WatchEvent): void
  /** interval when neither the definition nor `_config.rotation` sets one (5 minutes) */
  defaultIntervalMs?: number
  /** lowest interval honoured (1 s): a manifest cannot make floe hammer a provider */
  floorMs?: number
  /** fraction by which each poll comes early at random (0.2) */
  jitter?: number
  random?: () => number
  /** poll once right away to learn the current versions (default true) */
  baseline?: boolean
}

export interface WatchStats {
  /** describe() calls issued per provider (one per batch) */
  describeCalls: Record<string, number>
  polls: number
}

export interface SecretWatcher {
  /** resolves when the baseline versions are known (and timers run) */
  readonly ready: Promise<void>
  /** describes `secrets` (default all watched) now; emits and returns what changed */
  check(secrets?: readonly string[]): Promise<WatchEvent[]>
  /** feed the resolver's `onLeaseRefresh` here: renewals and re-issued leases become events */
  leaseRefreshed(event: LeaseRefreshEvent): void
  /** last version seen per secret */
  versions(): ReadonlyMap<string, string>
  /** the effective poll interval of each watched secret, after floor */
  intervals(): ReadonlyMap<string, number>
  readonly stats: WatchStats
  stop(): void
}

interface PollGroup {
  provider: string
  schedule: PollSchedule
  names: string[]
  timer?: NodeJS.Timeout
}

/** the version recorded for a secret describe() says does not exist */
export const ABSENT_VERSION = '(absent)'
const ABSENT = ABSENT_VERSION

const versionOf = (outcome: DescribeOutcome): string | undefined =>
  outcome.metadata?.version ?? outcome.metadata?.updatedAt?.toISOString()

/**
 * Watches exactly `secrets` by metadata only: each provider is asked for `describe()` versions,
 * in batches when it has `describeMany`, at each secret's `rotation.refresh_interval` (default
 * `_config.rotation.refresh_interval`, else 5 min; never below `floorMs`; jittered). Values are
 * never read to detect a change. Dynamic secrets are not polled: their lease events (fed through
 * `leaseRefreshed`) say when credentials were renewed or re-issued.
 */
export function watchSecrets(options: WatchSecretsOptions): SecretWatcher {
  const { resolver, manifest } = options
  const random = options.random ?? Math.random
  const floorMs = options.floorMs ?? DEFAULT_POLL_FLOOR_MS
  const jitter = options.jitter ?? DEFAULT_POLL_JITTER
  const configDefault = manifest.config?.rotation?.refreshIntervalMs
  const seen = new Map<string, string>()
  const keysSeen = new Map<string, string[]>()
  const intervals = new Map<string, number>()
  const stats: WatchStats = { describeCalls: {}, polls: 0 }
  const watched = new Set(options.secrets)
  let stopped = false

  const groups = new Map<string, PollGroup>()
  for (const name of watched) {
    const definition = manifest.secrets[name]
    if (!definition || definition.kind === 'dynamic') continue
    const intervalMs = Math.max(
      definition.rotation?.refreshIntervalMs ??
        configDefault ??
        options.defaultIntervalMs ??
        DEFAULT_REFRESH_INTERVAL_MS,
      floorMs,
    )
    intervals.set(name, intervalMs)
    const key = `${definition.provider}\u0000${intervalMs}`
    let group = groups.get(key)
    if (!group) {
      group = {
        provider: definition.provider,
        schedule: { intervalMs, floorMs, jitter },
        names: [],
      }
      groups.set(key, group)
    }
    group.names.push(name)
  }

  const emit = (event: WatchEvent) => {
    if (!stopped) options.onEvent(event)
  }

  async function batchSizeFor(provider: string): Promise<number> {
    try {
      const instance = await resolver.providerFor?.(provider)
      if (!instance?.describeMany) return 1
      return Math.max(1, instance.maxDescribeBatchSize ?? instance.maxBatchSize ?? 1)
    } catch {
      return 1 // the describe itself reports why the provider is unusable
    }
  }

  function compare(outcome: DescribeOutcome, out: WatchEvent[]): void {
    const name = outcome.secret
    if (outcome.error) {
      out.push(failed(name, outcome.provider, 'describe', outcome.error))
      // a secret that is gone is a state too: its return is reported as a change
      if (outcome.error.code !== 'NOT_FOUND') return
    }
    const version = outcome.error ? ABSENT : versionOf(outcome)
    if (version === undefined) return
    const previous = seen.get(name)
    seen.set(name, version)
    const keys = outcome.metadata?.keys
    const previousKeys = keysSeen.get(name)
    if (keys) keysSeen.set(name, [...keys].sort())
    if (previous === undefined || previous === version) return
    resolver.invalidate?.(name)
    const keysChanged =
      keys && previousKeys
        ? [
            ...keys.filter((k) => !previousKeys.includes(k)),
            ...previousKeys.filter((k) => !keys.includes(k)),
          ].sort()
        : []
    out.push({
      event: 'changed',
      secret: name,
      provider: outcome.provider,
      reason: 'version',
      previousVersion: previous,
      version,
      ...(keysChanged.length ? { keysChanged } : {}),
    })
  }

  async function describeProvider(provider: string, names: readonly string[]) {
    const size = await batchSizeFor(provider)
    const outcomes: DescribeOutcome[] = []
    for (let i = 0; i < names.length; i += size) {
      const chunk = names.slice(i, i + size)
      stats.describeCalls[provider] =
        (stats.describeCalls[provider] ?? 0) + (size > 1 ? 1 : chunk.length)
      outcomes.push(...(await resolver.describe(chunk)))
    }
    return outcomes
  }

  async function check(names: readonly string[] = [...intervals.keys()]): Promise<WatchEvent[]> {
    if (stopped) return []
    stats.polls += 1
    const byProvider = new Map<string, string[]>()
    for (const name of names) {
      const definition = manifest.secrets[name]
      if (!definition || !intervals.has(name)) continue
      byProvider.set(definition.provider, [...(byProvider.get(definition.provider) ?? []), name])
    }
    const out: WatchEvent[] = []
    const results = await Promise.all(
      [...byProvider].map(([provider, group]) => describeProvider(provider, group)),
    )
    for (const outcome of results.flat()) compare(outcome, out)
    for (const event of out) emit(event)
    return stopped ? [] : out
  }

  function schedule(group: PollGroup): void {
    if (stopped) return
    group.timer = setTimeout(
      () => {
        check(group.names)
          .catch((error: Error) => {
            for (const name of group.names) {
              emit(failed(name, group.provider, 'describe', error))
            }
          })
          .finally(() => schedule(group))
      },
      nextPollDelay(group.schedule, random),
    )
    group.timer.unref()
  }

  const ready = (async () => {
    if (options.baseline !== false) await check()
    for (const group of groups.values()) schedule(group)
  })()

  return {
    ready,
    check,
    leaseRefreshed(event) {
      if (!watched.has(event.secret)) return
      if (event.kind === 'renewed' && event.lease) {
        emit({
          event: 'renewed',
          secret: event.secret,
          provider: event.provider,
          lease: event.lease.id,
          ttlSeconds: event.lease.ttlSeconds,
        })
      } else if (event.kind === 'refetched') {
        emit({
          event: 'changed',
          secret: event.secret,
          provider: event.provider,
          reason: 'lease',
          ...(event.lease ? { version: event.lease.id } : {}),
        })
      } else if (event.kind === 'failed') {
        emit(
          failed(
            event.secret,
            event.provider,
            'lease',
            event.error ?? new Error('no new credentials were issued'),
          ),
        )
      }
    },
    versions: () => seen,
    intervals: () => intervals,
    stats,
    stop() {
      stopped = true
      for (const group of groups.values()) clearTimeout(group.timer)
    },
  }
}

function failed(
  secret: string,
  provider: string,
  phase: WatchFailedEvent['phase'],
  error: Error | FloeError,
): WatchFailedEvent {
  return {
    event: 'failed',
    secret,
    provider,
    phase,
    code: (error as { code?: string }).code ?? 'UNAVAILABLE',
    message: error.message,
  }
}
