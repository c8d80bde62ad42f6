/** Emitters (files for duckdb, dbt, k8s) and the platform hooks run around rotation. Types only. */
import type { Logger } from './logging.js'
import type { LoadedManifest, SecretDefinition } from './manifest.js'
import type { ProviderContext } from './provider.js'
import type { Resolver } from './resolver.js'

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
