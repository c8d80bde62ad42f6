import { FloeError, InvalidSecretError } from '../errors.js'
import { fetchedFromMap, fetchedFromText } from '../fetched.js'
import { secretOf } from '../provider-kit.js'
import type {
  FetchedSecret,
  FetchOutcome,
  FetchRequest,
  LeaseInfo,
  ListOptions,
  ProviderCapabilities,
  ProviderContext,
  PutRequest,
  RemoveRequest,
  RemoveResult,
  PutResult,
  RotationResult,
  SecretListing,
  SecretMetadata,
} from '../types.js'
import { defaultCapabilities, idOf, keysOf, sleep } from './memory-helpers.js'
import { FailureScript } from './memory-script.js'
import { MemoryStore } from './memory-store.js'
import type {
  MemoryOperation,
  MemoryPayload,
  MemoryProvider,
  MemoryProviderCalls,
  MemoryProviderOptions,
} from './memory-types.js'

/**
 * An honest in-memory provider: versions, compare-and-set writes, listing, metadata, dynamic
 * leases, and the same error classes a remote provider raises (an empty value is a value; an
 * absent secret is NOT_FOUND). Used by core's tests and available to other packages through
 * `@floe/core/testing`. Its state and checks live in memory-store.ts; this file counts calls,
 * applies scripted failures and latency, and maps the store onto the provider contract.
 */
