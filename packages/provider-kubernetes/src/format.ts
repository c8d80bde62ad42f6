import type { SecretListing } from '@floe/core'
import type { ClusterSecretCheck } from './operations.js'
import type { ExternalSecretStatus } from './status.js'

/** kubectl's AGE: 45s, 12m, 5h, 7d, 2y */
export function formatAge(since: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000))
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 120) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  if (days < 730) return `${days}d`
  return `${Math.floor(days / 365)}y`
}

/** Aligns columns with three spaces, like kubectl. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
      .join('')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** `floe secrets list --namespace X`: NAME TYPE AGE */
export function formatSecretList(
  listings: readonly SecretListing[],
  now: Date = new Date(),
): string {
  return formatTable(
    ['NAME', 'TYPE', 'AGE'],
    listings.map((l) => [
      l.name,
      l.type ?? '',
      l.createdAt ? formatAge(l.createdAt, now) : '<unknown>',
    ]),
  )
}

/** The SYNC STATUS cell: Synced, SyncError, Pending — and a flag when keys are missing. */
export function syncCell(status: ExternalSecretStatus): string {
  return status.sync === 'Synced' && status.missingKeys.length
    ? `Synced (missing keys: ${status.missingKeys.join(', ')})`
    : status.sync
}

/** `floe secrets status`: NAME STORE SYNC STATUS LAST SYNC */
export function formatExternalSecretStatus(
  rows: readonly ExternalSecretStatus[],
  now: Date = new Date(),
): string {
  return formatTable(
    ['NAME', 'STORE', 'SYNC STATUS', 'LAST SYNC'],
    rows.map((s) => [
      s.name,
      s.store,
      syncCell(s),
      s.lastSync ? `${formatAge(s.lastSync, now)} ago` : 'never',
    ]),
  )
}

/**
 * validate's lines ("✓ snowflake-credentials: exists, 3 keys" / "✗ …: NOT FOUND") and
 * the closing summary with the fix hint. `ok` is false when any check failed (exit 1).
 */
export function formatClusterValidation(checks: readonly ClusterSecretCheck[]): {
  lines: string[]
  ok: boolean
} {
  const lines: string[] = []
  const failed: ClusterSecretCheck[] = []
  for (const c of checks) {
    if (c.error) {
      lines.push(`✗ ${c.secret}: ${c.error}`)
      failed.push(c)
    } else if (!c.exists) {
      lines.push(`✗ ${c.secret}: NOT FOUND`)
      failed.push(c)
    } else if (c.missingKeys.length) {
      lines.push(
        `✗ ${c.secret}: exists, ${c.keys} key${c.keys === 1 ? '' : 's'}, missing ${c.missingKeys.join(', ')}`,
      )
      failed.push(c)
    } else lines.push(`✓ ${c.secret}: exists, ${c.keys} key${c.keys === 1 ? '' : 's'}`)
  }
  if (failed.length) {
    const missing = failed.filter((c) => !c.exists && !c.error)
    lines.push('')
    lines.push(
      `${failed.length} error${failed.length === 1 ? '' : 's'} found.` +
        (missing.length
          ? ` Run '${missing.map((c) => `floe secrets create ${c.secret}`).join("', '")}' to fix.`
          : ''),
    )
  }
  return { lines, ok: failed.length === 0 }
}
