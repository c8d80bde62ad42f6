import { SecretNotFoundError } from '../errors.js'
import type { SecretValue } from '../secret-value.js'
import type { Resolver } from '../types.js'
import { refId, type SecretRef } from '../uri.js'
import { DUAL_FALLBACK_CODES } from './dual-env.js'

export interface DualResolution {
  value: SecretValue
  /** which credential is in use */
  used: 'primary' | 'secondary'
  warnings: string[]
}

/**
 * The dual-secret pattern: use `primary`; while it is being rotated or its provider
 * is down (NOT_FOUND, UNAVAILABLE) fall back to `secondary` when `fallbackEnabled`. A FORBIDDEN
 * (or INVALID) primary is never papered over: it is a policy or data problem someone must see.
 */
export async function resolveDual(
  resolver: Resolver,
  primary: SecretRef,
  secondary: SecretRef,
  fallbackEnabled: boolean,
): Promise<DualResolution> {
  const first = await resolver.resolve([primary])
  const value = first.valueOf(primary)
  if (value !== undefined) return { value, used: 'primary', warnings: first.warnings }
  const primaryError = first.failures.find((f) => refId(f.ref) === refId(primary))?.error
  if (!fallbackEnabled || !primaryError || !DUAL_FALLBACK_CODES.has(primaryError.code)) {
    throw primaryError ?? missing(primary)
  }
  const second = await resolver.resolve([secondary])
  const fallbackValue = second.valueOf(secondary)
  if (fallbackValue === undefined) throw primaryError
  return {
    value: fallbackValue,
    used: 'secondary',
    warnings: [
      ...first.warnings,
      ...second.warnings,
      `primary secret "${primary.name}" failed (${primaryError.code}); using secondary "${secondary.name}"`,
    ],
  }
}

/** `resolveDual` for a pattern found by `findDualSecrets(manifest)`. */
export function resolveDualSecret(
  resolver: Resolver,
  dual: { primary: SecretRef; secondary: SecretRef; fallbackEnabled: boolean },
): Promise<DualResolution> {
  return resolveDual(resolver, dual.primary, dual.secondary, dual.fallbackEnabled)
}

function missing(ref: SecretRef): SecretNotFoundError {
  return new SecretNotFoundError(`secret "${ref.name}" resolved to no value`, { secret: ref.name })
}
