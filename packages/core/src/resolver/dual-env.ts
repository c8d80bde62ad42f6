import type { FloeError } from '../errors.js'
import type { DualSecret } from '../manifest/references.js'
import type { SecretValue } from '../secret-value.js'
import type { EnvBinding, ResolveReport, Resolver } from '../types.js'
import { refId, type SecretRef } from '../uri.js'

/** Primary failures the secondary may stand in for: rotation in progress, or an outage. */
export const DUAL_FALLBACK_CODES: ReadonlySet<string> = new Set(['NOT_FOUND', 'UNAVAILABLE'])

export interface DualFallback {
  /** the variable that now holds the secondary's value */
  variable: string
  primary: string
  secondary: string
  code: string
}

/**
 * The secondary reference standing in for `ref` when `ref` reads a dual pair's primary:
 * `primary: secret://db_primary` covers every key of db_primary (db_primary/password →
 * db_secondary/password); `primary: secret://db_primary/password` covers only that key.
 */
function secondaryFor(ref: SecretRef, duals: readonly DualSecret[]): SecretRef | undefined {
  for (const dual of duals) {
    if (!dual.fallbackEnabled || dual.primary.name !== ref.name) continue
    if (dual.primary.key !== undefined) {
      if (dual.primary.key === ref.key) return dual.secondary
      continue
    }
    const key = ref.key ?? dual.secondary.key
    return { ...dual.secondary, ...(key !== undefined ? { key } : {}) }
  }
  return undefined
}

/**
 * `resolver.resolveEnv` honouring the dual-secret pattern: a variable whose primary
 * fails with NOT_FOUND or UNAVAILABLE takes the secondary's value, with a warning. Never on
 * FORBIDDEN (or INVALID): that is a policy or data problem someone must see.
 */
export async function resolveEnvWithDuals(
  resolver: Pick<Resolver, 'resolveEnv' | 'resolve'>,
  bindings: readonly EnvBinding[],
  duals: readonly DualSecret[],
  options: { allowPartial?: boolean } = {},
): Promise<{ env: Record<string, SecretValue>; report: ResolveReport; fallbacks: DualFallback[] }> {
  const { env, report } = await resolver.resolveEnv(bindings, { allowPartial: true })
  const fallbacks: DualFallback[] = []
  const failed = new Map<string, FloeError>(report.failures.map((f) => [refId(f.ref), f.error]))
  const standIns: { binding: EnvBinding; secondary: SecretRef; error: FloeError }[] = []
  for (const binding of bindings) {
    const error = failed.get(refId(binding.ref))
    if (env[binding.name] !== undefined || !error || !DUAL_FALLBACK_CODES.has(error.code)) continue
    const secondary = secondaryFor(binding.ref, duals)
    if (secondary) standIns.push({ binding, secondary, error })
  }
  const rescued = new Set<string>()
  if (standIns.length) {
    const second = await resolver.resolve(standIns.map((s) => s.secondary))
    for (const { binding, secondary, error } of standIns) {
      const value = second.valueOf(secondary)
      if (value === undefined) continue
      env[binding.name] = value
      rescued.add(refId(binding.ref))
      fallbacks.push({
        variable: binding.name,
        primary: binding.ref.name,
        secondary: secondary.name,
        code: error.code,
      })
      report.warnings.push(
        `primary secret "${binding.ref.name}" failed (${error.code}); ${binding.name} uses secondary "${secondary.name}" (fallback_enabled)`,
      )
    }
    report.warnings.push(...second.warnings)
  }
  report.failures = report.failures.filter((f) => !rescued.has(refId(f.ref)))
  if (!options.allowPartial) {
    for (const binding of bindings) {
      if (env[binding.name] !== undefined) continue
      const error = report.failures.find((f) => refId(f.ref) === refId(binding.ref))?.error
      if (error) throw error
    }
  }
  return { env, report, fallbacks }
}
