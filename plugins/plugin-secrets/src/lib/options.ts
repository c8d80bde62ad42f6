import { UsageError } from '@floe/core'

/** `--option key=value` pairs; "true"/"false" and numbers are typed, the rest stays text. */
export function parseOptions(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--option expects key=value, got "${pair}"`)
    const raw = pair.slice(eq + 1)
    out[pair.slice(0, eq)] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw
  }
  return out
}
