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
  EmitterModule,
  LoadedManifest,
  Logger,
  PlatformSecretCheck,
  ProviderContext,
  RotationHookModule,
  SecretDefinition,
  SecretMetadata,
} from '../types.js'
import { keysWithoutGenerator } from '../manifest/generators.js'

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
  /** the finer checks folded into this line (e.g. the cluster's Secret): shown under --verbose */
  details?: string[]
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
  /**
   * the installed emitter of a manifest section (`duckdb`, `dbt`): validate runs it without
   * values, so what `floe secrets emit`/`apply` would reject fails validate too
   */
  emitter?: (name: string) => Promise<EmitterModule | undefined>
  /** logger handed to those emitters */
  logger?: Logger
}

/** Manifest sections an emitter of the same name turns into output. */
const EMITTED_SECTIONS = ['duckdb', 'dbt'] as const

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
    foldClusterChecks(checks, await platformChecks(manifest, input.platform))
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

/**
 * Each emitted section through its installed emitter, with no resolver (no value is read):
 * the emitter's own CONFIG errors become ✗ manifest lines.
 */
async function emitterChecks(
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

function notInstalledChecks(manifest: LoadedManifest): {
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

/** One secret's describe outcome as a check. */
function describeCheck(manifest: LoadedManifest, outcome: DescribeOutcome): ValidationCheck {
  const name = outcome.secret
  const def = manifest.secrets[name]!
  const err = outcome.error
  const m = outcome.metadata
  const code = err?.code ?? (m?.exists ? undefined : 'NOT_FOUND')
  // what resolution does after this failure (resolver/reference-policies.ts): fallback source
  // on NOT_FOUND/UNAVAILABLE, then ?default= / default / on_missing on NOT_FOUND
  if (def.fallback && (code === 'NOT_FOUND' || code === 'UNAVAILABLE'))
    return missingButResolves(
      name,
      `${code === 'NOT_FOUND' ? 'NOT FOUND' : 'unreachable'} — resolution falls back to ${def.fallback.provider}`,
    )
  if (code === 'NOT_FOUND') {
    if (everyReferenceDefaulted(manifest, name))
      return missingButResolves(name, 'NOT FOUND — every reference has a ?default=, which is used')
    if (def.onMissing?.action === 'warn')
      return missingButResolves(name, 'NOT FOUND — on_missing: warn, it will resolve empty')
    if (def.default !== undefined || def.onMissing?.action === 'default')
      return missingButResolves(name, 'NOT FOUND — its default will be used')
    return notFound(def)
  }
  if (err?.code === 'UNSUPPORTED')
    return {
      ok: true,
      severity: 'warning',
      subject: name,
      message: `cannot be checked without reading it (${outcome.provider} has no metadata API)`,
      code: err.code,
    }
  if (err)
    return { ok: false, severity: 'error', subject: name, message: err.message, code: err.code }
  return existingCheck(name, m!, expectedKeys(manifest, name))
}

function missingButResolves(name: string, message: string): ValidationCheck {
  return { ok: true, severity: 'warning', subject: name, message, code: 'NOT_FOUND' }
}

function notFound(def: SecretDefinition): ValidationCheck {
  const fix = createFix(def)
  return {
    ok: false,
    severity: 'error',
    subject: def.name,
    message: 'NOT FOUND',
    code: 'NOT_FOUND',
    ...(fix ? { fix } : {}),
  }
}

/**
 * A `create` command that works as printed: bare when `rotation.generate` covers every key
 * (create generates them), else with the flag that gives the values. None for what `create`
 * cannot make: environment variables and dynamic (leased) credentials.
 */
function createFix(def: SecretDefinition): string | undefined {
  if (def.kind === 'dynamic' || def.provider === 'env') return undefined
  const missing = keysWithoutGenerator(def)
  if (!missing.length) return `floe secrets create ${def.name}`
  return def.keys?.length
    ? `floe secrets create ${def.name} --from-env-file FILE`
    : `floe secrets create ${def.name} --from-file FILE`
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

/** A cluster check and the number of keys the cluster's Secret holds. */
type ClusterLine = ValidationCheck & { clusterKeys?: number }

async function platformChecks(
  manifest: LoadedManifest,
  platform: NonNullable<ValidateManifestInput['platform']>,
): Promise<ClusterLine[]> {
  const checks: ClusterLine[] = []
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

/**
 * One line per declared secret: each cluster check folds into its secret's
 * source line — a failing source line stays as it is, a failing cluster check replaces a
 * passing source line, and a passing pair reads "exists, N keys" with the key count the
 * cluster's Secret confirms. The folded messages stay in `details` (--verbose, --json).
 */
function foldClusterChecks(checks: ValidationCheck[], cluster: ClusterLine[]): void {
  for (const line of cluster) {
    const { clusterKeys, ...c } = line
    const i = checks.findIndex((s) => s.subject === c.subject && s.subject !== 'manifest')
    const source = i < 0 ? undefined : checks[i]!
    if (!source || source.subject === 'access') {
      checks.push(c)
      continue
    }
    const details = [...(source.details ?? [])]
    if (!source.ok) {
      checks[i] = { ...source, details: [...details, c.message] }
    } else if (!c.ok) {
      checks[i] = { ...c, details: [...details, source.message] }
    } else {
      const message =
        clusterKeys !== undefined && source.message.startsWith('exists')
          ? `exists, ${clusterKeys} key${clusterKeys === 1 ? '' : 's'}`
          : source.message
      checks[i] = { ...source, message, details: [...details, c.message] }
    }
  }
}

function clusterCheck(c: PlatformSecretCheck): ClusterLine {
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
      // no `fix`: the cure (applying the emitted manifests) depends on how the team deploys
      message: `Secret ${where} NOT FOUND in the cluster (apply what floe secrets emit k8s writes)`,
      code: 'NOT_FOUND',
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
    clusterKeys: c.keys,
  }
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

/** Whether the secret is referenced, and every reference carries `?default=` (resolution's rule). */
function everyReferenceDefaulted(manifest: LoadedManifest, name: string): boolean {
  const refs = [
    ...manifest.references.filter((s) => s.ref.name === name).map((s) => s.ref),
    // derived <SECRET>_<KEY> names are not references the team wrote
    ...manifest.env.filter((b) => b.ref.name === name && b.origin !== 'derived').map((b) => b.ref),
  ]
  return refs.length > 0 && refs.every((ref) => ref.default !== undefined)
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
