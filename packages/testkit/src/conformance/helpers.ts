/** Helpers every check uses (requests, calls through fetchOne/fetchMany, assertions) and the contract-shape check. */
import {
  batchSizeOf,
  capabilitiesOf,
  FloeError,
  SecretValue,
  type FetchedSecret,
  type FetchOutcome,
  type FetchRequest,
} from '@floe/core'
import { ensure, fail, Probe } from './probe.js'
import type { ConformanceHarness } from './types.js'

const DECLARED = new Set(['versions', 'dynamic'])

/**
 * The contract's shape: a name and `fetchOne`; `fetchMany` / `maxBatchSize` only together;
 * only `versions` and `dynamic` declared (core derives the rest from the methods with
 * `capabilitiesOf`); a dynamic provider can renew and revoke.
 */
export async function capabilitiesMatchMethods(harness: ConformanceHarness): Promise<void> {
  const { provider } = harness
  ensure(
    typeof provider.name === 'string' && provider.name.length > 0,
    'provider.name must be a non-empty string',
  )
  ensure(typeof provider.fetchOne === 'function', 'provider.fetchOne must be a function')
  ensure(
    provider.fetchMany === undefined || typeof provider.fetchMany === 'function',
    'provider.fetchMany must be a function when present',
  )
  if (provider.maxBatchSize !== undefined) {
    ensure(
      Number.isInteger(provider.maxBatchSize) && provider.maxBatchSize > 0,
      'provider.maxBatchSize must be a positive integer',
    )
    ensure(
      typeof provider.fetchMany === 'function',
      'provider.maxBatchSize is set but provider.fetchMany is missing',
    )
  }
  for (const [flag, value] of Object.entries(provider.capabilities ?? {})) {
    ensure(
      DECLARED.has(flag),
      `capabilities.${flag} is derived from the provider's methods; declare only versions and dynamic`,
    )
    ensure(
      value === undefined || typeof value === 'boolean',
      `capabilities.${flag} must be a boolean`,
    )
  }
  if (capabilitiesOf(provider).dynamic) {
    ensure(
      typeof provider.renew === 'function',
      'capabilities.dynamic is true but provider.renew is missing',
    )
    ensure(
      typeof provider.revoke === 'function',
      'capabilities.dynamic is true but provider.revoke is missing',
    )
  }
}

export { fetchRequest as request } from './test-helpers.js'

/** `fetchOne` as an outcome; what it throws must be a FloeError that leaks nothing. */
export async function callFetchOne(
  probe: Probe,
  req: FetchRequest,
  what: string,
): Promise<FetchOutcome> {
  try {
    return { ok: true, secret: await probe.provider.fetchOne(req, probe.ctx) }
  } catch (error) {
    probe.assertNoLeak(error, `the error thrown by ${what}`)
    ensure(
      error instanceof FloeError,
      `${what}: fetchOne must throw a FloeError, got ${error instanceof Error ? error.name : typeof error}`,
    )
    return { ok: false, error }
  }
}

export async function callFetchMany(
  probe: Probe,
  requests: FetchRequest[],
  what: string,
): Promise<FetchOutcome[]> {
  let outcomes: FetchOutcome[]
  try {
    outcomes = await probe.provider.fetchMany!(requests, probe.ctx)
  } catch (error) {
    probe.assertNoLeak(error, `the error thrown by ${what}`)
    throw error
  }
  ensure(Array.isArray(outcomes), `${what}: fetchMany must resolve to an array of outcomes`)
  ensure(
    outcomes.length === requests.length,
    `${what}: fetchMany returned ${outcomes.length} outcomes for ${requests.length} requests (one per request, in order)`,
  )
  return outcomes
}

/** Like core's `fetchAll`: `fetchMany` in chunks of `maxBatchSize`, else `fetchOne` each. */
export async function fetchAll(
  probe: Probe,
  requests: FetchRequest[],
  what: string,
): Promise<FetchOutcome[]> {
  const size = batchSizeOf(probe.provider)
  const outcomes: FetchOutcome[] = []
  for (let i = 0; i < requests.length; i += size) {
    const chunk = requests.slice(i, i + size)
    outcomes.push(
      ...(probe.provider.fetchMany
        ? await callFetchMany(probe, chunk, what)
        : await Promise.all(chunk.map((r) => callFetchOne(probe, r, what)))),
    )
  }
  probe.assertNoLeak(outcomes, `the outcomes of ${what}`)
  for (const outcome of outcomes) {
    if (!outcome.ok) {
      ensure(outcome.error instanceof FloeError, `${what}: a failed outcome must carry a FloeError`)
    }
  }
  return outcomes
}

export async function fetchOne(
  probe: Probe,
  req: FetchRequest,
  what: string,
): Promise<FetchedSecret> {
  const outcome = await callFetchOne(probe, req, what)
  probe.assertNoLeak(outcome, `the outcome of ${what}`)
  if (!outcome.ok) {
    fail(`${what}: expected the secret, got ${outcome.error.code}: ${outcome.error.message}`)
  }
  return outcome.secret
}

export function assertValue(fetched: FetchedSecret, expected: string, what: string): void {
  ensure(fetched.value instanceof SecretValue, `${what}: value must be a SecretValue`)
  ensure(
    fetched.value.reveal() === expected,
    `${what}: the value read back differs from the value stored`,
  )
}

export function assertOutcomeCode(
  outcome: FetchOutcome | undefined,
  code: string,
  what: string,
): FloeError {
  ensure(outcome !== undefined, `${what}: no outcome`)
  if (outcome.ok) fail(`${what}: expected ${code}, but the provider returned a value`)
  ensure(
    outcome.error.code === code,
    `${what}: expected ${code}, got ${outcome.error.code} (${outcome.error.message})`,
  )
  return outcome.error
}
