import {
  FloeError,
  UsageError,
  type LoadedManifest,
  type Resolver,
  type WatchableResolver,
} from '@floe/core'
import { applyPlan } from './apply.js'
import { relativeTo } from './apply-database.js'
import { sanitizeDuckdbError } from './masking.js'
import { parseCliOptions } from './cli.js'
import { planDuckdbSecrets } from './plan.js'
import { watchDuckdbSecrets, type DuckdbSecretWatch, type DuckdbWatchEvent } from './watch.js'

/** What `floe secrets watch --duckdb` passes to this emitter's `watch`. */
export interface CliWatchInput {
  manifest: LoadedManifest
  resolver: Pick<Resolver, 'resolve' | 'describe'> & WatchableResolver
  secretDirectory?: string
  /** `--option duckdb.<setting>=value` */
  options?: Record<string, unknown>
  onEvent: (event: DuckdbWatchEvent) => void
}

export interface CliWatchHandle {
  /** the persistent DuckDB secrets kept current */
  persistent: string[]
  /** temporary DuckDB secrets: they live in one session, another process cannot be refreshed */
  skipped: string[]
  secretDirectory?: string
  watch: DuckdbSecretWatch
  /** stops watching, waits for a re-apply in progress and closes DuckDB */
  stop(): Promise<void>
}

/**
 * Keeps the manifest's PERSISTENT DuckDB secrets current for every DuckDB process that reads
 * them from secret_directory: applies them once (CREATE OR REPLACE) through an in-memory
 * instance, then re-applies exactly the ones whose values change.
 */
export async function watchForCli(input: CliWatchInput): Promise<CliWatchHandle> {
  const { duckdbConfig } = parseCliOptions(input.options)
  const full = planDuckdbSecrets(input.manifest)
  const persistent = full.secrets.filter((s) => s.persistent)
  if (persistent.length === 0) {
    throw new UsageError(
      'watch --duckdb keeps persistent DuckDB secrets current, and the duckdb: section has none',
      {
        hint: 'set persistent: true on the duckdb.secrets entries other DuckDB processes read from secret_directory; a temporary secret lives in one session and is refreshed by applySecrets(connection, manifest, { watch: true }) in that program',
      },
    )
  }
  const plan = { ...full, secrets: persistent }
  const dir = input.manifest.dir
  const secretDirectory =
    input.secretDirectory ??
    (full.secretDirectory ? relativeTo(dir, full.secretDirectory) : undefined)
  const config = {
    ...duckdbConfig,
    ...(secretDirectory ? { secret_directory: secretDirectory } : {}),
  }
  const { DuckDBInstance } = await import('@duckdb/node-api')
  let instance
  try {
    instance = await DuckDBInstance.create(':memory:', config)
  } catch (error) {
    throw new FloeError('INVALID', `cannot start DuckDB: ${sanitizeDuckdbError(error, (t) => t)}`, {
      provider: 'duckdb',
    })
  }
  const connection = await instance.connect()
  try {
    await applyPlan(connection, plan, { resolver: input.resolver, dropRemoved: false })
    const watch = watchDuckdbSecrets(
      connection,
      input.manifest,
      { resolver: input.resolver, onEvent: input.onEvent },
      plan,
    )
    await watch.ready
    return {
      persistent: persistent.map((s) => s.name),
      skipped: full.secrets.filter((s) => !s.persistent).map((s) => s.name),
      ...(secretDirectory ? { secretDirectory } : {}),
      watch,
      async stop() {
        watch.stop()
        await watch.idle()
        connection.closeSync()
        instance.closeSync()
      },
    }
  } catch (error) {
    connection.closeSync()
    instance.closeSync()
    throw error
  }
}
