import { buildAccessModel } from '../access/model.js'
import { accessFindings } from '../access/workloads.js'
import {
  AggregateConfigError,
  ExitCode,
  isFloeError,
  type FloeError,
  type SourceLocation,
} from '../errors.js'
import { lintManifest } from '../manifest/lint.js'
import { applyDualChecks } from './dual-checks.js'
import type {
  DescribeOutcome,
  LoadedManifest,
  PlatformSecretCheck,
  ProviderContext,
  RotationHookModule,
  SecretMetadata,
} from '../types.js'

export interface ValidationCheck {
  ok: boolean
  severity: 'error' | 'warning' | 'info'
  /** a secret name, 'manifest', 'access' or a hook name */
  subject: string
  message: string
  code?: string
  location?: SourceLocation
  /** a command that fixes it */
  fix?: string
}

export interface ValidationReport {
  manifest: string
  offline: boolean
  checks: ValidationCheck[]
  errors: number
  warnings: number
  exitCode: ExitCode
}

export interface ValidateManifestInput {
  /** the manifest path (reported even when it cannot be loaded) */
  path: string
  load: () => Promise<LoadedManifest>
  /** static checks only: no provider is contacted */
  offline?: boolean
  /** warnings count as errors */
  strict?: boolean
  /** metadata of each named secret at its provider (the resolver's describe) */
  describe?: (names: readonly string[]) => Promise<DescribeOutcome[]>
  /** platform hooks giving the cluster's view, contacted only when the manifest uses a cluster */
  platform?: () => Promise<{ hooks: RotationHookModule[]; ctx: ProviderContext }>
}

/** Provider states that mean "usable" (Azure `enabled`, GCP `ENABLED`, Kubernetes `active`). */
const USABLE_STATES = ['enabled', 'ENABLED', 'active']

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

  checks.push(...staticChecks(manifest))
  const names = Object.keys(manifest.secrets)
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
  for (const outcome of await input.describe(names)) {
    const check = describeCheck(manifest, outcome)
    checks.push(check)
    if (outcome.error) failed.push([check, outcome.error.exitCode])
  }
  applyDualChecks(manifest, checks)
  // a provider failure that still fails after the dual-secret rule gives its own exit code
  // (3 unreachable, 4 denied); NOT FOUND is an ordinary failed check (1)
  let worstExit: ExitCode = ExitCode.OK
  for (const [check, code] of failed) if (!check.ok && code > worstExit) worstExit = code
  if (input.platform && usesCluster(manifest))
    checks.push(...(await platformChecks(manifest, input.platform)))
  const report = summarize(manifest.path, false, checks, input.strict)
  if (worstExit > report.exitCode) report.exitCode = worstExit
  return report
}

