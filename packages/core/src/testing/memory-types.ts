/** The public types of the in-memory provider (memory-provider.ts). */
import type { LeaseInfo, ProviderCapabilities, SecretProvider } from '../types.js'

/** A stored payload: a plain text secret or a key/value secret. */
export type MemoryPayload = string | Record<string, string>

export interface MemoryDynamicSpec {
  ttlSeconds: number
  maxTtlSeconds?: number
  renewable?: boolean
}

/** Seed for one secret: a payload, or several versions and/or a dynamic spec. */
export type MemorySeed =
  MemoryPayload | { versions: MemoryPayload[]; type?: string } | { dynamic: MemoryDynamicSpec }

export type MemoryOperation =
  'fetch' | 'describe' | 'list' | 'put' | 'remove' | 'rotate' | 'renew' | 'revoke' | 'check'

export type ScriptedFailure = 'unavailable' | 'forbidden' | 'not_found' | 'invalid' | 'conflict'

export interface FailNextOptions {
  /** which operation fails (default 'fetch') */
  operation?: MemoryOperation
  /** fail only requests for this secret (as a per-request outcome) instead of the whole call */
  secret?: string
  /** attached to UNAVAILABLE errors, like a Retry-After header */
  retryAfterMs?: number
}

export interface MemoryProviderOptions {
  /** provider name as used in manifests (default 'memory') */
  name?: string
  /** initial secrets keyed by the provider-side id (see `idOf`) */
  data?: Record<string, MemorySeed>
  /**
   * Which methods the provider has (a false flag removes the method, `batch` adds `fetchMany`)
   * and what it declares (`versions`, `dynamic`). Default: every method but `fetchMany`.
   */
  capabilities?: Partial<ProviderCapabilities>
  /** when set (and batch is not disabled), fetchMany accepts at most this many requests per call */
  batchSize?: number
  /** artificial latency per call, in milliseconds (real timers) */
  latencyMs?: number
}

export interface MemoryProviderCalls {
  fetch: number
  describe: number
  list: number
  put: number
  remove: number
  rotate: number
  renew: number
  revoke: number
  check: number
}

/** The in-memory provider plus test helpers (call counters, scripted failures, direct edits). */
export interface MemoryProvider extends SecretProvider {
  put: NonNullable<SecretProvider['put']>
  remove: NonNullable<SecretProvider['remove']>
  list: NonNullable<SecretProvider['list']>
  rotate: NonNullable<SecretProvider['rotate']>
  renew: NonNullable<SecretProvider['renew']>
  revoke: NonNullable<SecretProvider['revoke']>
  readonly calls: MemoryProviderCalls
  /** number of requests in each fetchOne / fetchMany call, in call order */
  readonly batchSizes: number[]
  /** provider-side ids requested by fetch, in order */
  readonly fetched: string[]
  /** highest number of concurrent calls observed */
  readonly maxInFlight: number
  readonly maxBatchSize?: number
  readonly leases: ReadonlyMap<string, { secret: string; revoked: boolean; info: LeaseInfo }>
  disposed: boolean
  /** the next `times` calls of `operation` fail with `kind` */
  failNext(kind: ScriptedFailure, times?: number, options?: FailNextOptions): void
  /** makes a secret permanently FORBIDDEN (true) or readable again (false) */
  deny(id: string, denied?: boolean): void
  /** writes a new version directly (no CAS, no counters) */
  set(id: string, payload: MemoryPayload): string
  delete(id: string): void
  /** current version id of a secret, if it exists */
  versionOf(id: string): string | undefined
  resetCounters(): void
}
