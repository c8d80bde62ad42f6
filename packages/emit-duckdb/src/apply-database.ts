import { existsSync, mkdirSync } from 'node:fs'
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path'
import type { DuckDBInstance, Json } from '@duckdb/node-api'
import {
  FloeError,
  ProviderUnavailableError,
  UsageError,
  type LoadedManifest,
  type Resolver,
} from '@floe/core'
import { applyPlan, type ApplySecretsReport } from './apply.js'
import { maskJson, sanitizeDuckdbError } from './masking.js'
import { planDuckdbSecrets } from './plan.js'

export interface StatementResult {
  sql: string
  columns: string[]
  rows: Record<string, Json>[]
}

export interface ApplyDuckdbOptions {
  manifest: LoadedManifest
  resolver?: Pick<Resolver, 'resolve'>
  /** database file; default duckdb.database from the manifest, else in-memory */
  database?: string
  /** where DuckDB keeps persistent secrets; default duckdb.secret_directory, else DuckDB's own */
  secretDirectory?: string
  /** extensions to INSTALL and LOAD besides duckdb.install_extensions */
  extensions?: string[]
  /** SQL run after the secrets are created (the CLI's repeatable -c) */
  statements?: string[]
  dryRun?: boolean
  dropRemoved?: boolean
  /** extra DuckDB configuration for the instance (e.g. { autoload_known_extensions: 'false' }) */
  duckdbConfig?: Record<string, string>
}

export interface ApplyDuckdbReport extends ApplySecretsReport {
  database: string
  extensions: { installed: string[]; loaded: string[] }
  results: StatementResult[]
}

export function relativeTo(dir: string, path: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolvePath(dir, path)
}

/**
 * `floe secrets apply duckdb`: opens the database with @duckdb/node-api (imported only
 * here), installs and loads extensions, applies the secrets, verifies them through
 * duckdb_secrets(), runs the -c statements in the same session and closes everything.
 */
export async function applyDuckdb(options: ApplyDuckdbOptions): Promise<ApplyDuckdbReport> {
  const plan = planDuckdbSecrets(options.manifest)
  const dir = options.manifest.dir
  const database = options.database ?? (plan.database ? relativeTo(dir, plan.database) : ':memory:')
  const secretDirectory =
    options.secretDirectory ??
    (plan.secretDirectory ? relativeTo(dir, plan.secretDirectory) : undefined)
  const install = [...new Set([...plan.installExtensions, ...(options.extensions ?? [])])]
  const load = [...new Set([...install, ...plan.loadExtensions])]
  for (const name of install) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(`invalid extension name ${JSON.stringify(name)}`)
  }

  const config: Record<string, string> = { ...options.duckdbConfig }
  if (secretDirectory) config.secret_directory = secretDirectory
  const { DuckDBInstance } = await import('@duckdb/node-api')
  // A dry run never writes: it reads persistent secrets through an in-memory instance.
  const target = options.dryRun ? ':memory:' : database
  if (!options.dryRun && target !== ':memory:' && !existsSync(dirname(target))) {
    mkdirSync(dirname(target), { recursive: true })
  }
  let instance: DuckDBInstance
  try {
    instance = await DuckDBInstance.create(target, config)
  } catch (error) {
    throw new FloeError(
      'INVALID',
      `cannot open DuckDB database ${target}: ${sanitizeDuckdbError(error, (t) => t)}`,
      {
        provider: 'duckdb',
      },
    )
  }
  const connection = await instance.connect()
  try {
    const installed: string[] = []
    const loaded: string[] = []
    if (!options.dryRun) {
      for (const name of install) {
        try {
          await connection.run(`INSTALL ${name}`)
          installed.push(name)
        } catch (error) {
          throw new ProviderUnavailableError(
            `DuckDB extension '${name}' could not be downloaded or installed (${sanitizeDuckdbError(error, (t) => t)}); DuckDB needs network access to its extension repository, or the extension pre-installed in its extension_directory`,
            { provider: 'duckdb' },
          )
        }
      }
      for (const name of load) {
        try {
          await connection.run(`LOAD ${name}`)
          loaded.push(name)
        } catch (error) {
          throw new ProviderUnavailableError(
            `DuckDB extension '${name}' could not be loaded (${sanitizeDuckdbError(error, (t) => t)}); install it first (duckdb.install_extensions)`,
            { provider: 'duckdb' },
          )
        }
      }
    }
    const { report, mask } = await applyPlan(connection, plan, {
      resolver: options.resolver,
      dryRun: options.dryRun,
      dropRemoved: options.dropRemoved,
    })
    const results: StatementResult[] = []
    if (!options.dryRun) {
      for (const sql of options.statements ?? []) {
        let reader
        try {
          reader = await connection.runAndReadAll(sql)
        } catch (error) {
          throw new FloeError('INVALID', `statement failed: ${sanitizeDuckdbError(error, mask)}`, {
            provider: 'duckdb',
          })
        }
        // Results may echo secret material (duckdb_secrets() does not redact every field).
        const maskedRows = reader
          .getRowObjectsJson()
          .map((row) => maskJson(row, mask) as Record<string, Json>)
        results.push({ sql, columns: reader.columnNames(), rows: maskedRows })
      }
    }
    return { ...report, database, extensions: { installed, loaded }, results }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
