/** The checks that need no provider: lints, access, emitters, installed providers. */
import { buildAccessModel } from '../access/model.js'
import { accessFindings } from '../access/workloads.js'
import { AggregateConfigError, isFloeError, type FloeError } from '../errors.js'
import { lintManifest } from '../manifest/lint.js'
import type { LoadedManifest, Logger } from '../types.js'
import type { ValidateManifestInput, ValidationCheck } from './validation-types.js'

/** Manifest sections an emitter of the same name turns into output. */
const EMITTED_SECTIONS = ['duckdb', 'dbt'] as const

/** Optional fields left out, lints and access findings: everything that needs no provider. */
export async function staticChecks(manifest: LoadedManifest): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = []
  // `kms_key_id: ${KMS_KEY_ID}` with the variable unset, in a field the provider says is optional
  for (const omitted of manifest.omitted ?? []) {
    checks.push({
      ok: true,
      severity: 'warning',
      subject: omitted.secret,
      message: omitted.message,
      code: 'UNSET_OPTIONAL',
      ...(omitted.location ? { location: omitted.location } : {}),
    })
  }
  for (const finding of lintManifest(manifest)) {
    checks.push({
      ok: finding.severity !== 'error',
      severity: finding.severity,
      subject: finding.secret ?? 'manifest',
      message: finding.message,
      code: finding.code,
      ...(finding.location ? { location: finding.location } : {}),
    })
  }
  try {
    for (const finding of accessFindings(manifest, await buildAccessModel(manifest))) {
      checks.push({
        ok: finding.severity !== 'error',
        severity: finding.severity,
        subject: 'access',
        message: finding.message,
        code: finding.code,
        ...(finding.location ? { location: finding.location } : {}),
      })
    }
  } catch (error) {
    if (!isFloeError(error, 'CONFIG')) throw error
    checks.push(...configChecks(error, false))
  }
  return checks
}

/**
 * Each emitted section through its installed emitter, with no resolver (no value is read):
 * the emitter's own CONFIG errors become ✗ manifest lines.
 */
export async function emitterChecks(
  manifest: LoadedManifest,
  input: ValidateManifestInput,
): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = []
  for (const section of EMITTED_SECTIONS) {
    if (manifest[section] === undefined) continue
    const emitter = await input.emitter!(section)
    if (!emitter) continue
    try {
      await emitter.emit({ manifest, logger: input.logger ?? silentLogger, options: {} })
    } catch (error) {
      if (isFloeError(error, 'CONFIG')) checks.push(...configChecks(error, true))
      else
        checks.push({
          ok: true,
          severity: 'warning',
          subject: 'manifest',
          message: `${section}: the ${emitter.packageName} check did not run: ${error instanceof Error ? error.message : String(error)}`,
          code: 'UNAVAILABLE',
        })
    }
  }
  return checks
}

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}

export function configChecks(error: FloeError, withDetails: boolean): ValidationCheck[] {
  const problems = error instanceof AggregateConfigError ? error.errors : [error]
  return problems.map((p) => ({
    ok: false,
    severity: 'error' as const,
    subject: 'manifest',
    message: p.located,
    code: p.code,
    ...(withDetails && p.location ? { location: p.location } : {}),
    ...(withDetails && p.hint && isCommand(p.hint) ? { fix: p.hint } : {}),
  }))
}

export function notInstalledChecks(manifest: LoadedManifest): {
  checks: ValidationCheck[]
  skip: Set<string>
} {
  const checks: ValidationCheck[] = []
  const skip = new Set<string>()
  for (const entry of manifest.notInstalled ?? []) {
    const primary = manifest.secrets[entry.secret]?.provider === entry.provider
    if (primary) skip.add(entry.secret)
    checks.push({
      ok: false,
      severity: 'error',
      subject: entry.secret,
      message: `${primary ? 'provider' : 'fallback provider'} "${entry.provider}" is not installed (package ${entry.package})`,
      code: 'NOT_INSTALLED',
      ...(entry.location ? { location: entry.location } : {}),
      fix: entry.hint,
    })
  }
  return { checks, skip }
}

/** A hint that is itself a command can be offered as "Run '…' to fix"; prose cannot. */
function isCommand(hint: string): boolean {
  return /^(?:floe|npm|pnpm|yarn|bun|npx) \S/.test(hint)
}
