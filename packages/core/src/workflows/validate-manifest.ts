import { ExitCode, isFloeError } from '../errors.js'
import { applyDualChecks } from './dual-checks.js'
import type { DescribeOutcome, LoadedManifest } from '../types.js'
import {
  configChecks,
  emitterChecks,
  notInstalledChecks,
  staticChecks,
} from './validate-static-checks.js'
import { describeCheck, expectedKeys, triesFallback } from './validate-secret-checks.js'
import { foldClusterChecks, platformChecks } from './validate-cluster-checks.js'
import type {
  ValidateManifestInput,
  ValidationCheck,
  ValidationReport,
} from './validation-types.js'

export type {
  ValidateManifestInput,
  ValidationCheck,
  ValidationReport,
} from './validation-types.js'
export { expectedKeys } from './validate-secret-checks.js'

/**
 * Every check `floe secrets validate` reports, in order: loading, lints, access, then each
 * secret's metadata at its provider, then the platform's view. Values are never read.
 */
export async function validateManifest(input: ValidateManifestInput): Promise<ValidationReport> {
  const checks: ValidationCheck[] = []
  const offline = Boolean(input.offline)
  let manifest: LoadedManifest
  try {
    manifest = await input.load()
  } catch (error) {
    if (
      !isFloeError(error) ||
      (error.code !== 'CONFIG' && error.code !== 'NOT_INSTALLED' && error.code !== 'REFERENCE')
    )
      throw error
    checks.push(...configChecks(error, true))
    return summarize(input.path, offline, checks, input.strict)
  }

  checks.push(...(await staticChecks(manifest)))
  if (input.emitter) checks.push(...(await emitterChecks(manifest, input)))
  // A secret whose provider is not installed fails on its own, at its provider line; the
  // others are still checked (fail soft).
  const missing = notInstalledChecks(manifest)
  checks.push(...missing.checks)
  const names = Object.keys(manifest.secrets).filter((name) => !missing.skip.has(name))
  if (offline || !input.describe) {
    for (const name of names) {
      const def = manifest.secrets[name]!
      const refs = expectedKeys(manifest, name)
      checks.push({
        ok: true,
        severity: 'info',
        subject: name,
        message: `declared (${def.provider}${refs.length ? `, ${refs.length} key${refs.length === 1 ? '' : 's'} referenced` : ''})`,
      })
    }
    return summarize(manifest.path, true, checks, input.strict)
  }

  const failed: [ValidationCheck, ExitCode][] = []
  const outcomes = await input.describe(names)
  const fallbacks = await fallbackOutcomes(manifest, outcomes, input)
  for (const outcome of outcomes) {
    const check = describeCheck(manifest, outcome, fallbacks.get(outcome.secret))
    checks.push(check)
    if (outcome.error) failed.push([check, outcome.error.exitCode])
  }
  applyDualChecks(manifest, checks)
  // a provider failure that still fails after the dual-secret rule gives its own exit code
  // (3 unreachable, 4 denied); NOT FOUND is an ordinary failed check (1)
  let worstExit: ExitCode = ExitCode.OK
  for (const [check, code] of failed) if (!check.ok && code > worstExit) worstExit = code
  if (input.platform && usesCluster(manifest))
    foldClusterChecks(checks, await platformChecks(manifest, input.platform))
  const report = summarize(manifest.path, false, checks, input.strict)
  if (worstExit > report.exitCode) report.exitCode = worstExit
  return report
}

/**
 * The `fallback:` sources resolution would try (primary missing or unreachable), described
 * in one call: validate then passes such a secret only when its fallback has it.
 */
async function fallbackOutcomes(
  manifest: LoadedManifest,
  outcomes: readonly DescribeOutcome[],
  input: ValidateManifestInput,
): Promise<Map<string, DescribeOutcome>> {
  const names = outcomes.filter((o) => triesFallback(manifest, o)).map((o) => o.secret)
  if (!names.length || !input.describeFallbacks) return new Map()
  return new Map((await input.describeFallbacks(names)).map((o) => [o.secret, o]))
}

/**
 * The error count is the number of failing lines (✗, and with --strict the warnings): a
 * secret's cluster check is folded into its line, so one secret is one error.
 */
function summarize(
  path: string,
  offline: boolean,
  checks: ValidationCheck[],
  strict = false,
): ValidationReport {
  const errors = checks.filter((c) => !c.ok || (strict && c.severity === 'warning')).length
  const warnings = checks.filter((c) => c.severity === 'warning').length
  return {
    manifest: path,
    offline,
    checks,
    errors,
    warnings,
    exitCode: errors ? ExitCode.CHECK_FAILED : ExitCode.OK,
  }
}

/**
 * Whether the manifest runs its secrets through a cluster (`plugins.secrets.type` k8s or
 * external-secrets): only then do platform hooks (sync status, cluster checks) contact it.
 */
export function usesCluster(manifest: LoadedManifest): boolean {
  const type = (manifest.plugins?.secrets as { type?: unknown } | undefined)?.type
  return type === 'k8s' || type === 'external-secrets'
}
