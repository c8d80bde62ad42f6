import {
  ConflictError,
  FloeError,
  ForbiddenError,
  InvalidSecretError,
  SecretNotFoundError,
} from '../errors.js'
import { fetchedFromMap, fetchedFromText } from '../fetched.js'
import { secretOf } from '../provider-kit.js'
import { SecretValue } from '../secret-value.js'
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
import { defaultCapabilities, errorFor, idOf, keysOf, sleep } from './memory-helpers.js'
import type {
  FailNextOptions,
  MemoryDynamicSpec,
  MemoryOperation,
  MemoryPayload,
  MemoryProvider,
  MemoryProviderCalls,
  MemoryProviderOptions,
  MemorySeed,
  ScriptedFailure,
} from './memory-types.js'

interface StoredVersion {
  version: string
  payload: MemoryPayload
  createdAt: Date
}

interface StoredSecret {
  versions: StoredVersion[]
  type?: string
  dynamic?: MemoryDynamicSpec
}

interface ActiveLease {
  info: LeaseInfo
  secret: string
  revoked: boolean
}

interface ScriptEntry {
  kind: ScriptedFailure
  remaining: number
  options: FailNextOptions
}

/**
 * An honest in-memory provider: versions, compare-and-set writes, listing, metadata, dynamic
 * leases, and the same error classes a remote provider raises (an empty value is a value; an
 * absent secret is NOT_FOUND). Used by core's tests and available to other packages through
 * `@floe/core/testing`.
 */
