import { findDualSecrets } from '../manifest/references.js'
import type { LoadedManifest } from '../types.js'
import type { ValidationCheck as Check } from './validation-types.js'

const STANDS_IN = new Set(['NOT_FOUND', 'UNAVAILABLE'])

/**
 * `validate` and the dual-secret pattern: reports each pair (primary and secondary state), and a
 * primary that is missing or unreachable while its secondary exists is a warning, not an error —
 * that is what `fallback_enabled` is for (never when the primary is FORBIDDEN).
 */
export function applyDualChecks(manifest: LoadedManifest, checks: Check[]): void {
  for (const dual of findDualSecrets(manifest)) {
    const primary = checks.find((c) => c.subject === dual.primary.name)
    const secondary = checks.find((c) => c.subject === dual.secondary.name)
    const usable = secondary?.ok === true && secondary.severity !== 'error'
    const standsIn =
      dual.fallbackEnabled && usable && primary?.ok === false && STANDS_IN.has(primary.code ?? '')
    if (standsIn && primary) {
      primary.ok = true
      primary.severity = 'warning'
      primary.message = `${primary.message} — dual: secondary "${dual.secondary.name}" will be used (fallback_enabled)`
    }
    const state = (c: Check | undefined) =>
      !c ? 'not checked' : c.ok && c.severity !== 'warning' ? 'exists' : c.message.split(' — ')[0]
    checks.push({
      ok: primary?.ok !== false || standsIn,
      severity: standsIn ? 'warning' : 'info',
      subject: dual.path.join('.'),
      message: `dual: primary ${dual.primary.name} ${state(primary)}, secondary ${dual.secondary.name} ${state(secondary)}, fallback ${dual.fallbackEnabled ? 'enabled' : 'disabled'}`,
      ...(standsIn ? { code: primary?.code } : {}),
    })
  }
}
