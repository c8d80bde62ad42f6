/**
 * The contracts every floe package builds against. Types only: no runtime
 * code, no SDK. Providers, emitters and the CLI import from here through `@floe/core`.
 */
import type { z } from 'zod'
import type { FloeError, SourceLocation } from './errors.js'
import type { SecretValue } from './secret-value.js'
import type { SecretRef } from './uri.js'
import type { EnvNaming, SecretEnvNaming } from './naming/env-names.js'
import type { ProviderMetadata } from './registry/package-metadata.js'
import type { OmittedField } from './manifest/optional-fields.js'

// ───────────────────────────── logging ─────────────────────────────

/** Redacting logger: implementations must run every argument through `redact` (see logger.ts). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

// ───────────────────────────── manifest ─────────────────────────────

export interface CachePolicy {
  enabled: boolean
  /** milliseconds */
  ttlMs: number
}

export interface RetryPolicy {
  attempts: number // total attempts, including the first
  backoff: 'exponential' | 'constant'
  initialDelayMs: number
  maxDelayMs: number
}

export type OnMissingAction = 'fail' | 'default' | 'warn'

export interface OnMissingPolicy {
  action: OnMissingAction
  defaultValue?: string
  message?: string
}

/** `rotation.generate` entry: how a new value is generated when none is given. */
export interface GeneratorSpec {
  length: number
  charset: 'alphanumeric' | 'alphanumeric-symbols' | 'hex' | 'numeric'
}

export interface RotationPolicy {
  autoRefresh: boolean
  /** `rotation.generate`: one spec for a single value, or one per key */
  generate?: { value: GeneratorSpec } | { keys: Record<string, GeneratorSpec> }
  refreshIntervalMs?: number
  onRotation?: {
    action: 'reconnect' | 'restart' | 'alert'
    gracePeriodMs?: number
    /** reconnect: signal sent to the child (default SIGHUP) */
    signal?: string
    /** alert: hook command */
    command?: string
  }
  /** names of Kubernetes workloads to restart after rotation, when declared */
  restart?: string[]
}

/** The fallback source: a secret definition of another provider (a definition's `fallback:`). */
export interface FallbackDefinition {
  provider: string
  fields: Record<string, unknown>
}

/** One entry of `secrets:` after `_groups` are merged and shared policy fields are parsed. */
export interface SecretDefinition {
  name: string
  provider: string
  /**
   * Provider-specific fields (everything that is not a shared policy field), validated by the
   * provider's `configSchema` when installed. E.g. vault: {path, keys, vault: {address}, auth}.
   */
  fields: Record<string, unknown>
  /** Keys the secret is expected to have (`keys:` or `key:`), when declared. */
  keys?: string[]
  kind: 'static' | 'dynamic'
  group?: string
  cache?: CachePolicy
  retry?: RetryPolicy
  fallback?: FallbackDefinition
  onMissing?: OnMissingPolicy
  rotation?: RotationPolicy
  /** definition-level default used when NOT FOUND (`default:`) */
  default?: string
  /** access-control scope name */
  scope?: string
  /** renewal / lease settings for dynamic secrets (vault) */
  lease?: { renewalEnabled: boolean; minRenewalSeconds?: number; incrementSeconds?: number }
  /** `env_naming:` / `env_prefix:` of this secret, overriding the manifest's */
  envNaming?: SecretEnvNaming
  location?: SourceLocation
}

export interface SecretsConfig {
  defaultProvider?: string
  cache?: CachePolicy
  retry?: RetryPolicy
  /** per-provider in-flight cap, default 8 */
  concurrency: number
  /** defaults for every definition's rotation policy (`_config.rotation`) */
  rotation?: RotationPolicy
  audit?: {
    enabled: boolean
    logAccess: boolean
    destination?: string
    path?: string
    /** secret:// reference to the chain's HMAC key */
    key?: string
    keyFile?: string
  }
}

/** A place where a `secret://` reference appears in the manifest. */
export interface ReferenceSite {
  ref: SecretRef
  raw: string
  /** path in the document, e.g. ['dbt','profiles','floe','outputs','prod','password'] */
  path: (string | number)[]
  /** 'uri' for secret:// references, 'name' for `*_secret_ref` / `secret_refs` secret names */
  form?: 'uri' | 'name'
  location?: SourceLocation
}

