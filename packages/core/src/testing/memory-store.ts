import {
  ConflictError,
  ForbiddenError,
  InvalidSecretError,
  SecretNotFoundError,
} from '../errors.js'
import { SecretValue } from '../secret-value.js'
import type { LeaseInfo, PutRequest, PutResult, RemoveRequest, RemoveResult } from '../types.js'
import { idOf } from './memory-helpers.js'
import type { MemoryDynamicSpec, MemoryPayload, MemorySeed } from './memory-types.js'

export interface StoredVersion {
  version: string
  payload: MemoryPayload
  createdAt: Date
}

export interface StoredSecret {
  versions: StoredVersion[]
  type?: string
  dynamic?: MemoryDynamicSpec
}

export interface ActiveLease {
  info: LeaseInfo
  secret: string
  revoked: boolean
}

/**
 * The state behind the in-memory provider: versioned secrets, denied ids and issued leases,
 * with the checks a remote back end makes (FORBIDDEN, NOT_FOUND, compare-and-set conflicts).
 * The provider (memory-provider.ts) only counts calls and scripts failures around it.
 */
export class MemoryStore {
  readonly secrets = new Map<string, StoredSecret>()
  readonly denied = new Set<string>()
  readonly leases = new Map<string, ActiveLease>()
  private versionCounter = 0
  private leaseCounter = 0

  constructor(private readonly provider: string) {}

  /** the number the next version will get (rotate derives its fresh value from it) */
  get nextVersionNumber(): number {
    return this.versionCounter + 1
  }

  seed(id: string, value: MemorySeed): void {
    const record = value as { versions?: unknown; dynamic?: unknown; type?: unknown }
    if (typeof value !== 'string' && Array.isArray(record.versions)) {
      this.secrets.set(id, {
        versions: (record.versions as MemoryPayload[]).map((payload) => this.versionOf(payload)),
        ...(typeof record.type === 'string' ? { type: record.type } : {}),
      })
    } else if (typeof value !== 'string' && record.dynamic && typeof record.dynamic === 'object') {
      this.secrets.set(id, { versions: [], dynamic: record.dynamic as MemoryDynamicSpec })
    } else {
      this.secrets.set(id, { versions: [this.versionOf(value as MemoryPayload)] })
    }
  }

  /** Appends a version without any check; returns its id. */
  append(id: string, payload: MemoryPayload): string {
    const stored = this.versionOf(payload)
    const entry = this.secrets.get(id) ?? { versions: [] }
    entry.versions.push(stored)
    this.secrets.set(id, entry)
    return stored.version
  }

  latest(id: string): StoredVersion | undefined {
    const stored = this.secrets.get(id)
    return stored?.versions[stored.versions.length - 1]
  }

  /** The wanted (or latest) version of a readable secret, else FORBIDDEN / NOT_FOUND. */
  lookup(id: string, secret: string, version?: string): StoredVersion {
    if (this.denied.has(id)) {
      throw new ForbiddenError(`access to secret "${secret}" denied`, {
        provider: this.provider,
        secret,
      })
    }
    const stored = this.secrets.get(id)
    if (!stored || (stored.versions.length === 0 && !stored.dynamic)) {
      throw new SecretNotFoundError(`secret "${secret}" not found (id ${id})`, {
        provider: this.provider,
        secret,
      })
    }
    if (version === undefined) return stored.versions[stored.versions.length - 1] as StoredVersion
    const found = stored.versions.find((v) => v.version === version)
    if (!found) {
      throw new SecretNotFoundError(`secret "${secret}" has no version "${version}"`, {
        provider: this.provider,
        secret,
      })
    }
    return found
  }

  /** The dynamic spec of a readable dynamic secret, if it is one. */
  dynamicSpec(id: string): MemoryDynamicSpec | undefined {
    return this.denied.has(id) ? undefined : this.secrets.get(id)?.dynamic
  }

