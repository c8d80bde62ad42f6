import { existsSync, mkdirSync } from 'node:fs'
import type { DuckDBConnection, Json } from '@duckdb/node-api'
import {
  FloeError,
  UsageError,
  refId,
  type LoadedManifest,
  type ResolveReport,
  type Resolver,
  type SecretRef,
} from '@floe/core'
import {
  planDuckdbSecrets,
  referencesOf,
  type DuckdbPlan,
  type DuckdbSecretPlan,
  type PlanValue,
} from './plan.js'
import {
  readPersistentRegistry,
  secretDirectoryWarnings,
  temporaryRegistry,
  writePersistentRegistry,
} from './registry.js'
import { renderCreateSecret, renderDropSecret, type ValueSource } from './sql.js'
import { createMasker, sanitizeDuckdbError } from './masking.js'
import type { DuckdbSecretWatch, WatchDuckdbOptions } from './watch.js'

/** The part of a @duckdb/node-api connection floe uses (any DuckDBConnection fits). */
export type SqlConnection = Pick<DuckDBConnection, 'runAndReadAll'>

export interface ApplySecretsOptions {
  /** resolves secret:// references; required unless dryRun or nothing is referenced */
  resolver?: Pick<Resolver, 'resolve'>
  /** drop floe-managed secrets that are no longer in the manifest (default true) */
  dropRemoved?: boolean
  /** compute and render the redacted plan; change nothing, resolve nothing */
  dryRun?: boolean
}

export interface VerifiedSecret {
  name: string
  type: string
  provider: string
  persistent: boolean
  storage: string
  scope: string[]
  /** true when duckdb_secrets() shows what the manifest asked for */
  ok: boolean
}

export interface ApplySecretsReport {
  dryRun: boolean
  created: string[]
  replaced: string[]
  dropped: string[]
  verified: VerifiedSecret[]
  /** the statements, redacted (what --dry-run prints) */
  plan: string[]
  secretDirectory?: string
  warnings: string[]
}

interface Statement {
  sql: string
  display: string
  secret: string
  kind: 'create' | 'drop'
  persistent: boolean
  type: string
}

interface ExistingSecret {
  name: string
  type: string
  provider: string
  persistent: boolean
  storage: string
  scope: string[]
}

async function rows(connection: SqlConnection, sql: string): Promise<Record<string, Json>[]> {
  const reader = await connection.runAndReadAll(sql)
  return reader.getRowObjectsJson()
}

function textOf(value: Json | undefined): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Names and storage only (cheap), or everything verification compares. */
async function listSecrets(connection: SqlConnection, full = true): Promise<ExistingSecret[]> {
  const found = await rows(
    connection,
    full
      ? 'SELECT name, type, provider, persistent, storage, scope FROM duckdb_secrets()'
      : 'SELECT name, persistent FROM duckdb_secrets()',
  )
  return found.map((row) => ({
    name: textOf(row.name),
    type: textOf(row.type),
    provider: textOf(row.provider),
    persistent: row.persistent === true,
    storage: textOf(row.storage),
    scope: Array.isArray(row.scope) ? row.scope.map(textOf) : [],
  }))
}

interface Resolved {
  source: ValueSource
  plainValues: string[]
}

async function resolveAll(
  refs: SecretRef[],
  resolver: Pick<Resolver, 'resolve'> | undefined,
): Promise<Resolved> {
  if (refs.length === 0) return { source: { valueOf: () => undefined }, plainValues: [] }
  if (!resolver) {
    throw new UsageError('duckdb secrets reference secret:// values but no resolver was given')
  }
  const unique = [...new Map(refs.map((ref) => [refId(ref) + (ref.default ?? ''), ref])).values()]
  const report: ResolveReport = await resolver.resolve(unique)
  if (report.failures.length > 0) {
    const first = report.failures[0]!
    if (report.failures.length === 1) throw first.error
    throw new FloeError(
      first.error.code,
      `${report.failures.length} secret references could not be resolved; first: ${first.error.message}`,
      { secret: first.ref.name, cause: first.error },
    )
  }
  const plainValues = unique.map((ref) => report.valueOf(ref)?.reveal() ?? '')
  return { source: report, plainValues }
}