export function createMemoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  const name = options.name ?? 'memory'
  const capabilities: ProviderCapabilities = {
    ...defaultCapabilities,
    ...(options.batchSize ? { batch: true } : {}),
    ...options.capabilities,
  }
  const store = new MemoryStore(name)
  const script = new FailureScript(name)
  const calls: MemoryProviderCalls = {
    fetch: 0,
    describe: 0,
    list: 0,
    put: 0,
    remove: 0,
    rotate: 0,
    renew: 0,
    revoke: 0,
    check: 0,
  }
  const batchSizes: number[] = []
  const fetched: string[] = []
  let inFlight = 0
  let maxInFlight = 0

  for (const [id, value] of Object.entries(options.data ?? {})) store.seed(id, value)

  async function enter<T>(operation: MemoryOperation, body: () => T | Promise<T>): Promise<T> {
    calls[operation] += 1
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      if (options.latencyMs) await sleep(options.latencyMs)
      else await Promise.resolve()
      const failure = script.take(operation)
      if (failure) throw failure
      return await body()
    } finally {
      inFlight -= 1
    }
  }

  function read(request: FetchRequest): FetchOutcome {
    const id = idOf(request)
    fetched.push(id)
    const scripted = script.take('fetch', request.secret)
    if (scripted) return { ok: false, error: scripted }
    try {
      const dynamic = store.dynamicSpec(id)
      if (dynamic) {
        const { payload, lease } = store.issueLease(id, dynamic)
        return {
          ok: true,
          secret: fetchedFromMap(payload as Record<string, string>, request.secret, { lease }),
        }
      }
      const version = store.lookup(id, request.secret, request.version)
      const extras = { version: version.version }
      return {
        ok: true,
        secret:
          typeof version.payload === 'string'
            ? fetchedFromText(version.payload, request.secret, extras)
            : fetchedFromMap(version.payload, request.secret, extras),
      }
    } catch (error) {
      if (error instanceof FloeError) return { ok: false, error }
      throw error
    }
  }

  const provider: MemoryProvider = {
    name,
    capabilities: { versions: capabilities.versions, dynamic: capabilities.dynamic },
    calls,
    batchSizes,
    fetched,
    get maxInFlight() {
      return maxInFlight
    },
    ...(capabilities.batch && options.batchSize ? { maxBatchSize: options.batchSize } : {}),
    leases: store.leases,
    disposed: false,

    async fetchOne(request: FetchRequest, _ctx: ProviderContext): Promise<FetchedSecret> {
      batchSizes.push(1)
      return enter('fetch', () => secretOf(read(request)))
    },

    async fetchMany(
      requests: readonly FetchRequest[],
      _ctx: ProviderContext,
    ): Promise<FetchOutcome[]> {
      batchSizes.push(requests.length)
      return enter('fetch', () => {
        const limit = options.batchSize ?? Infinity
        if (requests.length > limit) {
          throw new InvalidSecretError(
            `fetchMany called with ${requests.length} requests; at most ${limit} per call`,
            { provider: name },
          )
        }
        return requests.map((r) => read(r))
      })
    },

    async describe(request: FetchRequest, _ctx: ProviderContext): Promise<SecretMetadata> {
      return enter('describe', () => {
        const id = idOf(request)
        const scripted = script.take('describe', request.secret)
        if (scripted) throw scripted
        if (store.dynamicSpec(id)) {
          return { exists: true, keys: ['username', 'password'], type: 'dynamic' }
        }
        const version = store.lookup(id, request.secret, request.version)
        const keys = keysOf(version.payload)
        const type = store.secrets.get(id)?.type
        return {
          exists: true,
          version: version.version,
          createdAt: version.createdAt,
          updatedAt: version.createdAt,
          ...(keys ? { keys } : {}),
          ...(type ? { type } : {}),
        }
      })
    },

    list(listOptions: ListOptions, _ctx: ProviderContext): AsyncIterable<SecretListing> {
      const snapshot = async () =>
        enter('list', () =>
          [...store.secrets.entries()]
            .filter(([id]) => !listOptions.prefix || id.startsWith(listOptions.prefix))
            .map(([id, stored]) => {
              const last = stored.versions[stored.versions.length - 1]
              const keys = last ? keysOf(last.payload) : undefined
              return {
                name: id,
                ...(keys ? { keys: keys.length } : {}),
                ...(last
                  ? { createdAt: stored.versions[0]!.createdAt, updatedAt: last.createdAt }
                  : {}),
              }
            }),
        )
      return {
        async *[Symbol.asyncIterator]() {
          yield* await snapshot()
        },
      }
    },

    async put(request: PutRequest, _ctx: ProviderContext): Promise<PutResult> {
      return enter('put', () => store.write(request))
    },

    async remove(request: RemoveRequest, _ctx: ProviderContext): Promise<RemoveResult> {
      return enter('remove', () => store.remove(request))
    },

    async rotate(request: FetchRequest, _ctx: ProviderContext): Promise<RotationResult> {
      return enter('rotate', () => {
        const id = idOf(request)
        const current = store.lookup(id, request.secret)
        const fresh = `rotated-${store.nextVersionNumber}-${Math.random().toString(36).slice(2, 10)}`
        const payload: MemoryPayload =
          typeof current.payload === 'string'
            ? fresh
            : Object.fromEntries(Object.keys(current.payload).map((k) => [k, `${fresh}-${k}`]))
        const version = store.append(id, payload)
        return { version, previousVersion: current.version, steps: [`Secret rotated in ${name}`] }
      })
    },

    async renew(
      lease: LeaseInfo,
      _ctx: ProviderContext,
      incrementSeconds?: number,
    ): Promise<LeaseInfo> {
      return enter('renew', () => store.renewLease(lease, incrementSeconds))
    },

    async revoke(lease: LeaseInfo, _ctx: ProviderContext): Promise<void> {
      return enter('revoke', () => store.revokeLease(lease))
    },

    async check(_ctx: ProviderContext) {
      return enter('check', () => ({
        status: 'ready' as const,
        detail: `${store.secrets.size} secrets in memory`,
      }))
    },

    async dispose() {
      provider.disposed = true
    },

    failNext(kind, times = 1, failOptions = {}) {
      script.add(kind, times, failOptions)
    },
    deny(id, isDenied = true) {
      if (isDenied) store.denied.add(id)
      else store.denied.delete(id)
    },
    set(id, payload) {
      return store.append(id, payload)
    },
    delete(id) {
      store.secrets.delete(id)
    },
    versionOf(id) {
      return store.latest(id)?.version
    },
    resetCounters() {
      for (const key of Object.keys(calls) as MemoryOperation[]) calls[key] = 0
      batchSizes.length = 0
      fetched.length = 0
      maxInFlight = 0
    },
  }
  // capabilities are derived from methods (capabilitiesOf): a disabled one has no method
  const methods: [keyof ProviderCapabilities, keyof MemoryProvider][] = [
    ['batch', 'fetchMany'],
    ['describe', 'describe'],
    ['list', 'list'],
    ['write', 'put'],
    ['delete', 'remove'],
    ['rotate', 'rotate'],
  ]
  for (const [capability, method] of methods) {
    if (!capabilities[capability]) delete (provider as Partial<MemoryProvider>)[method]
  }
  return provider
}
