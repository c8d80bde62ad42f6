import {
  type BatchingProvider,
  chunksOf,
  configParser,
  fetchedFromText,
  parseEach,
  secretOf,
  SecretNotFoundError,
  type FetchOutcome,
  type FetchRequest,
  type ListOptions,
  type ProviderCheck,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type SecretListing,
  type SecretMetadata,
} from '@floe/core'
import type { Parameter, ParameterStringFilter } from '@aws-sdk/client-ssm'
import { awsCheck, awsListings, connectionOf } from '@floe/aws-common'
import { parameterStoreError } from './errors.js'
import { parameterStoreClients, type ClientOptions } from './client.js'
import { putParameter } from './put.js'
import { PROVIDER_NAME, configSchema, type ParameterStoreConfig } from './validate.js'

/** GetParameters accepts at most 10 names per call. */
export const MAX_BATCH_SIZE = 10

export type ParameterStoreProviderOptions = ClientOptions

/** GetParameters, 10 names per call */
export type ParameterStoreProvider = BatchingProvider

interface Item {
  index: number
  request: FetchRequest
  config: ParameterStoreConfig
  selector: string
}

const parseConfig = configParser(configSchema, PROVIDER_NAME)

function versionOf(request: FetchRequest, config: ParameterStoreConfig): string | undefined {
  const version = request.version ?? config.version
  return version === undefined ? undefined : String(version)
}

/** `name`, `name:3` or `name:label` — the selector syntax GetParameters understands. */
function selectorOf(request: FetchRequest, config: ParameterStoreConfig): string {
  const version = versionOf(request, config)
  return version === undefined ? config.name : `${config.name}:${version}`
}

function keyOfParameter(p: Parameter): string {
  return `${p.Name ?? ''}${p.Selector ?? ''}`
}

/** Selectors grouped so that no call carries two selectors of the same parameter. */
function oneSelectorPerName(items: readonly Item[]): Item[][] {
  const rounds: Item[][] = []
  for (const item of items) {
    let round = rounds.find(
      (r) => !r.some((i) => i.config.name === item.config.name && i.selector !== item.selector),
    )
    if (!round) rounds.push((round = []))
    round.push(item)
  }
  return rounds
}

/** `/production/database/*` → a recursive path filter; `prod-` → a name prefix. */
function listFilters(prefix: string | undefined): ParameterStringFilter[] {
  if (!prefix) return []
  const trimmed = prefix.replace(/\/?\*+$/, '')
  if (trimmed.startsWith('/') && (prefix.endsWith('*') || prefix.endsWith('/'))) {
    const path = trimmed.replace(/\/+$/, '') || '/'
    return [{ Key: 'Path', Option: 'Recursive', Values: [path] }]
  }
  return [{ Key: 'Name', Option: 'BeginsWith', Values: [trimmed] }]
}

