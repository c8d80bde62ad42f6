import type { ExitCode, SourceLocation } from '../errors.js'
import type {
  DescribeOutcome,
  EmitterModule,
  LoadedManifest,
  Logger,
  ProviderContext,
  RotationHookModule,
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
  /**
   * metadata of each named secret's `fallback:` source (the resolver's describe with
   * `{fallback: true}`): a secret missing at its provider passes only when resolution's
   * fallback would find it
   */
  describeFallbacks?: (names: readonly string[]) => Promise<DescribeOutcome[]>
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
