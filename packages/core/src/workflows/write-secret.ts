import { checkScopeAccess, checkSecretAccess, buildAccessModel } from '../access/model.js'
import type { AuditLog } from '../audit/audit-log.js'
import {
  ConflictError,
  ForbiddenError,
  isFloeError,
  UnsupportedError,
  UsageError,
} from '../errors.js'
import type { Redactor } from '../logging/redactor.js'
import { SecretValue } from '../secret-value.js'
import type {
  LoadedManifest,
  ProviderContext,
  PutRequest,
  PutResult,
  Resolver,
  SecretDefinition,
  SecretMetadata,
  SecretProvider,
} from '../types.js'

/** What is written: one value, or key → value for a multi-key secret. */
export type SecretData = SecretValue | Record<string, SecretValue>

export type WriteAction = 'create' | 'put' | 'rotate'

export interface WriteSecretOptions {
  /** recorded in the audit log and used in messages */
  action: WriteAction
  /** CONFLICT when the secret already exists */
  createOnly?: boolean
  /** compare-and-set against this version; default: the version described just before writing */
  expectedVersion?: string
  /** the secret must already exist (rotate): a clear error instead of creating it */
  mustExist?: boolean
  /** keep the stored keys that `data` does not replace (reads the current value, never prints it) */
  mergeKeys?: boolean
  /** plan only: describe, check access, report what would be written */
  dryRun?: boolean
  /** the scope written through (`put -s`): its grants decide, and an anonymous write is refused */
  scope?: string
}

export interface WriteSecretDeps {
  manifest: LoadedManifest
  provider: (name: string) => Promise<SecretProvider>
  ctx: ProviderContext
  audit?: AuditLog
  /** `--as` / FLOE_PRINCIPAL: the write role is checked against the manifest's grants */
  principal?: string
  /** reads the current value for `mergeKeys` */
  resolver?: Pick<Resolver, 'resolve'>
  /** learns every value written or merged, so output can be scrubbed */
  redactor?: Redactor
  /** how to name the provider in messages, e.g. "AWS Secrets Manager" */
  label?: string
}

export interface WriteSecretResult {
  secret: string
  provider: string
  /** key names written (empty for a single value) */
  keys: string[]
  created: boolean
  version?: string
  previousVersion?: string
  /** the version compared against (compare-and-set), when there was one */
  expectedVersion?: string
  dryRun: boolean
  /** the write succeeded, but not plainly (e.g. its answer was lost; a read-back found it landed) */
  warnings?: string[]
}

/**
 * The one write path of floe (create, put, rotate): write access, the unsupported-write error,
 * compare-and-set against the current version, the provider call and the audit record.
 * `input` may be a function, called once the write is known to be allowed.
 */
export async function writeSecret(
  def: SecretDefinition,
  input: SecretData | (() => Promise<SecretData>),
  options: WriteSecretOptions,
  deps: WriteSecretDeps,
): Promise<WriteSecretResult> {
  const where = deps.label ?? def.provider
  await assertMayWrite(def, options, deps)
  const provider = await deps.provider(def.provider)
  if (!provider.put) {
    throw new UnsupportedError(
      `${where} is read-only for floe: ${options.action} "${def.name}" with its own tools`,
      {
        provider: def.provider,
        secret: def.name,
        ...(options.action === 'rotate'
          ? { hint: `then finish the rotation: floe secrets rotate ${def.name} --hooks-only` }
          : {}),
      },
    )
  }
  const request = { secret: def.name, config: def.fields }
  const current = options.createOnly
    ? undefined
    : await currentMetadata(provider, request, deps.ctx)
  if (options.mustExist && current === undefined && provider.describe) {
    throw new UsageError(`secret "${def.name}" does not exist at ${where}`, {
      secret: def.name,
      hint: `create it first: floe secrets create ${def.name} --from-file …`,
    })
  }
  // read only once access and existence are settled (a denied write never reads stdin)
  const data = typeof input === 'function' ? await input() : input
  const merged = options.mergeKeys ? await mergeWithCurrent(def, data, deps) : data
  for (const v of valuesOf(merged)) deps.redactor?.add(v)
  const expectedVersion = options.createOnly
    ? undefined
    : (options.expectedVersion ?? current?.version)
  const base: WriteSecretResult = {
    secret: def.name,
    provider: def.provider,
    keys: data instanceof SecretValue ? [] : Object.keys(data),
    created: false,
    dryRun: Boolean(options.dryRun),
    ...(expectedVersion ? { expectedVersion } : {}),
  }
  if (options.dryRun) return base

  const put: PutRequest = {
    ...request,
    data: merged,
    ...(options.createOnly
      ? { createOnly: true }
      : expectedVersion
        ? { expectedVersion }
        : // nothing there yet: create it, but lose to a concurrent creator instead of overwriting
          { createOnly: current === undefined && !!provider.describe }),
  }
  let result: PutResult
  try {
    result = await putSecret(provider, put, deps.ctx)
  } catch (error) {
    const state = writeStateOf(error)
    deps.audit?.append({
      action: options.action,
      secret: def.name,
      provider: def.provider,
      outcome: (error as { code?: string }).code ?? 'error',
      ...(state ? { detail: state } : {}),
    })
    throw explainConflict(error, def, options)
  }
  const detail = [
    ...(result.version ? [`version ${result.version}`] : []),
    ...(result.warnings ?? []),
  ].join('; ')
  deps.audit?.append({
    action: options.action,
    secret: def.name,
    provider: def.provider,
    outcome: 'ok',
    ...(detail ? { detail } : {}),
  })
  for (const warning of result.warnings ?? []) deps.ctx.logger.warn(warning, { secret: def.name })
  const previousVersion = result.previousVersion ?? current?.version
  return {
    ...base,
    created: result.created,
    ...(result.version ? { version: result.version } : {}),
    ...(previousVersion ? { previousVersion } : {}),
    ...(result.warnings?.length ? { warnings: result.warnings } : {}),
  }
}

