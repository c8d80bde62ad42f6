import { ConfigError, FloeError, UnsupportedError } from '../errors.js'
import type {
  DescribeOptions,
  DescribeOutcome,
  DescribeResult,
  LoadedManifest,
  ProviderContext,
  SecretDefinition,
  SecretProvider,
} from '../types.js'
import type { AuditRecorder } from './audit-recorder.js'
import type { ResolverStats } from './fetch-engine.js'
import { retryPolicyOf, toFloeError } from './policies.js'
import type { ProviderPool } from './provider-pool.js'
import { callWithRetries, type RetryClock } from './with-retries.js'

/**
 * describe() of many secrets, by metadata only: one call per batch for providers with
 * describeMany, one per secret otherwise, with the resolver's retries.
 */
export function createDescriber(options: {
  manifest: Pick<LoadedManifest, 'secrets' | 'config'>
  pool: ProviderPool
  ctx: ProviderContext
  stats: ResolverStats
  clock: RetryClock
  record: AuditRecorder
}): (names: readonly string[], options?: DescribeOptions) => Promise<DescribeOutcome[]> {
  const { manifest, pool, ctx, stats, record } = options

  function outcomeOf(name: string, provider: string, result: DescribeResult): DescribeOutcome {
    const base = { secret: name, provider }
    if (!result.ok) {
      record({ action: 'describe', secret: name, provider, outcome: result.error.code })
      return {
        ...base,
        ...(result.error.code === 'NOT_FOUND' ? { metadata: { exists: false } } : {}),
        error: result.error,
      }
    }
    record({ action: 'describe', secret: name, provider, outcome: 'ok' })
    return { ...base, metadata: result.metadata }
  }

  /** One describe call per chunk (a single secret when the provider has no describeMany). */
  async function describeChunk(
    provider: SecretProvider,
    definitions: readonly SecretDefinition[],
  ): Promise<DescribeOutcome[]> {
    const limit = pool.limitFor(provider.name)
    const results = await callWithRetries(
      definitions,
      async (pending): Promise<DescribeResult[]> => {
        const requests = pending.map((d) => ({ secret: d.name, config: d.fields }))
        stats.providerCalls += 1
        try {
          if (provider.describeMany && (requests.length > 1 || !provider.describe)) {
            const many = await limit(() => provider.describeMany!(requests, ctx))
            return pending.map(
              (d, i) =>
                many[i] ?? {
                  ok: false,
                  error: new FloeError('INVALID', 'describeMany returned too few results', {
                    secret: d.name,
                    provider: provider.name,
                  }),
                },
            )
          }
          const metadata = await limit(() => provider.describe!(requests[0]!, ctx))
          return [{ ok: true, metadata }]
        } catch (error) {
          const secret = pending.length === 1 ? pending[0]!.name : undefined
          const failure = toFloeError(error, provider.name, secret)
          return pending.map(() => ({ ok: false, error: failure }))
        }
      },
      {
        policyOf: (d) => retryPolicyOf(d, manifest.config),
        failureOf: (r) => (r.ok ? undefined : r.error),
        clock: options.clock,
        onRetry: () => void (stats.retries += 1),
      },
    )
    return definitions.map((d) => outcomeOf(d.name, provider.name, results.get(d)!))
  }

  async function providerOf(definition: SecretDefinition): Promise<SecretProvider | FloeError> {
    try {
      const provider = await pool.get(definition.provider)
      if (provider.describe || provider.describeMany) return provider
      return new UnsupportedError(`provider "${provider.name}" cannot read metadata`, {
        secret: definition.name,
        provider: provider.name,
      })
    } catch (error) {
      return toFloeError(error, definition.provider, definition.name)
    }
  }

  return async (names, describeOptions = {}) => {
    const definitionOf = (name: string): SecretDefinition | undefined => {
      const definition = manifest.secrets[name]
      if (!describeOptions.fallback || !definition) return definition
      // the fallback source as a definition of its own: its provider, its fields
      const { fallback } = definition
      return fallback && { ...definition, provider: fallback.provider, fields: fallback.fields }
    }
    const results: DescribeOutcome[] = new Array(names.length)
    const batched = new Map<SecretProvider, number[]>()
    const singles: Promise<void>[] = []
    for (const [index, name] of names.entries()) {
      const definition = definitionOf(name)
      if (!definition) {
        const error = new ConfigError(
          `secret "${name}" ${manifest.secrets[name] ? 'has no fallback: source' : 'is not declared in the manifest'}`,
          { secret: name },
        )
        results[index] = { secret: name, provider: '', error }
        continue
      }
      const provider = await providerOf(definition)
      if (provider instanceof FloeError) {
        results[index] = { secret: name, provider: definition.provider, error: provider }
      } else if (provider.describeMany && names.length > 1) {
        batched.set(provider, [...(batched.get(provider) ?? []), index])
      } else {
        singles.push(
          describeChunk(provider, [definition]).then(
            ([outcome]) => void (results[index] = outcome!),
          ),
        )
      }
    }
    await Promise.all(singles)
    await Promise.all(
      [...batched].map(async ([provider, indexes]) => {
        const size = Math.max(1, provider.maxDescribeBatchSize ?? 1)
        for (let i = 0; i < indexes.length; i += size) {
          const chunk = indexes.slice(i, i + size)
          const described = await describeChunk(
            provider,
            chunk.map((n) => definitionOf(names[n]!)!),
          )
          chunk.forEach((n, j) => (results[n] = described[j]!))
        }
      }),
    )
    return results
  }
}
