import { statusWord, type SecretStatusRow } from '@floe/core'
import { age, renderTable } from './output.js'

/**
 * The text of `floe secrets status`. With External Secrets in the picture it is the ESO view
 * (NAME STORE SYNC STATUS LAST SYNC) of what the cluster syncs, and a declared secret with no
 * ExternalSecret is named in `warnings` instead of a row; else the provider view.
 */
export function renderStatus(
  rows: readonly SecretStatusRow[],
  color: boolean,
  now = Date.now(),
): { human: string; warnings: string[] } {
  const synced = rows.filter((r) => r.sync && r.sync !== 'NotFound')
  const warnings: string[] = []
  let table: string
  if (synced.length) {
    for (const r of rows.filter((row) => !synced.includes(row)))
      warnings.push(
        `${r.name}: no ExternalSecret in the cluster (emit it with: floe secrets emit k8s); at ${r.provider}: ${statusWord(r)}`,
      )
    table = renderTable(
      ['NAME', 'STORE', 'SYNC STATUS', 'LAST SYNC'],
      synced.map((r) => [
        r.name,
        r.store ?? r.provider,
        r.sync ?? statusWord(r),
        r.lastSync ? age(r.lastSync, now, ' ago') : '-',
      ]),
      color,
    )
  } else {
    table = renderTable(
      ['NAME', 'PROVIDER', 'STATUS', 'VERSION', 'LAST CHANGE', 'LEASE TTL'],
      rows.map((r) => [
        r.name,
        r.provider,
        statusWord(r),
        r.version ?? '-',
        r.updatedAt ? age(r.updatedAt, now, ' ago') : '-',
        r.leaseTtlSeconds !== undefined ? `${r.leaseTtlSeconds}s` : '-',
      ]),
      color,
    )
  }
  const errors = rows
    .filter((r) => r.error && r.error.code !== 'NOT_FOUND')
    .map((r) => `${r.name}: ${r.error?.message}`)
  return { human: errors.length ? `${table}\n\n${errors.join('\n')}` : table, warnings }
}
