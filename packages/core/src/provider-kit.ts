import pLimit from 'p-limit'
import type { z } from 'zod'
import { ConfigError, FloeError } from './errors.js'
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, toFloeError } from './resolver/policies.js'
import type {
  FetchedSecret,
  FetchOutcome,
  FetchRequest,
  ProviderCapabilities,
  ProviderContext,
  SecretProvider,
} from './types.js'

/**
 * Validates a request's provider fields with the provider's own schema. Every provider reports
 * a bad definition the same way: `[vault] invalid settings for secret "x": path: problem; …`.
 */
export function parseProviderConfig<T>(
  schema: z.ZodType<T>,
  request: { secret: string; config: Record<string, unknown> },
  provider: string,
): T {
  const parsed = schema.safeParse(request.config)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
  throw new ConfigError(`invalid settings for secret "${request.secret}": ${problems}`, {
    provider,
    secret: request.secret,
  })
}

/** Maps with at most `limit` calls in flight, keeping the order of `items`. */
export function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const run = pLimit(Math.max(1, limit))
  return Promise.all(items.map((item, index) => run(() => fn(item, index))))
}

/**
 * What a provider can do: `versions` and `dynamic` as it declares them, everything else from
 * the methods it has (list, put → write, remove → delete, rotate, describe, fetchMany → batch).
 */
export function capabilitiesOf(provider: SecretProvider): ProviderCapabilities {
  return {
    list: typeof provider.list === 'function',
    write: typeof provider.put === 'function',
    rotate: typeof provider.rotate === 'function',
    versions: provider.capabilities?.versions === true,
    dynamic: provider.capabilities?.dynamic === true,
    batch: typeof provider.fetchMany === 'function',
    describe: typeof provider.describe === 'function',
    delete: typeof provider.remove === 'function',
  }
}

/** Requests per provider call: `maxBatchSize` (default 20) with `fetchMany`, else 1. */
export function batchSizeOf(provider: SecretProvider): number {
  if (typeof provider.fetchMany !== 'function') return 1
  const declared = provider.maxBatchSize
  return declared !== undefined && declared > 0 ? declared : DEFAULT_BATCH_SIZE
}

/** `fetchOne` as an outcome: whatever it throws is classified (see `toFloeError`). */
export async function fetchOutcome(
  provider: SecretProvider,
  request: FetchRequest,
  ctx: ProviderContext,
): Promise<FetchOutcome> {
  try {
    return { ok: true, secret: await provider.fetchOne(request, ctx) }
  } catch (error) {
    return { ok: false, error: toFloeError(error, provider.name, request.secret) }
  }
}

/**
 * One provider call for `requests` (at most `batchSizeOf(provider)` of them): `fetchMany` when
 * the provider batches, else `fetchOne` of the single request. Checks that a batch answered
 * every request; a whole-call failure of `fetchMany` is thrown.
 */
export async function fetchChunk(
  provider: SecretProvider,
  requests: readonly FetchRequest[],
  ctx: ProviderContext,
): Promise<FetchOutcome[]> {
  if (typeof provider.fetchMany !== 'function') {
    return Promise.all(requests.map((request) => fetchOutcome(provider, request, ctx)))
  }
  const outcomes = await provider.fetchMany(requests, ctx)
  if (outcomes.length !== requests.length) {
    throw new FloeError(
      'INVALID',
      `fetchMany returned ${outcomes.length} results for ${requests.length} requests`,
      { provider: provider.name },
    )
  }
  return outcomes
}

/**
 * Fetches every request through the provider's own contract: batches of `maxBatchSize` with
 * `fetchMany`, else `fetchOne` each, with at most `concurrency` calls in flight (default 8,
 * like `_config.concurrency`). One outcome per request, in order. This is the loop every
 * provider used to write itself; the resolver adds caching and retries on top (fetch-engine.ts).
 */
export async function fetchAll(
  provider: SecretProvider,
  requests: readonly FetchRequest[],
  ctx: ProviderContext,
  options: { concurrency?: number } = {},
): Promise<FetchOutcome[]> {
  const size = batchSizeOf(provider)
  const chunks: FetchRequest[][] = []
  for (let i = 0; i < requests.length; i += size) chunks.push(requests.slice(i, i + size))
  const answered = await mapWithConcurrency(
    chunks,
    options.concurrency ?? DEFAULT_CONCURRENCY,
    (chunk) => fetchChunk(provider, chunk, ctx),
  )
  return answered.flat()
}

/** The secret of an outcome, or its error thrown (for a `fetchOne` built over `fetchMany`). */
export function secretOf(outcome: FetchOutcome | undefined): FetchedSecret {
  if (!outcome) throw new FloeError('INVALID', 'provider returned no result')
  if (!outcome.ok) throw outcome.error
  return outcome.secret
}
