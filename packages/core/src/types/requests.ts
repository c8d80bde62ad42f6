/** What a provider is asked (fetch, describe, list, put, remove, rotate) and what it answers. Types only. */
import type { FloeError } from '../errors.js'
import type { SecretValue } from '../secret-value.js'

/** One thing to fetch. The provider reads its own fields from `config` (already validated). */
export interface FetchRequest {
  /** manifest secret name; use it in error messages */
  secret: string
  config: Record<string, unknown>
  /** version / stage / label requested with ?version= or the definition's own field */
  version?: string
}

export interface LeaseInfo {
  id: string
  ttlSeconds: number
  renewable: boolean
  issuedAt: Date
  maxTtlSeconds?: number
}

/**
 * A fetched secret. `value` is the whole secret as text; `keys` holds its keys when it is a
 * key/value secret (a JSON object, a Kubernetes Secret's data, a Vault KV map). Use
 * `fetchedFromText` / `fetchedFromMap` from core to build one consistently.
 */
export interface FetchedSecret {
  value: SecretValue
  keys?: Record<string, SecretValue>
  version?: string
  lease?: LeaseInfo
}

export type DescribeResult =
  { ok: true; metadata: SecretMetadata } | { ok: false; error: FloeError }

export type FetchOutcome = { ok: true; secret: FetchedSecret } | { ok: false; error: FloeError }

export interface SecretMetadata {
  exists: boolean
  /** key names only */
  keys?: string[]
  version?: string
  createdAt?: Date
  updatedAt?: Date
  /** provider-specific type, e.g. Opaque, SecureString */
  type?: string
  /** e.g. { store: 'aws-secrets-manager', sync: 'Synced', lastSync: ISO } for ESO */
  status?: Record<string, string>
  lease?: LeaseInfo
  /** disabled / expired (Azure, GCP version states) */
  state?: string
}

export interface SecretListing {
  name: string
  type?: string
  keys?: number
  createdAt?: Date
  updatedAt?: Date
}

export interface ListOptions {
  prefix?: string
  namespace?: string
  /** connection fields (region, address, project…) when not derivable from a definition */
  config?: Record<string, unknown>
}

export interface PutRequest {
  secret: string
  config: Record<string, unknown>
  /** a single value, or key → value for multi-key secrets */
  data: SecretValue | Record<string, SecretValue>
  /** compare-and-set: the version the caller last saw; CONFLICT when it moved */
  expectedVersion?: string
  /** create only: CONFLICT when it already exists */
  createOnly?: boolean
  contentType?: string
  tags?: Record<string, string>
}

export interface PutResult {
  version?: string
  previousVersion?: string
  created: boolean
  /**
   * what the caller must hear although the write succeeded — e.g. its answer was lost and a
   * read-back (or an idempotent retry) found that it landed
   */
  warnings?: string[]
}

/** Deletes one secret (every version): `floe secrets delete`. */
export interface RemoveRequest {
  secret: string
  config: Record<string, unknown>
  /** compare-and-set: CONFLICT (nothing deleted) when the current version is another one */
  expectedVersion?: string
}

export interface RemoveResult {
  /** false when there was nothing to delete */
  deleted: boolean
  /** the version that was current when it was deleted */
  version?: string
}

export interface RotationResult {
  version?: string
  previousVersion?: string
  /** human steps, e.g. "Secret updated in AWS Secrets Manager" */
  steps: string[]
}

export interface ProviderCheck {
  status: 'ready' | 'unknown' | 'error'
  detail: string
}
