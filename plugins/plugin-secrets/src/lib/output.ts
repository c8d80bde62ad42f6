import { createRequire } from 'node:module'
import type TableConstructor from 'cli-table3'
import pc from 'picocolors'

// cli-table3 (and string-width, wrap-ansi… under it) is loaded by the commands that print a
// table, not by every command at startup; it is CommonJS, so a synchronous require works (made
// on first use too: a createRequire at load costs every start ≈ 0.1 ms).
let tableClass: typeof TableConstructor | undefined
function loadTable(): typeof TableConstructor {
  if (tableClass === undefined) {
    const require = createRequire(import.meta.url)
    tableClass = require('cli-table3') as typeof TableConstructor
  }
  return tableClass
}

/** Colour only for a TTY, never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb'
}

export interface Painter {
  ok(text: string): string
  bad(text: string): string
  warn(text: string): string
  dim(text: string): string
  bold(text: string): string
}

export function painter(enabled: boolean): Painter {
  const c = pc.createColors(enabled)
  return { ok: c.green, bad: c.red, warn: c.yellow, dim: c.dim, bold: c.bold }
}

const borderless = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '   ',
}

/**
 * kubectl-style aligned columns (`kubectl get`'s layout). cli-table3 does the width maths,
 * including wide characters; colour only on a TTY.
 */
export function renderTable(
  headers: string[],
  rows: (string | number)[][],
  color: boolean,
): string {
  const p = painter(color)
  const Table = loadTable()
  const table = new Table({
    head: headers.map((h) => p.bold(h)),
    chars: borderless,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  })
  for (const row of rows) table.push(row.map((cell) => String(cell)))
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
}

/** "2m ago", "7d" — the AGE / LAST SYNC columns. */
export function age(from: Date | string | undefined, now = Date.now(), suffix = ''): string {
  if (!from) return '-'
  const ms = now - new Date(from).getTime()
  if (!Number.isFinite(ms)) return '-'
  const s = Math.max(0, Math.round(ms / 1000))
  const text =
    s < 60
      ? `${s}s`
      : s < 3600
        ? `${Math.floor(s / 60)}m`
        : s < 86_400
          ? `${Math.floor(s / 3600)}h`
          : `${Math.floor(s / 86_400)}d`
  return text + suffix
}

/** The stable `--json` envelope of every command. */
export interface Envelope<T> {
  status: 'ok' | 'error' | 'failed'
  result: T | null
  warnings: string[]
  /** secrets whose provider is not installed: they failed or were left out, the rest worked */
  skipped?: {
    secret: string
    provider: string
    package: string
    hint: string
    location?: unknown
  }[]
  error?: { code: string; message: string; hint?: string; location?: unknown }
}
