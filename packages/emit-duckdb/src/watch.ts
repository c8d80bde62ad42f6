import { createHash } from 'node:crypto'
import {
  watchSecrets,
  type LoadedManifest,
  type Resolver,
  type SecretWatcher,
  type WatchableResolver,
  type WatchEvent,
} from '@floe/core'
import { applyPlan, type ApplySecretsReport, type SqlConnection } from './apply.js'
import { planDuckdbSecrets, referencesOf, type DuckdbPlan, type DuckdbSecretPlan } from './plan.js'

export type DuckdbWatchEvent =
  | WatchEvent
  | {
      event: 'reapplied'
      /** the manifest secret whose change caused it */
      secret: string
      /** DuckDB secrets replaced (CREATE OR REPLACE): only those whose values changed */
      replaced: string[]
    }
  | { event: 'reapply-failed'; secret: string; code: string; message: string }

export interface WatchDuckdbOptions {
  resolver: Pick<Resolver, 'resolve' | 'describe'> & WatchableResolver
  onEvent?(event: DuckdbWatchEvent): void
  /** watch floor (see watchSecrets) */
  floorMs?: number
}

export interface DuckdbSecretWatch {
  /** baseline versions known and timers running */
  readonly ready: Promise<void>
  readonly watcher: SecretWatcher
  /** resolves when every re-apply started so far has finished */
  idle(): Promise<void>
  stop(): void
}

/** A digest of the values one DuckDB secret is made of (kept instead of the values). */
async function digestOf(
  resolver: Pick<Resolver, 'resolve'>,
  secret: DuckdbSecretPlan,
): Promise<string> {
  const refs = referencesOf([secret])
  const report = await resolver.resolve(refs)
  const hash = createHash('sha256')
  for (const ref of refs) hash.update(`${report.valueOf(ref)?.reveal() ?? '\u0000missing'}\u0000`)
  return hash.digest('hex')
}

/**
 * Keeps an open connection's DuckDB secrets current: watches (metadata only) the manifest
 * secrets the `duckdb.secrets` entries reference and, when one changes, re-resolves it and
 * runs CREATE OR REPLACE for exactly the DuckDB secrets whose values changed (persistent ones
 * are rewritten in secret_directory by DuckDB). Re-applies run one at a time.
 */
export function watchDuckdbSecrets(
  connection: SqlConnection,
  manifest: LoadedManifest,
  options: WatchDuckdbOptions,
  plan: DuckdbPlan = planDuckdbSecrets(manifest),
): DuckdbSecretWatch {
  const { resolver } = options
  const emit = (event: DuckdbWatchEvent) => options.onEvent?.(event)
  const digests = new Map<string, string>()
  let queue: Promise<void> = Promise.resolve()

  const users = (name: string) =>
    plan.secrets.filter((s) => referencesOf([s]).some((ref) => ref.name === name))

  async function reapply(name: string): Promise<void> {
    const changed: DuckdbSecretPlan[] = []
    for (const secret of users(name)) {
      const digest = await digestOf(resolver, secret)
      if (digests.get(secret.name) !== digest) {
        changed.push(secret)
        digests.set(secret.name, digest)
      }
    }
    if (changed.length) {
      await applyPlan(connection, { ...plan, secrets: changed }, { resolver, dropRemoved: false })
    }
    emit({ event: 'reapplied', secret: name, replaced: changed.map((s) => s.name) })
  }

  const names = [...new Set(referencesOf(plan.secrets).map((ref) => ref.name))]
  const watcher = watchSecrets({
    resolver,
    manifest,
    secrets: names,
    ...(options.floorMs !== undefined ? { floorMs: options.floorMs } : {}),
    onEvent(event) {
      emit(event)
      if (event.event !== 'changed') return
      queue = queue.then(() =>
        reapply(event.secret).catch((error: Error & { code?: string }) =>
          emit({
            event: 'reapply-failed',
            secret: event.secret,
            code: error.code ?? 'INVALID',
            message: error.message,
          }),
        ),
      )
    },
  })
  const ready = (async () => {
    await watcher.ready
    for (const secret of plan.secrets) digests.set(secret.name, await digestOf(resolver, secret))
  })()
  return {
    ready,
    watcher,
    idle: () => queue,
    stop: () => watcher.stop(),
  }
}

/** `applySecrets(connection, manifest, { watch: true, resolver })`: apply, then keep them current. */
export async function applyAndWatch(
  connection: SqlConnection,
  manifest: LoadedManifest,
  options: WatchDuckdbOptions & { dropRemoved?: boolean },
): Promise<ApplySecretsReport & { watch: DuckdbSecretWatch }> {
  const plan = planDuckdbSecrets(manifest)
  const { report } = await applyPlan(connection, plan, options)
  const watch = watchDuckdbSecrets(connection, manifest, options, plan)
  await watch.ready
  return { ...report, watch }
}
