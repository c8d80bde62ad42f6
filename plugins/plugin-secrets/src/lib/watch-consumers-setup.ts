import { resolve } from 'node:path'
import { UnsupportedError, UsageError, type EmitterModule, type LoadedManifest } from '@floe/core'
import type { ConsumerWatchEvent, InjectTarget } from './consumer-watch.js'
import { declaredSecret } from './references.js'
import { readTemplate } from './template.js'

/** `--inject TEMPLATE=OUTPUT` pairs of `floe secrets watch`, templates read and checked. */
export async function injectTargets(
  pairs: readonly string[],
  manifest: LoadedManifest,
): Promise<InjectTarget[]> {
  const targets: InjectTarget[] = []
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0 || at === pair.length - 1) {
      throw new UsageError(`--inject ${pair}: expected TEMPLATE=OUTPUT`)
    }
    const input = resolve(pair.slice(0, at))
    const output = resolve(pair.slice(at + 1))
    if (input === output) {
      throw new UsageError(`--inject ${pair}: the template would be overwritten with values`)
    }
    targets.push({ template: await readTemplate(input, pair.slice(0, at), manifest), output })
  }
  return targets
}

/**
 * What the consumers of `floe secrets watch` watch: the --inject templates, and the secrets
 * named by --secret (each must be declared), else what the templates use, else every secret.
 * --duckdb alone watches none here: the emitter watches what its DuckDB secrets use by itself.
 */
export async function watchTargets(
  manifest: LoadedManifest,
  flags: {
    secret?: string[] | undefined
    inject?: string[] | undefined
    duckdb?: boolean | undefined
    sync?: boolean | undefined
  },
): Promise<{ injects: InjectTarget[]; watched: string[] }> {
  for (const name of flags.secret ?? []) declaredSecret(manifest, name)
  const injects = await injectTargets(flags.inject ?? [], manifest)
  if (flags.duckdb && injects.length === 0 && !flags.sync && !flags.secret)
    return { injects, watched: [] }
  const used = [...new Set(injects.flatMap((t) => t.template.secrets))]
  return { injects, watched: flags.secret ?? (used.length ? used : Object.keys(manifest.secrets)) }
}

/** What the duckdb emitter's `watch` returns (see @floe/emit-duckdb watch-cli.ts). */
export interface DuckdbWatchHandle {
  persistent: string[]
  skipped: string[]
  watch: { watcher: { intervals(): ReadonlyMap<string, number> } }
  stop(): Promise<void>
}

/** Starts `--duckdb`: the emitter keeps its persistent secrets current (an older one cannot). */
export async function startDuckdbWatch(
  emitter: EmitterModule,
  input: Record<string, unknown>,
  warn: (message: string) => void,
): Promise<DuckdbWatchHandle> {
  const watch = (
    emitter as { watch?: (input: Record<string, unknown>) => Promise<DuckdbWatchHandle> }
  ).watch
  if (typeof watch !== 'function') {
    throw new UnsupportedError(`${emitter.packageName} cannot watch; upgrade it`)
  }
  const handle = await watch.call(emitter, input)
  for (const name of handle.skipped) {
    warn(
      `DuckDB secret "${name}" is temporary: it lives in one DuckDB session, so watch cannot refresh it (set persistent: true, or use applySecrets(…, { watch: true }) in that program)`,
    )
  }
  return handle
}

/** The `watching` event: every secret watched (by the consumers and by DuckDB) and who uses them. */
export function watchingEvent(
  watched: readonly string[],
  injects: readonly InjectTarget[],
  duckdb: DuckdbWatchHandle | undefined,
  sync: boolean,
): ConsumerWatchEvent {
  return {
    event: 'watching',
    secrets: [
      ...new Set([...watched, ...(duckdb ? [...duckdb.watch.watcher.intervals().keys()] : [])]),
    ],
    consumers: [
      ...injects.map((t) => `inject ${t.template.label}`),
      ...(duckdb ? duckdb.persistent.map((n) => `duckdb ${n}`) : []),
      ...(sync ? ['sync'] : []),
    ],
  }
}

/** Resolves on the first SIGINT or SIGTERM, keeping Node alive until then (watch timers are unref'd). */
export async function untilStopSignal(): Promise<void> {
  const alive = setInterval(() => {}, 2 ** 30)
  try {
    await new Promise<void>((done) => {
      process.once('SIGINT', done)
      process.once('SIGTERM', done)
    })
  } finally {
    clearInterval(alive)
  }
}
