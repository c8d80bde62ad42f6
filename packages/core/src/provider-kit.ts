import pLimit from 'p-limit'
import type { z } from 'zod'
import { ConfigError, ConflictError, FloeError, InvalidSecretError } from './errors.js'
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, toFloeError } from './resolver/policies.js'
import { SecretValue } from './secret-value.js'
import type {
  FetchedSecret,
  FetchOutcome,
  FetchRequest,
  ProviderCapabilities,
  ProviderContext,
  PutRequest,
  SecretProvider,
} from './types.js'

/**
 * Validates a request's provider fields with the provider's own schema. Every provider reports
 * a bad definition the same way: `[vault] invalid settings for secret "x": path: problem; …`.
 */
export function parseProviderConfig<T>(
  schema: z.ZodType<T>,
  request: ConfigRequest,
  provider: string,
  options: ConfigParserOptions = {},
): T {
  const parsed = schema.safeParse(request.config)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
  const message = `invalid settings for secret "${request.secret}": ${problems}`
  const errorOptions = { provider, secret: request.secret }
  throw options.code === 'INVALID'
    ? new InvalidSecretError(message, errorOptions)
    : new ConfigError(message, errorOptions)
}

/** What a provider's config parser reads: the secret's name (for the message) and its fields. */
export interface ConfigRequest {
  secret: string
  config: Record<string, unknown>
}

export interface ConfigParserOptions {
  /**
   * The error code of a bad definition: CONFIG (default), or INVALID for the providers that
   * have always reported it as an invalid request (Azure Key Vault, GCP Secret Manager), so
   * their callers' handling of the code stays as it was.
   */
  code?: 'CONFIG' | 'INVALID'
}

/** `parseProviderConfig` bound to one provider's schema and name: its `parseConfig`. */
export function configParser<T>(
  schema: z.ZodType<T>,
  provider: string,
  options: ConfigParserOptions = {},
): (request: ConfigRequest) => T {
  return (request) => parseProviderConfig(schema, request, provider, options)
}

/**
 * A provider's configSchema, built on first use, behind its hand-written `vouches` check (see
 * ProviderModule.vouchesForConfig): fields it vouches for are taken as they are, so zod is
 * imported only for fields it is unsure of (start-up, issue 17). `configSchema` is what the
 * module exports as ProviderModule.configSchema; `safeParse` reads one definition.
 */
export function lazyConfigSchema<S extends z.ZodType>(
  build: (zod: typeof z) => S,
  vouches: (fields: Record<string, unknown>) => boolean,
): {
  configSchema: () => Promise<S>
  safeParse: (fields: unknown) => Promise<z.ZodSafeParseResult<z.output<S>>>
} {
  let schema: Promise<S> | undefined
  const configSchema = () => (schema ??= import('zod').then((zod) => build(zod.z)))
  return {
    configSchema,
    safeParse: async (fields) => {
      const plain = typeof fields === 'object' && fields !== null && !Array.isArray(fields)
      if (plain && vouches(fields as Record<string, unknown>))
        return { success: true, data: fields as z.output<S> }
      return (await configSchema()).safeParse(fields)
    },
  }
}

/** A request with its position in the batch and its parsed definition. */
export interface ParsedRequest<Request, Config> {
  index: number
  request: Request
  config: Config
}

/**
 * The requests of a `fetchMany` whose definition parses; each one that does not gets its
 * error as its outcome, so one bad definition does not fail the others of the batch.
 */
export function parseEach<Request extends ConfigRequest, Config>(
  requests: readonly Request[],
  parse: (request: Request) => Config,
  outcomes: FetchOutcome[],
): ParsedRequest<Request, Config>[] {
  const parsed: ParsedRequest<Request, Config>[] = []
  requests.forEach((request, index) => {
    try {
      parsed.push({ index, request, config: parse(request) })
    } catch (error) {
      // parsers throw the ConfigError / InvalidSecretError of parseProviderConfig
      outcomes[index] = { ok: false, error: error as FloeError }
    }
  })
  return parsed
}

/** `items` in runs of at most `size`, in order (a provider call's limit on names). */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

/**
 * The compare-and-set of a store without a conditional write, checked just before the write:
 * `createOnly` on an existing secret, or an `expectedVersion` that is not the current one, is
 * a CONFLICT (`current.version` undefined: no version yet).
 */
export function checkWriteExpectation(
  request: Pick<PutRequest, 'secret' | 'createOnly' | 'expectedVersion'>,
  current: { exists: boolean; version?: string | undefined },
  what: string,
  provider: string,
): void {
  const options = { provider, secret: request.secret }
  if (current.exists && request.createOnly) {
    throw new ConflictError(`${what} already exists`, options)
  }
  const expected = request.expectedVersion
  if (expected === undefined || expected === current.version) return
  if (!current.exists) {
    throw new ConflictError(`${what} does not exist, but version ${expected} was expected`, options)
  }
  throw new ConflictError(
    `${what} changed: expected version ${expected}, current is ${current.version ?? 'none'}`,
    { ...options, hint: 'read it again and retry' },
  )
}

/**
 * The one string a provider stores for a write: the text itself, or a key/value secret as a
 * JSON object (which `fetchedFromText` turns back into keys on read).
 */
export function payloadText(data: PutRequest['data']): string {
  if (data instanceof SecretValue) return data.reveal()
  return JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.reveal()])))
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

/** A provider that always batches: `fetchMany` present, with the names per call it accepts. */
export interface BatchingProvider extends SecretProvider {
  fetchMany: NonNullable<SecretProvider['fetchMany']>
  /** read by the floe resolver to size its batches */
  readonly maxBatchSize: number
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
  const answered = await mapWithConcurrency(
    chunksOf(requests, batchSizeOf(provider)),
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
