import { z } from 'zod'
import {
  ConflictError,
  FloeError,
  ForbiddenError,
  InvalidSecretError,
  ProviderUnavailableError,
  SecretNotFoundError,
} from '../errors.js'
import { fetchedFromMap, fetchedFromText } from '../fetched.js'
import { firstPartyProviders } from '../registry/first-party.js'
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
  ProviderModule,
  PutRequest,
  RemoveRequest,
  RemoveResult,
  PutResult,
  RotationResult,
  SecretListing,
  SecretMetadata,
  SecretProvider,
} from '../types.js'

/** A stored payload: a plain text secret or a key/value secret. */
export type MemoryPayload = string | Record<string, string>

export interface MemoryDynamicSpec {
  ttlSeconds: number
  maxTtlSeconds?: number
  renewable?: boolean
}

/** Seed for one secret: a payload, or several versions and/or a dynamic spec. */
export type MemorySeed =
  MemoryPayload | { versions: MemoryPayload[]; type?: string } | { dynamic: MemoryDynamicSpec }

export type MemoryOperation =
  'fetch' | 'describe' | 'list' | 'put' | 'remove' | 'rotate' | 'renew' | 'revoke' | 'check'

export type ScriptedFailure = 'unavailable' | 'forbidden' | 'not_found' | 'invalid' | 'conflict'

export interface FailNextOptions {
  /** which operation fails (default 'fetch') */
  operation?: MemoryOperation
  /** fail only requests for this secret (as a per-request outcome) instead of the whole call */
  secret?: string
  /** attached to UNAVAILABLE errors, like a Retry-After header */
  retryAfterMs?: number
}

export interface MemoryProviderOptions {
  /** provider name as used in manifests (default 'memory') */
  name?: string
  /** initial secrets keyed by the provider-side id (see `idOf`) */
  data?: Record<string, MemorySeed>
  /**
   * Which methods the provider has (a false flag removes the method, `batch` adds `fetchMany`)
   * and what it declares (`versions`, `dynamic`). Default: every method but `fetchMany`.
   */
  capabilities?: Partial<ProviderCapabilities>
  /** when set (and batch is not disabled), fetchMany accepts at most this many requests per call */
  batchSize?: number
  /** artificial latency per call, in milliseconds (real timers) */
  latencyMs?: number
}

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

export interface MemoryProviderCalls {
  fetch: number
  describe: number
  list: number
  put: number
  remove: number
  rotate: number
  renew: number
  revoke: number
  check: number
}

/** The in-memory provider plus test helpers (call counters, scripted failures, direct edits). */
export interface MemoryProvider extends SecretProvider {
  put: NonNullable<SecretProvider['put']>
  remove: NonNullable<SecretProvider['remove']>
  list: NonNullable<SecretProvider['list']>
  rotate: NonNullable<SecretProvider['rotate']>
  renew: NonNullable<SecretProvider['renew']>
  revoke: NonNullable<SecretProvider['revoke']>
  readonly calls: MemoryProviderCalls
  /** number of requests in each fetchOne / fetchMany call, in call order */
  readonly batchSizes: number[]
  /** provider-side ids requested by fetch, in order */
  readonly fetched: string[]
  /** highest number of concurrent calls observed */
  readonly maxInFlight: number
  readonly maxBatchSize?: number
  readonly leases: ReadonlyMap<string, { secret: string; revoked: boolean; info: LeaseInfo }>
  disposed: boolean
  /** the next `times` calls of `operation` fail with `kind` */
  failNext(kind: ScriptedFailure, times?: number, options?: FailNextOptions): void
  /** makes a secret permanently FORBIDDEN (true) or readable again (false) */
  deny(id: string, denied?: boolean): void
  /** writes a new version directly (no CAS, no counters) */
  set(id: string, payload: MemoryPayload): string
  delete(id: string): void
  /** current version id of a secret, if it exists */
  versionOf(id: string): string | undefined
  resetCounters(): void
}

const defaultCapabilities: ProviderCapabilities = {
  list: true,
  write: true,
  rotate: true,
  versions: true,
  dynamic: true,
  batch: false,
  describe: true,
  delete: true,
}

/** Fields that name a secret at the provider, as the first-party providers spell them. */
// `id`, then every first-party locator field, so a memory provider can stand in for any of them.
const ID_FIELDS = [
  ...new Set(['id', ...Object.values(firstPartyProviders).flatMap((p) => p.locator.anyOf)]),
]

/**
 * Provider-side id of a request: the first of `id`, `path`, `secret_id`, `secret_name`,
 * `secret`, `name`, `variable` that is set (the first-party locator fields, see
 * registry/first-party.ts), else the manifest secret name.
 */
export function idOf(request: { secret: string; config: Record<string, unknown> }): string {
  for (const field of ID_FIELDS) {
    const value = request.config[field]
    if (typeof value === 'string' && value) return value
  }
  return request.secret
}

function errorFor(
  kind: ScriptedFailure,
  provider: string,
  secret: string | undefined,
  retryAfterMs?: number,
): FloeError {
  const options = { provider, ...(secret ? { secret } : {}) }
  const what = secret ? `secret "${secret}"` : 'call'
  switch (kind) {
    case 'unavailable':
      return new ProviderUnavailableError(`${what}: service unavailable (scripted)`, {
        ...options,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      })
    case 'forbidden':
      return new ForbiddenError(`${what}: access denied (scripted)`, options)
    case 'not_found':
      return new SecretNotFoundError(`${what}: not found (scripted)`, options)
    case 'invalid':
      return new InvalidSecretError(`${what}: invalid request (scripted)`, options)
    case 'conflict':
      return new ConflictError(`${what}: version conflict (scripted)`, options)
  }
}

function keysOf(payload: MemoryPayload): string[] | undefined {
  if (typeof payload !== 'string') return Object.keys(payload)
  const keys = fetchedFromText(payload, 'metadata').keys
  return keys ? Object.keys(keys) : undefined
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
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

/** Fields a memory definition may carry (anything else is rejected, like a real provider). */
export const memoryConfigSchema = z.strictObject({
  id: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  keys: z.array(z.string()).optional(),
  key: z.string().optional(),
})

export interface MemoryModuleOptions {
  /** validate definitions with another schema (e.g. a real provider's, to stand in for it) */
  configSchema?: z.ZodType
  packageName?: string
}

/**
 * A ProviderModule whose `create` hands out `provider` (or a fresh memory provider built from
 * `options`), so tests can inspect the very instance the resolver uses.
 */
export function memoryProviderModule(
  providerOrOptions: MemoryProvider | MemoryProviderOptions = {},
  moduleOptions: MemoryModuleOptions = {},
): ProviderModule & { readonly instances: MemoryProvider[] } {
  const instances: MemoryProvider[] = []
  const given = 'fetchOne' in providerOrOptions ? providerOrOptions : undefined
  const name = given?.name ?? (providerOrOptions as MemoryProviderOptions).name ?? 'memory'
  return {
    name,
    packageName: moduleOptions.packageName ?? `@floe/testing-${name}`,
    configSchema: moduleOptions.configSchema ?? memoryConfigSchema,
    instances,
    create() {
      const instance = given ?? createMemoryProvider(providerOrOptions)
      instances.push(instance)
      return instance
    },
  }
}