  issueLease(id: string, spec: MemoryDynamicSpec): { payload: MemoryPayload; lease: LeaseInfo } {
    this.leaseCounter += 1
    const info: LeaseInfo = {
      id: `${this.provider}/${id}/lease-${this.leaseCounter}`,
      ttlSeconds: spec.ttlSeconds,
      renewable: spec.renewable ?? true,
      issuedAt: new Date(),
      ...(spec.maxTtlSeconds !== undefined ? { maxTtlSeconds: spec.maxTtlSeconds } : {}),
    }
    this.leases.set(info.id, { info, secret: id, revoked: false })
    const n = this.leaseCounter
    return { payload: { username: `user-${n}`, password: `pw-${n}-${id}` }, lease: info }
  }

  renewLease(lease: LeaseInfo, incrementSeconds?: number): LeaseInfo {
    const active = this.leases.get(lease.id)
    const issuedAt = active?.info.issuedAt.getTime() ?? 0
    const expired =
      !active || active.revoked || Date.now() > issuedAt + active.info.ttlSeconds * 1000
    if (expired) {
      throw new SecretNotFoundError(`lease ${lease.id} not found or expired`, {
        provider: this.provider,
      })
    }
    if (!active.info.renewable) {
      throw new InvalidSecretError(`lease ${lease.id} is not renewable`, {
        provider: this.provider,
      })
    }
    const elapsed = (Date.now() - issuedAt) / 1000
    const requested = incrementSeconds ?? this.secrets.get(active.secret)?.dynamic?.ttlSeconds ?? 60
    const maxLeft =
      active.info.maxTtlSeconds === undefined ? Infinity : active.info.maxTtlSeconds - elapsed
    // Lease TTLs count from issuedAt, like Vault's: the renewed TTL is elapsed + granted.
    const granted = Math.max(0, Math.floor(Math.min(requested, maxLeft)))
    active.info = { ...active.info, ttlSeconds: Math.floor(elapsed) + granted }
    return active.info
  }

  revokeLease(lease: LeaseInfo): void {
    const active = this.leases.get(lease.id)
    if (active) active.revoked = true
  }

  /** A write with the provider contract's create-only and compare-and-set rules. */
  write(request: PutRequest): PutResult {
    const id = idOf(request)
    this.assertAllowed(id, 'writing', request.secret)
    const existed = this.secrets.has(id)
    const previous = this.latest(id)
    if (request.createOnly && existed) {
      throw new ConflictError(`secret "${request.secret}" already exists`, {
        provider: this.provider,
        secret: request.secret,
      })
    }
    this.assertVersion(request, previous?.version)
    const payload: MemoryPayload =
      request.data instanceof SecretValue
        ? request.data.reveal()
        : Object.fromEntries(Object.entries(request.data).map(([k, v]) => [k, v.reveal()]))
    const version = this.append(id, payload)
    return {
      version,
      ...(previous ? { previousVersion: previous.version } : {}),
      created: !existed,
    }
  }

  remove(request: RemoveRequest): RemoveResult {
    const id = idOf(request)
    this.assertAllowed(id, 'deleting', request.secret)
    const current = this.latest(id)?.version
    this.assertVersion(request, current)
    if (!this.secrets.has(id)) return { deleted: false }
    this.secrets.delete(id)
    return { deleted: true, ...(current ? { version: current } : {}) }
  }

  private versionOf(payload: MemoryPayload): StoredVersion {
    return { version: String(++this.versionCounter), payload, createdAt: new Date() }
  }

  private assertAllowed(id: string, action: 'writing' | 'deleting', secret: string): void {
    if (this.denied.has(id)) {
      throw new ForbiddenError(`${action} secret "${secret}" denied`, {
        provider: this.provider,
        secret,
      })
    }
  }

  private assertVersion(
    request: { secret: string; expectedVersion?: string },
    current: string | undefined,
  ): void {
    if (request.expectedVersion === undefined || current === request.expectedVersion) return
    throw new ConflictError(
      `secret "${request.secret}" is at version ${current ?? 'none'}, expected ${request.expectedVersion}`,
      { provider: this.provider, secret: request.secret },
    )
  }
}
