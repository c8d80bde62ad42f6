/** What resolving references through the providers reports. Types only. */
import type { FloeError } from '../errors.js'
import type { SecretValue } from '../secret-value.js'
import type { SecretRef } from '../uri.js'
import type { EnvBinding } from './manifest.js'
import type { SecretMetadata } from './requests.js'

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