export function createMemoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  const name = options.name ?? 'memory'
  const capabilities: ProviderCapabilities = {
    ...defaultCapabilities,
    ...(options.batchSize ? { batch: true } : {}),
    ...options.capabilities,
  }
  const store = new Map<string, StoredSecret>()
  const denied = new Set<string>()
  const leases = new Map<string, ActiveLease>()
  const script: ScriptEntry[] = []
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
  let versionCounter = 0
  let leaseCounter = 0

  const nextVersion = () => String(++versionCounter)

  function seed(id: string, value: MemorySeed): void {
    const record = value as { versions?: unknown; dynamic?: unknown; type?: unknown }
    if (typeof value !== 'string' && Array.isArray(record.versions)) {
      store.set(id, {
        versions: (record.versions as MemoryPayload[]).map((payload) => ({
          version: nextVersion(),
          payload,
          createdAt: new Date(),
        })),
        ...(typeof record.type === 'string' ? { type: record.type } : {}),
      })
    } else if (typeof value !== 'string' && record.dynamic && typeof record.dynamic === 'object') {
      store.set(id, { versions: [], dynamic: record.dynamic as MemoryDynamicSpec })
    } else {
      store.set(id, {
        versions: [
          { version: nextVersion(), payload: value as MemoryPayload, createdAt: new Date() },
        ],
      })
    }
  }
  for (const [id, value] of Object.entries(options.data ?? {})) seed(id, value)

  /** Consumes a scripted whole-call failure for `operation`, if one is pending. */
  function takeCallFailure(operation: MemoryOperation): FloeError | undefined {
    const entry = script.find(
      (e) => (e.options.operation ?? 'fetch') === operation && !e.options.secret,
    )
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) script.splice(script.indexOf(entry), 1)
    return errorFor(entry.kind, name, undefined, entry.options.retryAfterMs)
  }

  function takeSecretFailure(
    operation: MemoryOperation,
    id: string,
    secret: string,
  ): FloeError | undefined {
    const entry = script.find(
      (e) => (e.options.operation ?? 'fetch') === operation && e.options.secret === secret,
    )
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) script.splice(script.indexOf(entry), 1)
    return errorFor(entry.kind, name, secret, entry.options.retryAfterMs)
  }

  async function enter<T>(operation: MemoryOperation, body: () => T | Promise<T>): Promise<T> {
    calls[operation] += 1
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      if (options.latencyMs) await sleep(options.latencyMs)
      else await Promise.resolve()
      const failure = takeCallFailure(operation)
      if (failure) throw failure
      return await body()
    } finally {
      inFlight -= 1
    }
  }

  function lookup(id: string, secret: string, version?: string): StoredVersion {
    if (denied.has(id)) {
      throw new ForbiddenError(`access to secret "${secret}" denied`, { provider: name, secret })
    }
    const stored = store.get(id)
    if (!stored || (stored.versions.length === 0 && !stored.dynamic)) {
      throw new SecretNotFoundError(`secret "${secret}" not found (id ${id})`, {
        provider: name,
        secret,
      })
    }
    if (version !== undefined) {
      const found = stored.versions.find((v) => v.version === version)
      if (!found) {
        throw new SecretNotFoundError(`secret "${secret}" has no version "${version}"`, {
          provider: name,
          secret,
        })
      }
      return found
    }
    return stored.versions[stored.versions.length - 1] as StoredVersion
  }

  function issueLease(
    id: string,
    spec: MemoryDynamicSpec,
  ): { payload: MemoryPayload; lease: LeaseInfo } {
    leaseCounter += 1
    const info: LeaseInfo = {
      id: `${name}/${id}/lease-${leaseCounter}`,
      ttlSeconds: spec.ttlSeconds,
      renewable: spec.renewable ?? true,
      issuedAt: new Date(),
      ...(spec.maxTtlSeconds !== undefined ? { maxTtlSeconds: spec.maxTtlSeconds } : {}),
    }
    leases.set(info.id, { info, secret: id, revoked: false })
    return {
      payload: { username: `user-${leaseCounter}`, password: `pw-${leaseCounter}-${id}` },
      lease: info,
    }
  }

  function read(request: FetchRequest): FetchOutcome {
    const id = idOf(request)
    fetched.push(id)
    const scripted = takeSecretFailure('fetch', id, request.secret)
    if (scripted) return { ok: false, error: scripted }
    try {
      const stored = store.get(id)
      if (stored?.dynamic && !denied.has(id)) {
        const { payload, lease } = issueLease(id, stored.dynamic)
        return {
          ok: true,
          secret: fetchedFromMap(payload as Record<string, string>, request.secret, { lease }),
        }
      }
      const version = lookup(id, request.secret, request.version)
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
    leases,
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
        const scripted = takeSecretFailure('describe', id, request.secret)
        if (scripted) throw scripted
        const stored = store.get(id)
        if (stored?.dynamic && !denied.has(id)) {
          return { exists: true, keys: ['username', 'password'], type: 'dynamic' }
        }
        const version = lookup(id, request.secret, request.version)
        const keys = keysOf(version.payload)
        return {
          exists: true,
          version: version.version,
          createdAt: version.createdAt,
          updatedAt: version.createdAt,
          ...(keys ? { keys } : {}),
          ...(stored?.type ? { type: stored.type } : {}),
        }
      })
    },

    list(listOptions: ListOptions, _ctx: ProviderContext): AsyncIterable<SecretListing> {
      const snapshot = async () =>
        enter('list', () =>
          [...store.entries()]
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
      return enter('put', () => {
        const id = idOf(request)
        if (denied.has(id)) {
          throw new ForbiddenError(`writing secret "${request.secret}" denied`, {
            provider: name,
            secret: request.secret,
          })
        }
        const stored = store.get(id)
        const previous = stored?.versions[stored.versions.length - 1]
        if (request.createOnly && stored) {
          throw new ConflictError(`secret "${request.secret}" already exists`, {
            provider: name,
            secret: request.secret,
          })
        }
        if (
          request.expectedVersion !== undefined &&
          previous?.version !== request.expectedVersion
        ) {
          throw new ConflictError(
            `secret "${request.secret}" is at version ${previous?.version ?? 'none'}, expected ${request.expectedVersion}`,
            { provider: name, secret: request.secret },
          )
        }
        const payload: MemoryPayload =
          request.data instanceof SecretValue
            ? request.data.reveal()
            : Object.fromEntries(Object.entries(request.data).map(([k, v]) => [k, v.reveal()]))
        const version = nextVersion()
        const entry = stored ?? { versions: [] }
        entry.versions.push({ version, payload, createdAt: new Date() })
        store.set(id, entry)
        return {
          version,
          ...(previous ? { previousVersion: previous.version } : {}),
          created: !stored,
        }
      })
    },

    async remove(request: RemoveRequest, _ctx: ProviderContext): Promise<RemoveResult> {
      return enter('remove', () => {
        const id = idOf(request)
        if (denied.has(id)) {
          throw new ForbiddenError(`deleting secret "${request.secret}" denied`, {
            provider: name,
            secret: request.secret,
          })
        }
        const stored = store.get(id)
        const current = stored?.versions[stored.versions.length - 1]?.version
        if (request.expectedVersion !== undefined && current !== request.expectedVersion) {
          throw new ConflictError(
            `secret "${request.secret}" is at version ${current ?? 'none'}, expected ${request.expectedVersion}`,
            { provider: name, secret: request.secret },
          )
        }
        if (!stored) return { deleted: false }
        store.delete(id)
        return { deleted: true, ...(current ? { version: current } : {}) }
      })
    },

    async rotate(request: FetchRequest, _ctx: ProviderContext): Promise<RotationResult> {
      return enter('rotate', () => {
        const id = idOf(request)
        const current = lookup(id, request.secret)
        const fresh = `rotated-${versionCounter + 1}-${Math.random().toString(36).slice(2, 10)}`
        const payload: MemoryPayload =
          typeof current.payload === 'string'
            ? fresh
            : Object.fromEntries(Object.keys(current.payload).map((k) => [k, `${fresh}-${k}`]))
        const version = nextVersion()
        store.get(id)!.versions.push({ version, payload, createdAt: new Date() })
        return { version, previousVersion: current.version, steps: [`Secret rotated in ${name}`] }
      })
    },

    async renew(
      lease: LeaseInfo,
      _ctx: ProviderContext,
      incrementSeconds?: number,
    ): Promise<LeaseInfo> {
      return enter('renew', () => {
        const active = leases.get(lease.id)
        const issuedAt = active?.info.issuedAt.getTime() ?? 0
        const expired =
          !active || active.revoked || Date.now() > issuedAt + active.info.ttlSeconds * 1000
        if (expired) {
          throw new SecretNotFoundError(`lease ${lease.id} not found or expired`, {
            provider: name,
          })
        }
        if (!active.info.renewable) {
          throw new InvalidSecretError(`lease ${lease.id} is not renewable`, { provider: name })
        }
        const elapsed = (Date.now() - issuedAt) / 1000
        const requested = incrementSeconds ?? store.get(active.secret)?.dynamic?.ttlSeconds ?? 60
        const maxLeft =
          active.info.maxTtlSeconds === undefined ? Infinity : active.info.maxTtlSeconds - elapsed
        // Lease TTLs count from issuedAt, like Vault's: the renewed TTL is elapsed + granted.
        const granted = Math.max(0, Math.floor(Math.min(requested, maxLeft)))
        const info: LeaseInfo = { ...active.info, ttlSeconds: Math.floor(elapsed) + granted }
        active.info = info
        return info
      })
    },

    async revoke(lease: LeaseInfo, _ctx: ProviderContext): Promise<void> {
      return enter('revoke', () => {
        const active = leases.get(lease.id)
        if (active) active.revoked = true
      })
    },

    async check(_ctx: ProviderContext) {
      return enter('check', () => ({
        status: 'ready' as const,
        detail: `${store.size} secrets in memory`,
      }))
    },

    async dispose() {
      provider.disposed = true
    },

    failNext(kind, times = 1, failOptions = {}) {
      script.push({ kind, remaining: times, options: failOptions })
    },
    deny(id, isDenied = true) {
      if (isDenied) denied.add(id)
      else denied.delete(id)
    },
    set(id, payload) {
      const version = nextVersion()
      const entry = store.get(id) ?? { versions: [] }
      entry.versions.push({ version, payload, createdAt: new Date() })
      store.set(id, entry)
      return version
    },
    delete(id) {
      store.delete(id)
    },
    versionOf(id) {
      const stored = store.get(id)
      return stored?.versions[stored.versions.length - 1]?.version
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