export interface EnvBinding {
  /** environment variable name, e.g. KAFKA_CREDENTIALS_PASSWORD or DBT_ENV_SECRET_SNOWFLAKE_PASSWORD */
  name: string
  ref: SecretRef
  /** 'explicit' from `env:`, 'derived' from <SECRET>_<KEY>, 'dbt' for dbt credential fields */
  origin: 'explicit' | 'derived' | 'dbt'
  location?: SourceLocation
}

/** duckdb: section. Parameters are validated in detail by @floe/emit-duckdb. */
export interface DuckdbSecretSpec {
  type: string
  name: string
  persistent?: boolean
  scope?: string | string[]
  provider?: string
  [parameter: string]: unknown
}
export interface DuckdbSection {
  database?: string
  install_extensions?: string[]
  load_extensions?: string[]
  secret_directory?: string
  secrets?: DuckdbSecretSpec[]
  [key: string]: unknown
}

/** dbt: section mirrors profiles.yml. Validated in detail by @floe/emit-dbt. */
export interface DbtSection {
  profiles: Record<string, { target?: string; outputs: Record<string, Record<string, unknown>> }>
  [key: string]: unknown
}

/** A secret (or its fallback) whose provider package is not installed. */
export interface NotInstalledProvider {
  secret: string
  provider: string
  /** the package that provides it */
  package: string
  /** the one command that installs it where floe runs */
  hint: string
  /** the secret's `provider:` line */
  location?: SourceLocation
}

export interface LoadedManifest {
  /** absolute path of the manifest file ('<inline>' when loaded from a string) */
  path: string
  dir: string
  version: 1
  environment?: string
  secrets: Record<string, SecretDefinition>
  config: SecretsConfig
  /** sections consumed by plugins/emitters, after interpolation (loosely typed by core) */
  plugins?: Record<string, unknown>
  ingestion?: Record<string, unknown>
  duckdb?: DuckdbSection
  dbt?: DbtSection
  kubernetes?: Record<string, unknown>
  scopes?: Record<string, unknown>
  access?: unknown[]
  /** explicit + derived env bindings (collisions already rejected) */
  env: EnvBinding[]
  /** top-level `env_naming:` with defaults applied (absent: DEFAULT_ENV_NAMING) */
  envNaming?: EnvNaming
  /** every secret:// reference found in consuming sections */
  references: ReferenceSite[]
  /** the whole interpolated document as plain data */
  document: Record<string, unknown>
  /** non-fatal findings from loading (lints are separate) */
  warnings: string[]
  /**
   * Secrets whose provider is not installed, when loaded with `strictProviders: false`: they
   * fail on their own (NOT_INSTALLED) while the others resolve.
   */
  notInstalled?: NotInstalledProvider[]
  /**
   * Provider fields left out because their `${VAR}` is not set and the provider's schema
   * declares them optional (each is also in `warnings`)
   */
  omitted?: OmittedField[]
  /** source position of a document path, for emitters' own error messages */
  locate(path: readonly (string | number)[]): SourceLocation | undefined
}

// ───────────────────────────── providers ─────────────────────────────

/**
 * What a provider can do, as `capabilitiesOf(provider)` (provider-kit.ts) derives it: every
 * flag but `versions` and `dynamic` follows from which methods the provider has.
 */
export interface ProviderCapabilities {
  /** has `list()` */
  list: boolean
  /** has `put()` */
  write: boolean
  /** has `rotate()` */
  rotate: boolean
  /** declared: fetches by `?version=` */
  versions: boolean
  /** declared: issues leased credentials (then `renew()` and `revoke()` exist) */
  dynamic: boolean
  /** has `fetchMany()` */
  batch: boolean
  /** has `describe()` */
  describe: boolean
  /** has `remove()` */
  delete: boolean
}

/** The only capabilities a provider declares; the rest cannot be observed from its methods. */
export type DeclaredCapabilities = Partial<Pick<ProviderCapabilities, 'versions' | 'dynamic'>>

export interface ProviderContext {
  env: NodeJS.ProcessEnv
  cwd: string
  logger: Logger
  signal?: AbortSignal
}

/** One thing to fetch. The provider reads its own fields from `config` (already validated). */
export interface FetchRequest {
  /** manifest secret name; use it in error messages */
  secret: string
  config: Record<string, unknown>
  /** version / stage / label requested with ?version= or the definition's own field */
  version?: string
}