function sensitiveLiterals(plans: readonly DuckdbSecretPlan[]): string[] {
  const out: string[] = []
  const visit = (value: PlanValue): void => {
    if (value.kind === 'text' && value.sensitive) {
      for (const piece of value.pieces) if (typeof piece === 'string') out.push(piece)
    } else if (value.kind === 'map') {
      for (const [, entry] of value.entries) visit(entry)
    }
  }
  for (const plan of plans) for (const param of plan.params) visit(param.value)
  return out
}

function sameScopes(wanted: string[], actual: string[]): boolean {
  if (wanted.length === 0) return true // DuckDB fills in the type's default scope
  return wanted.length === actual.length && wanted.every((s) => actual.includes(s))
}

export interface AppliedState {
  report: ApplySecretsReport
  /** masks resolved values in text that leaves the process (used for -c results) */
  mask: (text: string) => string
}

/**
 * Creates the manifest's DuckDB secrets on an open connection: the library API behind
 * `floe secrets apply duckdb`, and what an application calls at startup to get temporary
 * secrets.
 */
export async function applySecrets(
  connection: SqlConnection,
  manifest: LoadedManifest,
  options: ApplySecretsOptions & WatchDuckdbOptions & { watch: true },
): Promise<ApplySecretsReport & { watch: DuckdbSecretWatch }>
export async function applySecrets(
  connection: SqlConnection,
  manifest: LoadedManifest,
  options?: ApplySecretsOptions,
): Promise<ApplySecretsReport>
/**
 * With `watch: true` (and a long-running resolver), keeps the secrets current afterwards:
 * CREATE OR REPLACE of the DuckDB secrets whose values changed (see watch.ts); stop it with
 * `report.watch.stop()`.
 */
export async function applySecrets(
  connection: SqlConnection,
  manifest: LoadedManifest,
  options: ApplySecretsOptions & {
    watch?: boolean
    onEvent?: WatchDuckdbOptions['onEvent']
    floorMs?: number
  } = {},
): Promise<ApplySecretsReport> {
  if (options.watch) {
    if (!options.resolver || !('describe' in options.resolver)) {
      throw new UsageError('applySecrets({ watch: true }) needs a resolver (createResolver)')
    }
    const { applyAndWatch } = await import('./watch.js')
    return applyAndWatch(connection, manifest, options as unknown as WatchDuckdbOptions)
  }
  return (await applyPlan(connection, planDuckdbSecrets(manifest), options)).report
}

