import type { FloeError } from '../errors.js'
import type { RetryPolicy } from '../types.js'
import { backoffDelay } from './policies.js'

export interface RetryClock {
  sleep: (ms: number) => Promise<void>
  random: () => number
}

/**
 * The resolver's one retry loop: calls `call` with every pending item, keeps the outcomes that
 * are final and calls again with the items whose outcome is a transient failure, while their
 * policy has attempts left. `call` must not throw: it maps a failed call to one outcome per item.
 */
export async function callWithRetries<I, O>(
  items: readonly I[],
  call: (pending: readonly I[]) => Promise<O[]>,
  options: {
    policyOf: (item: I) => RetryPolicy
    failureOf: (outcome: O) => FloeError | undefined
    clock: RetryClock
    /** told before each wait (for stats and debug logs) */
    onRetry?: (pending: readonly I[], attempt: number, delayMs: number) => void
  },
): Promise<Map<I, O>> {
  const results = new Map<I, O>()
  let pending = [...items]
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const outcomes = await call(pending)
    const retry: I[] = []
    let retryAfterMs: number | undefined
    let policy: RetryPolicy | undefined
    pending.forEach((item, i) => {
      const outcome = outcomes[i] as O
      const failure = options.failureOf(outcome)
      const itemPolicy = options.policyOf(item)
      if (failure?.transient && attempt < itemPolicy.attempts) {
        retry.push(item)
        policy ??= itemPolicy
        if (failure.retryAfterMs !== undefined) {
          retryAfterMs = Math.max(retryAfterMs ?? 0, failure.retryAfterMs)
        }
      } else {
        results.set(item, outcome)
      }
    })
    if (retry.length > 0 && policy) {
      const delay = backoffDelay(policy, attempt, options.clock.random, retryAfterMs)
      options.onRetry?.(retry, attempt, delay)
      await options.clock.sleep(delay)
    }
    pending = retry
  }
  return results
}