export interface LeaseInfo {
  id: string
  ttlSeconds: number
  renewable: boolean
  issuedAt: Date
  maxTtlSeconds?: number
}

/**
 * A fetched secret. `value` is the whole secret as text; `keys` holds its keys when it is a
 * key/value secret (a JSON object, a Kubernetes Secret's data, a Vault KV map). Use
 * `fetchedFromText` / `fetchedFromMap` from core to build one consistently.
 */
export interface FetchedSecret {
  value: SecretValue
  keys?: Record<string, SecretValue>
  version?: string
  lease?: LeaseInfo
}

export type DescribeResult =
  { ok: true; metadata: SecretMetadata } | { ok: false; error: FloeError }

export type FetchOutcome = { ok: true; secret: FetchedSecret } | { ok: false; error: FloeError }

export interface SecretMetadata {
  exists: boolean
  /** key names only */
  keys?: string[]
  version?: string
  createdAt?: Date
  updatedAt?: Date
  /** provider-specific type, e.g. Opaque, SecureString */
  type?: string
  /** e.g. { store: 'aws-secrets-manager', sync: 'Synced', lastSync: ISO } for ESO */
  status?: Record<string, string>
  lease?: LeaseInfo
  /** disabled / expired (Azure, GCP version states) */
  state?: string
}

export interface SecretListing {
  name: string
  type?: string
  keys?: number
  createdAt?: Date
  updatedAt?: Date
}

export interface ListOptions {
  prefix?: string
  namespace?: string
  /** connection fields (region, address, project…) when not derivable from a definition */
  config?: Record<string, unknown>
}

export interface PutRequest {
  secret: string
  config: Record<string, unknown>
  /** a single value, or key → value for multi-key secrets */
  data: SecretValue | Record<string, SecretValue>
  /** compare-and-set: the version the caller last saw; CONFLICT when it moved */
  expectedVersion?: string
  /** create only: CONFLICT when it already exists */
  createOnly?: boolean
  contentType?: string
  tags?: Record<string, string>
}

export interface PutResult {
  version?: string
  previousVersion?: string
  created: boolean
  /**
   * what the caller must hear although the write succeeded — e.g. its answer was lost and a
   * read-back (or an idempotent retry) found that it landed
   */
  warnings?: string[]
}

/** Deletes one secret (every version): `floe secrets delete`. */
export interface RemoveRequest {
  secret: string
  config: Record<string, unknown>
  /** compare-and-set: CONFLICT (nothing deleted) when the current version is another one */
  expectedVersion?: string
}

export interface RemoveResult {
  /** false when there was nothing to delete */
  deleted: boolean
  /** the version that was current when it was deleted */
  version?: string
}

export interface RotationResult {
  version?: string
  previousVersion?: string
  /** human steps, e.g. "Secret updated in AWS Secrets Manager" */
  steps: string[]
}

export interface ProviderCheck {
  status: 'ready' | 'unknown' | 'error'
  detail: string
}

/**
 * The provider contract. Only `name` and `fetchOne` are required; core supplies the loop,
 * batching and the per-provider concurrency cap (`fetchAll` in provider-kit.ts), and derives
 * capabilities from the methods present (`capabilitiesOf`).
 */