/** Lints and access findings: everything that needs no provider. */
function staticChecks(manifest: LoadedManifest): ValidationCheck[] {
  const checks: ValidationCheck[] = []
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
    for (const finding of accessFindings(manifest, buildAccessModel(manifest))) {
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

function configChecks(error: FloeError, withDetails: boolean): ValidationCheck[] {
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

/** A hint that is itself a command can be offered as "Run '…' to fix"; prose cannot. */
function isCommand(hint: string): boolean {
  return /^(?:floe|npm|pnpm|yarn|bun|npx) \S/.test(hint)
}

/** One secret's describe outcome as a check. */
function describeCheck(manifest: LoadedManifest, outcome: DescribeOutcome): ValidationCheck {
  const name = outcome.secret
  const def = manifest.secrets[name]!
  const err = outcome.error
  if (err) {
    const fallsBack =
      def.default !== undefined ||
      def.onMissing?.action === 'default' ||
      def.onMissing?.action === 'warn'
    if (err.code === 'NOT_FOUND' && fallsBack)
      return {
        ok: true,
        severity: 'warning',
        subject: name,
        message:
          def.onMissing?.action === 'warn'
            ? 'NOT FOUND — on_missing: warn, it will resolve empty'
            : 'NOT FOUND — its default will be used',
        code: err.code,
      }
    if (err.code === 'NOT_FOUND') return notFound(name)
    if (err.code === 'UNSUPPORTED')
      return {
        ok: true,
        severity: 'warning',
        subject: name,
        message: `cannot be checked without reading it (${outcome.provider} has no metadata API)`,
        code: err.code,
      }
    return { ok: false, severity: 'error', subject: name, message: err.message, code: err.code }
  }
  const m = outcome.metadata
  if (!m?.exists) return notFound(name)
  return existingCheck(name, m, expectedKeys(manifest, name))
}

function notFound(name: string): ValidationCheck {
  return {
    ok: false,
    severity: 'error',
    subject: name,
    message: 'NOT FOUND',
    code: 'NOT_FOUND',
    fix: `floe secrets create ${name}`,
  }
}

function existingCheck(name: string, m: SecretMetadata, wanted: string[]): ValidationCheck {
  const missing = m.keys ? wanted.filter((k) => !m.keys!.includes(k)) : []
  if (m.state && !USABLE_STATES.includes(m.state))
    return {
      ok: false,
      severity: 'error',
      subject: name,
      message: `exists but is ${m.state}`,
      code: 'INVALID',
    }
  if (missing.length)
    return {
      ok: false,
      severity: 'error',
      subject: name,
      message: `exists, missing key${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
      code: 'NOT_FOUND',
      fix: `floe secrets rotate ${name} --value-file FILE`,
    }
  const keyText = m.keys
    ? `${m.keys.length} key${m.keys.length === 1 ? '' : 's'}`
    : wanted.length
      ? `${wanted.length} key${wanted.length === 1 ? '' : 's'} expected`
      : 'single value'
  return { ok: true, severity: 'info', subject: name, message: `exists, ${keyText}` }
}

async function platformChecks(
  manifest: LoadedManifest,
  platform: NonNullable<ValidateManifestInput['platform']>,
): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = []
  const { hooks, ctx } = await platform()
  for (const hook of hooks) {
    if (!hook.validate) continue
    try {
      for (const c of await hook.validate({ manifest, ctx })) checks.push(clusterCheck(c))
    } catch (error) {
      // The sources were checked above; the cluster view is extra. An unreachable cluster is
      // a warning (an error with --strict), not a failed secret.
      checks.push({
        ok: true,
        severity: 'warning',
        subject: hook.name,
        message: `cluster checks skipped: ${error instanceof Error ? error.message : String(error)}`,
        code: 'UNAVAILABLE',
      })
    }
  }
  return checks
}

function clusterCheck(c: PlatformSecretCheck): ValidationCheck {
  const where = `${c.namespace}/${c.name}`
  if (c.error)
    return {
      ok: false,
      severity: 'error',
      subject: c.secret,
      message: `${where}: ${c.error}`,
      code: 'UNAVAILABLE',
    }
  if (!c.exists)
    return {
      ok: false,
      severity: 'error',
      subject: c.secret,
      message: `Secret ${where} NOT FOUND in the cluster`,
      code: 'NOT_FOUND',
      fix: `floe secrets create ${c.secret}`,
    }
  if (c.missingKeys.length)
    return {
      ok: false,
      severity: 'error',
      subject: c.secret,
      message: `Secret ${where} lacks ${c.missingKeys.join(', ')}`,
      code: 'NOT_FOUND',
    }
  return {
    ok: true,
    severity: 'info',
    subject: c.secret,
    message: `Secret ${where} exists, ${c.keys} key${c.keys === 1 ? '' : 's'}`,
  }
}

/**
 * One error per failing secret (a provider ✗ and a cluster ✗ for the same secret are one
 * problem to fix); manifest and access problems count one per line.
 */
function summarize(
  path: string,
  offline: boolean,
  checks: ValidationCheck[],
  strict = false,
): ValidationReport {
  const failing = checks.filter((c) => !c.ok || (strict && c.severity === 'warning'))
  const perLine = failing.filter((c) => c.subject === 'manifest' || c.subject === 'access').length
  const errors =
    perLine +
    new Set(
      failing
        .filter((c) => c.subject !== 'manifest' && c.subject !== 'access')
        .map((c) => c.subject),
    ).size
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

/** Keys consumers need: declared keys plus every key referenced in the manifest. */
export function expectedKeys(manifest: LoadedManifest, name: string): string[] {
  const keys = new Set(manifest.secrets[name]?.keys ?? [])
  for (const site of manifest.references)
    if (site.ref.name === name && site.ref.key) keys.add(site.ref.key)
  for (const binding of manifest.env)
    if (binding.ref.name === name && binding.ref.key) keys.add(binding.ref.key)
  return [...keys]
}
