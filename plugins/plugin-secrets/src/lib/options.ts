import { UsageError, type EmitterModule } from '@floe/core'

/**
 * Unknown `--option` keys are a usage error listing the keys the emitter reads; an emitter
 * that declares none gets a warning instead (its keys cannot be checked).
 */
export function checkEmitterOptions(
  emitter: Pick<EmitterModule, 'name' | 'packageName' | 'options'>,
  given: Record<string, unknown>,
  warn: (message: string) => void,
): void {
  const keys = Object.keys(given)
  if (!keys.length) return
  if (!emitter.options) {
    warn(
      `${emitter.packageName} does not declare its --option keys: ${keys.join(', ')} could not be checked`,
    )
    return
  }
  const valid = Object.keys(emitter.options)
  const unknown = keys.filter((k) => !valid.includes(k))
  if (!unknown.length) return
  throw new UsageError(
    `emit ${emitter.name}: unknown --option ${unknown.join(', ')} (${emitter.packageName})`,
    {
      hint: valid.length
        ? `valid keys: ${Object.entries(emitter.options)
            .map(([k, meaning]) => `${k} (${meaning})`)
            .join('; ')}`
        : `${emitter.name} takes no --option keys`,
    },
  )
}

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