export interface SecretProvider {
  readonly name: string
  /** `versions` / `dynamic`; everything else is derived from the methods (default: none) */
  readonly capabilities?: DeclaredCapabilities
  /** One secret. Throws a FloeError (SecretNotFoundError, ForbiddenError…) when it fails. */
  fetchOne(request: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret>
  /**
   * Optional native batch read (e.g. BatchGetSecretValue): one outcome per request, in order.
   * May throw for a whole-call failure. Called with at most `maxBatchSize` requests.
   */
  fetchMany?(requests: readonly FetchRequest[], ctx: ProviderContext): Promise<FetchOutcome[]>
  /** largest batch `fetchMany()` accepts, e.g. 20 for BatchGetSecretValue (default 20) */
  readonly maxBatchSize?: number
  /** Metadata only; never reads the value. Throws SecretNotFoundError when absent. */
  describe?(request: FetchRequest, ctx: ProviderContext): Promise<SecretMetadata>
  /**
   * Metadata of several secrets in one call (e.g. SSM DescribeParameters with a Name filter);
   * one outcome per request, in order (a missing secret is `{ok: false, error: NOT_FOUND}`).
   */
  describeMany?(requests: readonly FetchRequest[], ctx: ProviderContext): Promise<DescribeResult[]>
  /** largest batch describeMany() accepts */
  readonly maxDescribeBatchSize?: number
  list?(options: ListOptions, ctx: ProviderContext): AsyncIterable<SecretListing>
  put?(request: PutRequest, ctx: ProviderContext): Promise<PutResult>
  /**
   * Deletes the secret and its versions (capability `delete`). Honours `expectedVersion`
   * when the backend has versions; a secret already absent is `{deleted: false}`, not an error.
   */
  remove?(request: RemoveRequest, ctx: ProviderContext): Promise<RemoveResult>
  /** Provider-native rotation (e.g. AWS RotateSecret with a Lambda). */
  rotate?(request: FetchRequest, ctx: ProviderContext): Promise<RotationResult>
  /**
   * What `rotate()` would do, checked without changing anything (for `rotate --dry-run`):
   * the same checks, throwing what rotate() would throw (UNSUPPORTED when this secret has no
   * rotation configured, e.g. no Lambda); `steps` say what would happen. Without it a dry run
   * can only say that the provider's rotation would be tried.
   */
  planRotation?(request: FetchRequest, ctx: ProviderContext): Promise<RotationResult>
  renew?(lease: LeaseInfo, ctx: ProviderContext, incrementSeconds?: number): Promise<LeaseInfo>
  revoke?(lease: LeaseInfo, ctx: ProviderContext): Promise<void>
  check?(ctx: ProviderContext, config?: Record<string, unknown>): Promise<ProviderCheck>
  dispose?(): Promise<void>
}

/**
 * What a provider package's entry module exports (named export `provider`, or default).
 * `create` receives provider-specific options; tests pass an SDK client bound to an emulator.
 */
export interface ProviderModule<Options = Record<string, unknown>> {
  /** manifest `provider:` value, e.g. 'vault', 'aws_secrets_manager' */
  name: string
  packageName: string
  /** zod schema for the provider's own fields of a secret definition */
  configSchema: z.ZodType
  /** for modules given in memory: what a package.json `floe` field would say */
  metadata?: ProviderMetadata
  /** a provider instance; `options` are provider-specific (tests pass an emulator-bound client) */
  create(options?: Options): SecretProvider
}

// ───────────────────────────── resolver ─────────────────────────────

export interface ResolveFailure {
  ref: SecretRef
  error: FloeError
}

export interface ResolveReport {
  /** keyed by refId(ref) — use `valueOf(ref)` */
  values: Map<string, SecretValue>
  failures: ResolveFailure[]
  warnings: string[]
  valueOf(ref: SecretRef): SecretValue | undefined
}

export interface DescribeOutcome {
  secret: string
  provider: string
  metadata?: SecretMetadata
  error?: FloeError
}

export interface DescribeOptions {
  /** describe each secret's `fallback:` source instead of its provider */
  fallback?: boolean
}

export interface Resolver {
  resolve(refs: readonly SecretRef[]): Promise<ResolveReport>
  /** resolves env bindings; throws the first failure unless `allowPartial` */
  resolveEnv(
    bindings: readonly EnvBinding[],
    options?: { allowPartial?: boolean },
  ): Promise<{ env: Record<string, SecretValue>; report: ResolveReport }>
  /** metadata checks for validate/status; never reads values */
  describe(secretNames: readonly string[], options?: DescribeOptions): Promise<DescribeOutcome[]>
  /** revokes dynamic leases, stops renewals, disposes providers */
  dispose(): Promise<void>
}

// ───────────────────────────── emitters & hooks ─────────────────────────────

export interface EmittedFile {
  /** relative path inside the output directory */
  path: string
  content: string
  /** true when the file carries secret values (never by default) */
  containsValues?: boolean
  mode?: number
}

export interface EmitResult {
  files: EmittedFile[]
  warnings: string[]
  /**
   * What `emit` prints when no -o DIR is given, when the files joined are not one valid
   * document of the target's format (k8s: one multi-document stream `kubectl apply -f -` takes)
   */
  stdout?: string
}

export interface EmitterContext {
  manifest: LoadedManifest
  logger: Logger
  /** only emitters that must carry values (duckdb apply) get a resolver */
  resolver?: Resolver
  options: Record<string, unknown>
}

export interface EmitterModule {
  /** e.g. 'duckdb', 'dbt', 'k8s' — `floe secrets emit <name>` */
  name: string
  packageName: string
  /**
   * the `--option KEY=VALUE` keys emit() reads, each with a one-line meaning; the CLI rejects
   * any other key (a typo must not be a silent no-op). Absent: the emitter does not say, and
   * the CLI warns that the keys it was given could not be checked.
   */
  options?: Readonly<Record<string, string>>
  emit(ctx: EmitterContext): Promise<EmitResult>
}

/** A step reported by platform hooks during rotation (the ✓/✗ lines of `rotate`). */
export interface HookStep {
  ok: boolean
  message: string
  /** structured facts for --json (names, states, reasons — never values) */
  details?: Record<string, unknown>
}

/** A Kubernetes Secret a consumer (`*_secret_ref`, ExternalSecret target) needs, as found. */
export interface PlatformSecretCheck {
  /** manifest secret (or `*_secret_ref`) name */
  secret: string
  name: string
  namespace: string
  exists: boolean
  keys: number
  missingKeys: string[]
  error?: string
}

/**
 * Platform hooks run around `floe secrets rotate` after the source is updated
 * (e.g. trigger an ESO sync, restart Deployments). Discovered like providers.
 */
export interface RotationHookModule {
  name: string
  packageName: string
  /** sync status per manifest secret (e.g. ESO: store, sync, lastSync), for `floe secrets status` */
  status?(input: {
    manifest: LoadedManifest
    ctx: ProviderContext
    secrets?: readonly string[]
  }): Promise<Record<string, Record<string, string>>>
  /** the platform's view for `floe secrets validate` (e.g. *_secret_refs exist with their keys) */
  validate?(input: {
    manifest: LoadedManifest
    ctx: ProviderContext
    secrets?: readonly string[]
  }): Promise<PlatformSecretCheck[]>
  afterRotate(input: {
    secret: SecretDefinition
    manifest: LoadedManifest
    restartDeployments: boolean
    dryRun: boolean
    ctx: ProviderContext
    /** how long to wait for platform steps (e.g. an ExternalSecret sync); hook default else */
    timeoutMs?: number
    /** progress while waiting ("waiting for ExternalSecret ns/name to sync (10s)") */
    onProgress?: (message: string) => void
    /**
     * keys whose values the rotation wrote (or would write, in a dry run); undefined when
     * unknown (the provider's own rotation, --hooks-only): treat every key as changed
     */
    changedKeys?: readonly string[]
  }): AsyncIterable<HookStep>
}

// ───────────────────────────── discovery ─────────────────────────────

/** An installed floe package found through package.json `floe` fields. */
/**
 * Where discovery found a package: the project's dependencies, the CLI's data directory
 * (`floe providers add`), beside a global/npx CLI, or the CLI's own dependencies.
 */
export type PackageSource = 'project' | 'data-dir' | 'beside-cli' | 'built-in'

export interface InstalledFloePackage {
  /** where discovery found it (absent for packages given in memory) */
  source?: PackageSource
  packageName: string
  version: string
  kind: 'provider' | 'emitter' | 'hook'
  /** provider / emitter / hook name, e.g. 'vault', 'duckdb' */
  name: string
  /** absolute directory of the package */
  dir: string
  /** absolute module path to import */
  entry: string
  /** what the package.json `floe` field says about a provider (display name, locator, …) */
  metadata?: ProviderMetadata
}

/**
 * What the manifest loader and the resolver need from the registry: which providers exist
 * and their modules, imported only on demand.
 */
export interface ProviderCatalog {
  /** names of installed providers (no import happens) */
  names(): string[]
  has(name: string): boolean
  /** imports the provider package; undefined when not installed */
  load(name: string): Promise<ProviderModule | undefined>
  /** the package a user should install for a provider name (for "install X" hints) */
  packageFor(name: string): string
  /** the one command that installs a missing provider/emitter where floe runs */
  installHint?(kind: 'provider' | 'emitter', name: string): string
  /** what an installed provider says about itself (no import); undefined when not installed */
  metadataOf?(name: string): ProviderMetadata | undefined
}
