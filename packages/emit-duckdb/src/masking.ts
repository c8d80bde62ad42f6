import type { Json } from '@duckdb/node-api'
import { sqlEscapedPattern } from './sql-escaped-forms.js'

/**
 * Replaces every occurrence of a resolved value in text with '***': as stored and in each
 * escaped form a SQL result can show it (see sqlEscapedPattern), longest value first.
 */
export function createMasker(plainValues: readonly string[]): (text: string) => string {
  // @duckdb/node-api decodes VARCHAR results with TextDecoder, which drops a leading U+FEFF:
  // a value that starts with one is shown without it
  const shown = plainValues.flatMap((v) => (v.startsWith('\uFEFF') ? [v, v.slice(1)] : [v]))
  const values = [...new Set(shown.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length)
  if (values.length === 0) return (text) => text
  const pattern = new RegExp(values.map(sqlEscapedPattern).join('|'), 'g')
  return (text: string) => text.replace(pattern, '***')
}

export function maskJson(value: Json, mask: (text: string) => string): Json {
  if (typeof value === 'string') return mask(value)
  if (Array.isArray(value)) return value.map((item) => maskJson(item, mask))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), maskJson(v, mask)]))
  }
  return value
}

export function sanitizeDuckdbError(error: unknown, mask: (text: string) => string): string {
  const message = error instanceof Error ? error.message : String(error)
  // DuckDB parser errors quote the statement ("LINE 1: …"): never let that text out.
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error'
  return mask(firstLine.replace(/LINE \d+:.*$/, '').trim())
}
