import { FloeError, ProviderUnavailableError } from '../errors.js'
import type { CachePolicy, RetryPolicy, SecretDefinition, SecretsConfig } from '../types.js'

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  backoff: 'exponential',
  initialDelayMs: 200,
  maxDelayMs: 30_000,
}

export const DEFAULT_CACHE_TTL_MS = 5 * 60_000
export const DEFAULT_CONCURRENCY = 8
/** Batch size used when a provider says it batches but declares no `maxBatchSize`. */
export const DEFAULT_BATCH_SIZE = 20

export function retryPolicyOf(
  definition: Pick<SecretDefinition, 'retry'>,
  config: Pick<SecretsConfig, 'retry'>,
): RetryPolicy {
  return { ...DEFAULT_RETRY, ...config.retry, ...definition.retry }
}

export function cachePolicyOf(
  definition: Pick<SecretDefinition, 'cache'>,
  config: Pick<SecretsConfig, 'cache'>,
): CachePolicy {
  return {
    enabled: definition.cache?.enabled ?? config.cache?.enabled ?? true,
    ttlMs: definition.cache?.ttlMs ?? config.cache?.ttlMs ?? DEFAULT_CACHE_TTL_MS,
  }
}

/**
 * Delay before retry number `retry` (1 = the first retry). Exponential backoff with full
 * jitter (AWS architecture blog): uniform in [0, min(max, initial·2^(retry-1))]. A server's
 * Retry-After is a floor: retrying sooner would only be throttled again.
 */
export function backoffDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling =
    policy.backoff === 'constant'
      ? policy.initialDelayMs
      : Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1))
  const jittered = policy.backoff === 'constant' ? ceiling : Math.floor(random() * ceiling)
  return retryAfterMs !== undefined ? Math.max(jittered, retryAfterMs) : jittered
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Classifies whatever a provider threw. Unknown network failures are transient. */
export function toFloeError(error: unknown, provider: string, secret?: string): FloeError {
  if (error instanceof FloeError) return error
  const code = (error as { code?: unknown } | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const options = { provider, cause: error, ...(secret ? { secret } : {}) }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new ProviderUnavailableError(`${code}: ${message}`, options)
  }
  return new FloeError('INVALID', `provider failed: ${message}`, options)
}
