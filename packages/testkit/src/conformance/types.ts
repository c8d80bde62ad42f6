import type { ListOptions, ProviderContext, SecretProvider } from '@floe/core'
import type { CheckName } from './checks.js'

/**
 * What a provider's test file hands the conformance suite: the provider under test plus a
 * back door into the backend (an emulator or a local store) so the suite can arrange state
 * without going through the provider it is judging.
 */
export interface ConformanceHarness {
  provider: SecretProvider
  ctx?: Partial<ProviderContext>
  /**
   * Store a secret in the backend through the emulator/backing store (NOT through the
   * provider). string = single value; record = key/value secret. Returns the
   * FetchRequest.config addressing it.
   */
  seed(name: string, data: string | Record<string, string>): Promise<Record<string, unknown>>
  /** config addressing a secret that does not exist */
  missing(name: string): Record<string, unknown>
  /** config addressing an existing secret the caller may not read (omit when the backend can't express it) */
  forbidden?(name: string): Promise<Record<string, unknown>>
  /** make the next `times` backend calls fail transiently (5xx / throttle / reset) */
  failNext?(times: number): void
  /** total backend calls so far (for "describe reads no value" and batching checks) */
  callCount?(): number
  /**
   * number of value-reading operations (e.g. GetSecretValue) the backend has served so far —
   * lets the suite prove describe() never reads a value
   */
  valueReads?(): number
  /**
   * false when the backend cannot store an empty string (e.g. SSM parameters have a minimum
   * length of 1); the suite then checks only the not-found half of "empty ≠ not found".
   * Default true.
   */
  emptyValues?: boolean
  /** options passed to provider.list (namespace, connection config); default {} */
  listOptions?: ListOptions
  close(): Promise<void>
}

export interface ConformanceOptions {
  name: string
  setup(): Promise<ConformanceHarness>
  /** max batch size the provider claims */
  batchSize?: number
  /**
   * Checks known to fail because the BACKEND is wrong (e.g. a moto bug), with the reason.
   * They run as expected failures (`it.fails`): if the backend gets fixed, the test turns red
   * and the entry must go. Never use it for a provider bug.
   */
  knownBackendBugs?: Partial<Record<CheckName, string>>
}

/** Options every check receives (a subset of ConformanceOptions). */
export interface CheckOptions {
  batchSize?: number
}

export type ConformanceCheck = (
  harness: ConformanceHarness,
  options?: CheckOptions,
) => Promise<void>
