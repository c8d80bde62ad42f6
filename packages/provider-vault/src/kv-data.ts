/** A KV secret whose only key is `value` is a single-value secret (how `put` stores one). */
export const SINGLE_VALUE_KEY = 'value'

/** KV values may be numbers, booleans or nested objects: hand them on as text. */
export function stringMap(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  )
}
