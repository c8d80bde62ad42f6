import { SecretNotFoundError, type FloeError } from '../errors.js'
import type { Redactor } from '../logging/redactor.js'
import { SecretValue } from '../secret-value.js'
import type { FetchedSecret, ResolveReport, SecretDefinition } from '../types.js'
import type { SecretRef } from '../uri.js'

/** Failures after which a definition's `fallback:` source is tried (never FORBIDDEN/INVALID). */
export const FALLBACK_CODES: ReadonlySet<string> = new Set(['NOT_FOUND', 'UNAVAILABLE'])

/** The key to select: the reference's, else a definition's single declared `key:`. */
export function keyFor(
  ref: SecretRef,
  definition: SecretDefinition,
  fetched: FetchedSecret,
): string | undefined {
  if (ref.key !== undefined) return ref.key
  const single = definition.fields.key
  if (typeof single === 'string' && fetched.keys && single in fetched.keys) return single
  return undefined
}

/**
 * What a reference gets when its secret could not be read: on NOT_FOUND only, the reference's
 * `?default=`, then the definition's `default`, then `on_missing`; any other failure stands.
 */
export function applyMissingPolicy(
  ref: SecretRef,
  id: string,
  definition: SecretDefinition,
  error: FloeError,
  report: ResolveReport,
): void {
  const put = (plain: string) => {
    report.values.set(id, new SecretValue(plain, ref.key ? `${ref.name}/${ref.key}` : ref.name))
  }
  if (error.code !== 'NOT_FOUND') {
    report.failures.push({ ref, error })
    return
  }
  if (ref.default !== undefined) return put(ref.default)
  if (definition.default !== undefined) return put(definition.default)
  const onMissing = definition.onMissing
  switch (onMissing?.action ?? 'fail') {
    case 'default':
      return put(onMissing?.defaultValue ?? '')
    case 'warn':
      // The manifest's own words, when it has them, say more than the generic line.
      report.warnings.push(
        onMissing?.message
          ? `secret "${ref.name}": ${onMissing.message}`
          : `secret "${ref.name}" not found; continuing without it (on_missing: warn)`,
      )
      return
    default:
      report.failures.push({
        ref,
        error: onMissing?.message
          ? new SecretNotFoundError(onMissing.message, {
              secret: ref.name,
              ...(error.provider ? { provider: error.provider } : {}),
              cause: error,
            })
          : error,
      })
  }
}

/** Error messages and warnings may quote a provider's answer: redact every known value. */
export function redactReport(report: ResolveReport, redactor: Redactor): void {
  for (const failure of report.failures) {
    const clean = redactor.redact(failure.error.message)
    if (clean !== failure.error.message) {
      failure.error.message = clean
      failure.error.stack = redactor.redact(failure.error.stack ?? '')
    }
  }
  for (let i = 0; i < report.warnings.length; i += 1) {
    report.warnings[i] = redactor.redact(report.warnings[i] as string)
  }
}
