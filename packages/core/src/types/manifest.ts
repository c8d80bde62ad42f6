/** A loaded manifest: secret definitions, their shared policies, and the sections consumers read. Types only. */
import type { SourceLocation } from '../errors.js'
import type { OmittedField } from '../manifest/optional-fields.js'
import type { EnvNaming, SecretEnvNaming } from '../naming/env-names.js'
import type { SecretRef } from '../uri.js'

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

/** One entry of `duckdb.secrets`: a DuckDB CREATE SECRET and its parameters. */
export interface DuckdbSecretSpec {
  type: string
  name: string
  persistent?: boolean
  scope?: string | string[]
  provider?: string
  [parameter: string]: unknown
}

/** duckdb: section. Parameters are validated in detail by @floe/emit-duckdb. */
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
