/**
 * In-memory state of the Vault emulator: per-namespace mounts, KV data, leases; global
 * tokens, policies and auth roles. Everything here is reachable from tests through the
 * emulator's seeding API without going over the wire.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { VaultPolicyRule } from './policy.js'

export type VaultMountConfig = { type: 'kv'; version: 1 | 2 } | { type: 'database' }

export interface KvVersion {
  data: Record<string, unknown>
  createdAt: Date
  deletedAt?: Date
  destroyed: boolean
}

export interface KvEntry {
  versions: Map<number, KvVersion>
  currentVersion: number
  createdAt: Date
  updatedAt: Date
  customMetadata: Record<string, string>
  maxVersions: number
}

export interface VaultToken {
  id: string
  accessor: string
  policies: string[]
  /** seconds; 0 = never expires (root) */
  ttlSeconds: number
  /** absolute cap on renewals, seconds from creation; 0 = none */
  maxTtlSeconds: number
  renewable: boolean
  createdAt: number
  expiresAt?: number
  revoked: boolean
  displayName: string
  meta: Record<string, string>
}

export interface DatabaseRole {
  defaultTtlSeconds: number
  maxTtlSeconds: number
  usernamePrefix?: string
}

export interface LeaseRecord {
  id: string
  namespace: string
  role: string
  username: string
  issuedAt: number
  expiresAt: number
  maxExpiresAt: number
  renewals: number
  /** epoch ms of the last renewal (lease lookup's `last_renewal`) */
  lastRenewalAt?: number
  revoked: boolean
}

export interface LoginRoleTokenSettings {
  policies: string[]
  tokenTtlSeconds?: number
  tokenMaxTtlSeconds?: number
  renewable?: boolean
}

export interface AppRole extends LoginRoleTokenSettings {
  roleId: string
  secretId?: string
}

export interface KubernetesRole extends LoginRoleTokenSettings {
  /** the service-account JWT the login must present */
  jwt: string
  /** auth mount path, default 'kubernetes' */
  mount?: string
}

export interface AwsRole extends LoginRoleTokenSettings {
  /** when set, the signed request must carry `X-Vault-AWS-IAM-Server-ID: <value>` */
  serverId?: string
  /** when set, the Authorization header's Credential must start with this access key id */
  accessKeyId?: string
  mount?: string
}

export class NamespaceState {
  readonly mounts = new Map<string, VaultMountConfig>()
  /** key: `<mount>\u0000<path>` */
  readonly kv = new Map<string, KvEntry>()
  readonly leases = new Map<string, LeaseRecord>()
  readonly databaseRoles = new Map<string, DatabaseRole>()

  constructor(mounts: Record<string, VaultMountConfig>) {
    for (const [path, config] of Object.entries(mounts)) this.mounts.set(trimSlashes(path), config)
  }

  /** Longest mount whose path prefixes `path` (segment-wise). */
  mountFor(path: string): { mount: string; rest: string; config: VaultMountConfig } | undefined {
    let best: { mount: string; rest: string; config: VaultMountConfig } | undefined
    for (const [mount, config] of this.mounts) {
      if (path === mount || path.startsWith(`${mount}/`)) {
        if (!best || mount.length > best.mount.length) {
          best = { mount, rest: path.slice(mount.length + 1), config }
        }
      }
    }
    return best
  }
}

export function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '')
}

export function kvKey(mount: string, path: string): string {
  return `${mount}\u0000${path}`
}

export function newTokenId(): string {
  return `hvs.${randomBytes(18).toString('base64url')}`
}

export function newAccessor(): string {
  return randomBytes(12).toString('base64url')
}

export function newRequestId(): string {
  return randomUUID()
}

export function newPassword(): string {
  return `A1a-${randomBytes(15).toString('base64url')}`
}

export type PolicyStore = Map<string, VaultPolicyRule[]>
