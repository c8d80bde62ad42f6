import type { LoadedManifest, Resolver } from '../types.js'

export interface RotationEvent {
  secret: string
  previousVersion: string
  version: string
  /** the definition's on_rotation action, when declared */
  action?: 'reconnect' | 'restart' | 'alert'
  gracePeriodMs?: number
}

export interface RotationWatcher {
  /** polls every watched secret once now (also what the timers call) */
  poll(): Promise<void>
  stop(): void
}

export interface WatchOptions {
  /** names to watch; default every secret with rotation.auto_refresh */
  secrets?: string[]
  /** default interval when a definition sets none (5 minutes) */
  defaultIntervalMs?: number
  onError?: (secret: string, error: Error) => void
}

/**
 * `rotation.auto_refresh`: polls describe() versions (never values) at each definition's
 * `refresh_interval` and calls back when a version changes, after dropping the resolver's
 * cached value so the next resolve fetches the new one. Timers are unref'd.
 */
export function watchRotations(
  resolver: Resolver & { invalidate?: (secret?: string) => void },
  manifest: Pick<LoadedManifest, 'secrets'>,
  callback: (event: RotationEvent) => void,
  options: WatchOptions = {},
): RotationWatcher {
  const names =
    options.secrets ??
    Object.values(manifest.secrets)
      .filter((d) => d.rotation?.autoRefresh)
      .map((d) => d.name)
  const seen = new Map<string, string>()
  const timers: NodeJS.Timeout[] = []
  let stopped = false

  async function check(group: string[]): Promise<void> {
    if (stopped || group.length === 0) return
    const outcomes = await resolver.describe(group)
    for (const outcome of outcomes) {
      if (outcome.error) {
        options.onError?.(outcome.secret, outcome.error)
        continue
      }
      const version = outcome.metadata?.version ?? outcome.metadata?.updatedAt?.toISOString()
      if (version === undefined) continue
      const previous = seen.get(outcome.secret)
      seen.set(outcome.secret, version)
      if (previous !== undefined && previous !== version && !stopped) {
        resolver.invalidate?.(outcome.secret)
        const onRotation = manifest.secrets[outcome.secret]?.rotation?.onRotation
        callback({
          secret: outcome.secret,
          previousVersion: previous,
          version,
          ...(onRotation ? { action: onRotation.action } : {}),
          ...(onRotation?.gracePeriodMs !== undefined
            ? { gracePeriodMs: onRotation.gracePeriodMs }
            : {}),
        })
      }
    }
  }

  const byInterval = new Map<number, string[]>()
  for (const name of names) {
    const interval =
      manifest.secrets[name]?.rotation?.refreshIntervalMs ?? options.defaultIntervalMs ?? 5 * 60_000
    byInterval.set(interval, [...(byInterval.get(interval) ?? []), name])
  }
  for (const [interval, group] of byInterval) {
    const timer = setInterval(() => {
      check(group).catch((error: Error) => options.onError?.(group.join(','), error))
    }, interval)
    timer.unref()
    timers.push(timer)
  }

  return {
    poll: () => check(names),
    stop() {
      stopped = true
      for (const timer of timers) clearInterval(timer)
    },
  }
}