/**
 * A failed write whose answer was lost says what became of it (`details.writeState`, set by
 * the provider after reading back): "did not land" and "unknown" are different incidents.
 */
function writeStateOf(error: unknown): string | undefined {
  const details = (error as { details?: Record<string, unknown> } | null)?.details
  const state = details?.writeState
  if (state === 'not-landed') return 'did not land (read back)'
  if (state === 'unknown') return 'unknown: the answer was lost and the read-back failed'
  return undefined
}

/**
 * The single provider write call. Kept apart so that handling an ambiguous outcome (a timeout
 * after the request was sent) has one place to live.
 */
async function putSecret(
  provider: SecretProvider,
  request: PutRequest,
  ctx: ProviderContext,
): Promise<PutResult> {
  return provider.put!(request, ctx)
}

/**
 * The secret's current metadata for a compare-and-set write: undefined when it does not
 * exist (or the provider cannot describe), every other failure propagates.
 */
export async function currentMetadata(
  provider: SecretProvider,
  request: { secret: string; config: Record<string, unknown> },
  ctx: ProviderContext,
): Promise<SecretMetadata | undefined> {
  if (!provider.describe) return undefined
  try {
    const metadata = await provider.describe(request, ctx)
    return metadata.exists === false ? undefined : metadata
  } catch (error) {
    if (isFloeError(error, 'NOT_FOUND')) return undefined
    throw error
  }
}

/** `--as`: the principal needs the writer (or manager) role on the secret's scope. */
export async function assertMayWrite(
  def: SecretDefinition,
  options: Pick<WriteSecretOptions, 'scope'>,
  deps: Pick<WriteSecretDeps, 'manifest' | 'principal'>,
): Promise<void> {
  const manifest = deps.manifest
  const hasAccessSection = manifest.scopes !== undefined || manifest.access !== undefined
  if (!deps.principal && !options.scope) return
  if (!deps.principal) {
    if (!hasAccessSection) return
    const model = await buildAccessModel(manifest)
    if (!model.grants.some((g) => g.scope === options.scope)) return
    throw new UsageError(`scope ${options.scope} has grants: say who is writing`, {
      hint: 'pass --as user:you@example.com or set FLOE_PRINCIPAL',
    })
  }
  const model = await buildAccessModel(manifest)
  const decision = options.scope
    ? checkScopeAccess(model, deps.principal, 'write', options.scope)
    : checkSecretAccess(model, deps.principal, 'write', def.name)
  if (!decision.allowed) {
    throw new ForbiddenError(decision.reason, {
      secret: def.name,
      hint: `a manager of ${options.scope ?? `the scope of ${def.name}`} can grant the writer role under access:`,
    })
  }
}

/** Stored keys that `data` does not replace are kept: read the current value (never printed). */
async function mergeWithCurrent(
  def: SecretDefinition,
  data: SecretData,
  deps: WriteSecretDeps,
): Promise<SecretData> {
  if (data instanceof SecretValue) return data
  if (!deps.resolver)
    throw new UsageError(`cannot read the current keys of "${def.name}" to keep them`)
  const report = await deps.resolver.resolve([{ name: def.name }])
  const whole = report.valueOf({ name: def.name })
  if (report.failures.length || !whole)
    throw (
      report.failures[0]?.error ?? new UsageError(`cannot read the current keys of "${def.name}"`)
    )
  let stored: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(whole.reveal())
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      stored = parsed as Record<string, unknown>
  } catch {
    throw new UsageError(`"${def.name}" is a single value: rotate it without --key`)
  }
  const merged: Record<string, SecretValue> = {}
  for (const [k, v] of Object.entries(stored))
    merged[k] = new SecretValue(typeof v === 'string' ? v : JSON.stringify(v), `${def.name}/${k}`)
  return { ...merged, ...data }
}

function explainConflict(
  error: unknown,
  def: SecretDefinition,
  options: WriteSecretOptions,
): unknown {
  if (!isFloeError(error, 'CONFLICT') || !options.createOnly) return error
  return new ConflictError(error.message, {
    secret: def.name,
    // a provider that knows better (e.g. "scheduled for deletion: restore it") keeps its hint
    hint:
      error.hint ??
      `it already exists: use 'floe secrets rotate ${def.name} --value-file FILE' to change it`,
    cause: error,
  })
}

function valuesOf(data: SecretData): SecretValue[] {
  return data instanceof SecretValue ? [data] : Object.values(data)
}
