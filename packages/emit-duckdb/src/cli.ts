import type { Json } from '@duckdb/node-api'
import { UsageError, type LoadedManifest, type Resolver } from '@floe/core'
import { applyDuckdb, type ApplyDuckdbReport, type StatementResult } from './apply-database.js'

/** What `floe secrets apply duckdb` passes to an emitter's `apply` (plugin-secrets). */
export interface CliApplyInput {
  manifest: LoadedManifest
  resolver?: Pick<Resolver, 'resolve'>
  database?: string
  secretDirectory?: string
  statements?: string[]
  dryRun?: boolean
  /**
   * `--option key=value`: `extensions=httpfs,aws` (INSTALL + LOAD), `drop_removed=false`,
   * `duckdb.<setting>=value` (DuckDB configuration for the instance).
   */
  options?: Record<string, unknown>
  [other: string]: unknown
}

export interface CliApplyOutput {
  result: ApplyDuckdbReport
  human: string
  warnings: string[]
  /** false when a secret is missing from, or differs in, duckdb_secrets() after apply */
  ok: boolean
}

function cell(value: Json | undefined): string {
  if (value === null || value === undefined) return 'NULL'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function table(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

function resultTable(result: StatementResult): string[] {
  const rows = result.rows.map((row) => result.columns.map((c) => cell(row[c])))
  return [
    `$ ${result.sql}`,
    ...table(result.columns, rows),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ]
}

/** The human form of an apply report (values never appear: the report holds none). */
export function formatApplyReport(report: ApplyDuckdbReport): string {
  const lines: string[] = []
  if (report.dryRun) {
    lines.push(`Plan for ${report.database} (dry run, values redacted):`, '')
    for (const statement of report.plan) lines.push(statement, '')
  }
  const verb = report.dryRun ? 'would be ' : ''
  const list = (label: string, names: string[]) => {
    if (names.length) lines.push(`${label} ${verb}${names.length}: ${names.join(', ')}`)
  }
  list('Created', report.created)
  list('Replaced', report.replaced)
  list('Dropped', report.dropped)
  if (!report.dryRun) {
    if (report.extensions.loaded.length)
      lines.push(`Extensions loaded: ${report.extensions.loaded.join(', ')}`)
    if (report.verified.length) {
      lines.push('', 'Verified in duckdb_secrets():')
      for (const v of report.verified) {
        const scope = v.scope.length ? ` scope ${v.scope.join(', ')}` : ''
        lines.push(
          `  ${v.ok ? '✓' : '✗'} ${v.name} (${v.type}, ${v.persistent ? 'persistent' : 'temporary'}, ${v.provider})${scope}`,
        )
      }
    }
    for (const result of report.results) lines.push('', ...resultTable(result))
  }
  if (lines.length === 0) lines.push('No DuckDB secrets in the manifest.')
  return lines.join('\n')
}

/** `floe secrets apply duckdb`: the entry point plugin-secrets calls on this emitter. */
/** `--option key=value` of `apply duckdb` / `watch --duckdb`, checked (unknown keys are errors). */
export function parseCliOptions(options: Record<string, unknown> = {}): {
  extensions: string[]
  dropRemoved?: boolean
  duckdbConfig: Record<string, string>
} {
  const duckdbConfig: Record<string, string> = {}
  let extensions: string[] = []
  let dropRemoved: boolean | undefined
  for (const [key, value] of Object.entries(options)) {
    if (key === 'extensions') {
      extensions = String(value)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    } else if (key === 'drop_removed') {
      if (typeof value !== 'boolean')
        throw new UsageError('--option drop_removed takes true or false')
      dropRemoved = value
    } else if (key.startsWith('duckdb.') && key.length > 'duckdb.'.length) {
      duckdbConfig[key.slice('duckdb.'.length)] = String(value)
    } else {
      throw new UsageError(
        `unknown duckdb apply option '${key}' (expected extensions=a,b, drop_removed=false or duckdb.<setting>=value)`,
      )
    }
  }
  return { extensions, ...(dropRemoved !== undefined ? { dropRemoved } : {}), duckdbConfig }
}

export async function applyForCli(input: CliApplyInput): Promise<CliApplyOutput> {
  const { extensions, dropRemoved, duckdbConfig } = parseCliOptions(input.options)
  const report = await applyDuckdb({
    manifest: input.manifest,
    resolver: input.resolver,
    database: input.database,
    secretDirectory: input.secretDirectory,
    statements: input.statements,
    dryRun: input.dryRun,
    extensions,
    dropRemoved,
    duckdbConfig,
  })
  return {
    result: report,
    human: formatApplyReport(report),
    warnings: report.warnings,
    ok:
      report.dryRun ||
      (report.verified.length === report.created.length + report.replaced.length &&
        report.verified.every((v) => v.ok)),
  }
}