export function createParameterStoreProvider(
  options: ParameterStoreProviderOptions = {},
): ParameterStoreProvider {
  const clients = parameterStoreClients(options)
  const apiFor = (config: ParameterStoreConfig, ctx: ProviderContext) =>
    clients.for(connectionOf(config), ctx.env)

  async function fetchChunk(
    items: Item[],
    selectors: string[],
    decrypt: boolean,
    outcomes: FetchOutcome[],
    ctx: ProviderContext,
  ) {
    const api = apiFor(items[0]!.config, ctx)
    const { parameters, invalid } = await api.getParameters(selectors, decrypt)
    const bySelector = new Map(
      parameters.filter((p) => p.Selector !== undefined).map((p) => [keyOfParameter(p), p]),
    )
    // `Selector` is optional in the answer (moto omits it): then match on Name (and Version),
    // and ask again, one selector per parameter per call, where the Name alone is ambiguous.
    const bare = parameters.filter((p) => p.Selector === undefined)
    const asked = new Map<string, number>()
    for (const selector of selectors) {
      const name = items.find((i) => i.selector === selector)?.config.name ?? selector
      asked.set(name, (asked.get(name) ?? 0) + 1)
    }
    const again: Item[] = []
    for (const item of items) {
      let parameter = bySelector.get(item.selector)
      const candidates = parameter ? [] : bare.filter((p) => p.Name === item.config.name)
      if (candidates.length > 0) {
        const version = versionOf(item.request, item.config)
        if (asked.get(item.config.name) === 1) parameter = candidates[0]
        else if (version === undefined)
          parameter = candidates.reduce((a, b) => ((b.Version ?? 0) > (a.Version ?? 0) ? b : a))
        else if (/^\d+$/.test(version))
          parameter = candidates.find((p) => String(p.Version) === version)
        else {
          again.push(item)
          continue
        }
      }
      if (parameter) {
        outcomes[item.index] = {
          ok: true,
          secret: fetchedFromText(
            parameter.Value ?? '',
            item.request.secret,
            parameter.Version !== undefined ? { version: String(parameter.Version) } : {},
          ),
        }
      } else {
        const version = versionOf(item.request, item.config)
        outcomes[item.index] = {
          ok: false,
          error: new SecretNotFoundError(
            `secret "${item.request.secret}": parameter ${item.config.name}${version ? ` version ${version}` : ''} not found`,
            {
              provider: PROVIDER_NAME,
              secret: item.request.secret,
              ...(invalid.includes(item.selector)
                ? {}
                : { details: { reason: 'absent from the response' } }),
            },
          ),
        }
      }
    }
    for (const round of oneSelectorPerName(again)) {
      await fetchChunk(round, [...new Set(round.map((i) => i.selector))], decrypt, outcomes, ctx)
    }
  }

  async function fetchGroup(
    group: Item[],
    decrypt: boolean,
    outcomes: FetchOutcome[],
    ctx: ProviderContext,
  ) {
    const selectors = [...new Set(group.map((i) => i.selector))]
    await Promise.all(
      chunksOf(selectors, MAX_BATCH_SIZE).map(async (chunk) => {
        const items = group.filter((i) => chunk.includes(i.selector))
        try {
          await fetchChunk(items, chunk, decrypt, outcomes, ctx)
        } catch (error) {
          const failure = parameterStoreError(error)
          // IAM denies a whole GetParameters call for one unreadable name: ask one by one so
          // each secret gets its own verdict instead of all of them turning FORBIDDEN.
          if (failure.code === 'FORBIDDEN' && chunk.length > 1) {
            await Promise.all(
              chunk.map((selector) =>
                fetchGroup(
                  items.filter((i) => i.selector === selector),
                  decrypt,
                  outcomes,
                  ctx,
                ),
              ),
            )
            return
          }
          for (const item of items) {
            outcomes[item.index] = {
              ok: false,
              error: parameterStoreError(error, {
                secret: item.request.secret,
                what: `secret "${item.request.secret}" (parameter ${item.config.name})`,
              }),
            }
          }
        }
      }),
    )
  }

  async function metadataOf(
    request: FetchRequest,
    config: ParameterStoreConfig,
    ctx: ProviderContext,
  ) {
    const what = `secret "${request.secret}" (parameter ${config.name})`
    let meta
    try {
      meta = await apiFor(config, ctx).metadata(config.name)
    } catch (error) {
      throw parameterStoreError(error, { secret: request.secret, what })
    }
    if (!meta)
      throw new SecretNotFoundError(`${what} not found`, {
        provider: PROVIDER_NAME,
        secret: request.secret,
      })
    return meta
  }

  const provider: ParameterStoreProvider = {
    name: PROVIDER_NAME,
    maxBatchSize: MAX_BATCH_SIZE,
    capabilities: { versions: true },

    // GetParameters is also the single read (labels and versions are selectors of its names)
    async fetchOne(request, ctx) {
      return secretOf((await provider.fetchMany([request], ctx))[0])
    },

    async fetchMany(requests, ctx) {
      const outcomes: FetchOutcome[] = new Array<FetchOutcome>(requests.length)
      const groups = new Map<string, { decrypt: boolean; items: Item[] }>()
      for (const { index, request, config } of parseEach(requests, parseConfig, outcomes)) {
        const decrypt = config.with_decryption ?? true
        const key = `${clients.keyOf(connectionOf(config))}\u0000${decrypt}`
        const group = groups.get(key) ?? { decrypt, items: [] }
        group.items.push({ index, request, config, selector: selectorOf(request, config) })
        groups.set(key, group)
      }
      await Promise.all(
        [...groups.values()].map((g) => fetchGroup(g.items, g.decrypt, outcomes, ctx)),
      )
      return outcomes
    },

    async describe(request, ctx): Promise<SecretMetadata> {
      const config = parseConfig(request)
      const meta = await metadataOf(request, config, ctx)
      let version = meta.Version !== undefined ? String(meta.Version) : undefined
      const wanted = versionOf(request, config)
      if (wanted !== undefined) {
        // DescribeParameters knows only the latest version; labels and old versions are in
        // the history (read without decryption; values are not kept).
        let history
        try {
          history = await apiFor(config, ctx).versions(config.name)
        } catch (error) {
          throw parameterStoreError(error, { secret: request.secret })
        }
        const match = history.find((v) => String(v.version) === wanted || v.labels.includes(wanted))
        if (!match) {
          throw new SecretNotFoundError(
            `secret "${request.secret}": parameter ${config.name} has no version ${wanted}`,
            {
              provider: PROVIDER_NAME,
              secret: request.secret,
            },
          )
        }
        version = String(match.version)
      }
      return {
        exists: true,
        ...(version !== undefined ? { version } : {}),
        ...(meta.LastModifiedDate ? { updatedAt: meta.LastModifiedDate } : {}),
        ...(meta.Type ? { type: meta.Type } : {}),
        status: {
          tier: meta.Tier ?? 'Standard',
          ...(meta.KeyId ? { kmsKeyId: meta.KeyId } : {}),
        },
      }
    },

    async *list(opts: ListOptions, ctx: ProviderContext): AsyncIterable<SecretListing> {
      const config = parseConfig({ secret: 'list', config: { name: '/', ...(opts.config ?? {}) } })
      yield* awsListings(
        () => clients.for(connectionOf(config), ctx.env).describe(listFilters(opts.prefix)),
        (meta) => ({
          ...(meta.Type ? { type: meta.Type } : {}),
          ...(meta.LastModifiedDate ? { updatedAt: meta.LastModifiedDate } : {}),
        }),
        (error) => parameterStoreError(error, { what: 'DescribeParameters' }),
      )
    },

    async put(request: PutRequest, ctx: ProviderContext): Promise<PutResult> {
      const config = parseConfig(request)
      return putParameter(apiFor(config, ctx), config, request, PROVIDER_NAME)
    },

    async check(ctx: ProviderContext, raw?: Record<string, unknown>): Promise<ProviderCheck> {
      return awsCheck(
        async () => {
          const config = parseConfig({ secret: 'check', config: { name: '/', ...(raw ?? {}) } })
          const iterator = clients
            .for(connectionOf(config), ctx.env)
            .describe([])
            [Symbol.asyncIterator]()
          await iterator.next()
          await iterator.return?.(undefined)
        },
        'DescribeParameters answered',
        (error) => parameterStoreError(error, { what: 'DescribeParameters' }),
      )
    },

    async dispose() {
      clients.destroy()
    },
  }
  return provider
}
