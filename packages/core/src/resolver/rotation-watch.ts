import type { LoadedManifest, Resolver } from '../types.js'
import { watchSecrets, type WatchableResolver } from '../watch/watch-secrets.js'

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
 * `rotation.auto_refresh` for library hosts: `watchSecrets()` (core/src/watch) at each
 * definition's exact `refresh_interval` (no floor, no jitter, first poll after one interval),
 * reduced to version-change callbacks carrying the definition's `on_rotation`.
 */
export function watchRotations(
  resolver: Resolver & WatchableResolver,
  manifest: Pick<LoadedManifest, 'secrets'> & Partial<Pick<LoadedManifest, 'config'>>,
  callback: (event: RotationEvent) => void,
  options: WatchOptions = {},
): RotationWatcher {
  const names =
    options.secrets ??
    Object.values(manifest.secrets)
      .filter((d) => d.rotation?.autoRefresh)
      .map((d) => d.name)
  const watcher = watchSecrets({
    resolver,
    manifest,
    secrets: names,
    baseline: false,
    floorMs: 0,
    jitter: 0,
    ...(options.defaultIntervalMs !== undefined
      ? { defaultIntervalMs: options.defaultIntervalMs }
      : {}),
    onEvent(event) {
      if (event.event === 'failed') {
        const error = Object.assign(new Error(event.message), { code: event.code })
        options.onError?.(event.secret, error)
        return
      }
      if (event.event !== 'changed' || event.reason !== 'version') return
      const onRotation = manifest.secrets[event.secret]?.rotation?.onRotation
      callback({
        secret: event.secret,
        previousVersion: event.previousVersion ?? '',
        version: event.version ?? '',
        ...(onRotation ? { action: onRotation.action } : {}),
        ...(onRotation?.gracePeriodMs !== undefined
          ? { gracePeriodMs: onRotation.gracePeriodMs }
          : {}),
      })
    },
  })
  return {
    poll: async () => void (await watcher.check()),
    stop: () => watcher.stop(),
  }
}