export async function applyPlan(
  connection: SqlConnection,
  plan: DuckdbPlan,
  options: ApplySecretsOptions = {},
): Promise<AppliedState> {
  const dryRun = options.dryRun === true
  const warnings = [...plan.warnings]
  const resolved = dryRun
    ? { source: undefined, plainValues: [] as string[] }
    : await resolveAll(referencesOf(plan.secrets), options.resolver)
  // Credentials written as literals (e.g. from ${env:…}) are masked like resolved values.
  const mask = createMasker([...resolved.plainValues, ...sensitiveLiterals(plan.secrets)])

  const setting = await rows(connection, "SELECT current_setting('secret_directory') AS d")
  const secretDirectory = textOf(setting[0]?.d) || undefined
  const existing = await listSecrets(connection, false)
  const existingByKey = new Map(existing.map((e) => [`${e.persistent}:${e.name}`, e]))
  const managedPersistent = readPersistentRegistry(secretDirectory)
  const managedTemporary = temporaryRegistry(connection)
  const isManaged = (name: string, persistent: boolean): boolean =>
    (persistent ? managedPersistent : managedTemporary).has(name)

  const created: string[] = []
  const replaced: string[] = []
  const dropped: string[] = []
  const statements: Statement[] = []
  const drop = (name: string, persistent: boolean): void => {
    // IF EXISTS when executed: re-running the batch one by one after a failure stays harmless.
    statements.push({
      sql: renderDropSecret(name, persistent, true),
      display: renderDropSecret(name, persistent),
      secret: name,
      kind: 'drop',
      persistent,
      type: '',
    })
    dropped.push(`${name} (${persistent ? 'persistent' : 'temporary'})`)
  }

  const wanted = new Set(plan.secrets.map((s) => s.name))
  for (const secret of plan.secrets) {
    const same = existingByKey.get(`${secret.persistent}:${secret.name}`)
    const other = existingByKey.get(`${!secret.persistent}:${secret.name}`)
    if (other) {
      if (isManaged(other.name, other.persistent)) drop(other.name, other.persistent)
      else {
        warnings.push(
          `a ${other.persistent ? 'persistent' : 'temporary'} secret '${other.name}' that floe did not create also exists; DuckDB will hold both (drop it with DROP ${other.persistent ? 'PERSISTENT' : 'TEMPORARY'} SECRET ${other.name})`,
        )
      }
    }
    ;(same || (other && isManaged(other.name, other.persistent)) ? replaced : created).push(
      secret.name,
    )
    statements.push({
      sql: dryRun ? '' : renderCreateSecret(secret, resolved.source),
      display: renderCreateSecret(secret, undefined, { redact: true }),
      secret: secret.name,
      kind: 'create',
      persistent: secret.persistent,
      type: secret.type,
    })
  }
  if (options.dropRemoved !== false) {
    for (const e of existing) {
      if (!wanted.has(e.name) && isManaged(e.name, e.persistent)) drop(e.name, e.persistent)
    }
  }

  const persistentPlans = plan.secrets.filter((s) => s.persistent)
  if (persistentPlans.length > 0 && secretDirectory) {
    if (!dryRun && !existsSync(secretDirectory)) {
      // Created here, owner-only, rather than by DuckDB with the process umask (often 755).
      mkdirSync(secretDirectory, { recursive: true, mode: 0o700 })
    }
    warnings.push(...secretDirectoryWarnings(secretDirectory))
  }

  const report: ApplySecretsReport = {
    dryRun,
    created,
    replaced,
    dropped,
    verified: [],
    plan: statements.map((s) => s.display),
    secretDirectory,
    warnings,
  }
  if (dryRun) return { report, mask }

  // Registries follow what was executed, also when a statement fails half-way.
  const record = (executed: readonly Statement[], complete: boolean): void => {
    for (const statement of executed) {
      const own = statement.persistent ? managedPersistent : managedTemporary
      if (statement.kind === 'drop') own.delete(statement.secret)
      else own.set(statement.secret, statement.type)
    }
    if (complete) {
      // forget names that are neither wanted nor still there (dropped by hand, say)
      for (const registry of [managedPersistent, managedTemporary]) {
        for (const name of [...registry.keys()]) if (!wanted.has(name)) registry.delete(name)
      }
    }
    if (secretDirectory && (persistentPlans.length > 0 || existsSync(secretDirectory))) {
      writePersistentRegistry(secretDirectory, managedPersistent)
    }
  }

  if (statements.length > 0) {
    try {
      // One multi-statement run: 1,000 secrets cost one round trip, not 1,000.
      await connection.runAndReadAll(statements.map((s) => s.sql).join('\n'))
    } catch {
      // Find the statement that failed (the ones before it took effect; CREATE OR REPLACE and
      // DROP … IF EXISTS make re-running them harmless) and report it by secret name.
      for (const [index, statement] of statements.entries()) {
        try {
          await connection.runAndReadAll(statement.sql)
        } catch (error) {
          record(statements.slice(0, index), false)
          throw explainFailure(error, statement.secret, plan, mask)
        }
      }
    }
  }
  record(statements, options.dropRemoved !== false)

  const after = await listSecrets(connection)
  const afterByKey = new Map(after.map((e) => [`${e.persistent}:${e.name}`, e]))
  for (const secret of plan.secrets) {
    const found = afterByKey.get(`${secret.persistent}:${secret.name}`)
    if (!found) {
      warnings.push(`duckdb secret '${secret.name}' is missing from duckdb_secrets() after apply`)
      continue
    }
    const ok =
      found.type === secret.type &&
      found.provider === secret.effectiveProvider &&
      sameScopes(secret.scopes, found.scope)
    if (!ok)
      warnings.push(`duckdb secret '${secret.name}' differs from the manifest in duckdb_secrets()`)
    report.verified.push({ ...found, ok })
  }
  return { report, mask }
}

function explainFailure(
  error: unknown,
  secret: string,
  plan: DuckdbPlan,
  mask: (text: string) => string,
): FloeError {
  const detail = sanitizeDuckdbError(error, mask)
  const spec = plan.secrets.find((s) => s.name === secret)
  const missing = /exists in the (\w+) extension/.exec(detail)
  const hint = missing
    ? `install it first: add '${missing[1]}' to duckdb.install_extensions (needs network access to DuckDB's extension repository, or a pre-installed extension)`
    : undefined
  return new FloeError('INVALID', `DuckDB rejected secret '${secret}': ${detail}`, {
    provider: 'duckdb',
    secret,
    location: spec?.location,
    hint,
  })
}

export type { DuckdbSecretPlan }
