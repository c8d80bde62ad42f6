import { hmacHex, type AuditKey } from './audit-key.js'
import { canonicalJson } from './canonical-json.js'

// node:crypto is loaded at first use: a start that hashes nothing does not pay for it (issue 17)
const crypto = () => process.getBuiltinModule('node:crypto')

export type AuditAction =
  | 'resolve'
  | 'describe'
  | 'list'
  | 'put'
  | 'create'
  | 'delete'
  | 'rotate'
  | 'renew'
  | 'revoke'
  | 'emit'
  | 'apply'
  | 'exec'
  | (string & {})

/** What a caller records: names and outcomes only, never values. */
export interface AuditEntry {
  action: AuditAction
  secret?: string
  provider?: string
  /** 'ok', 'cached', or an error code such as 'NOT_FOUND' */
  outcome: string
  detail?: string
}

export interface AuditRecord extends AuditEntry {
  ts: string
  actor: string
  /** hash of the previous record (64 zeros for the first one) */
  prev: string
  /** id of the key whose HMAC `hash` is; absent on unkeyed records (logs written before keys) */
  kid?: string
  /** keyed: HMAC-SHA256(key, prev + canonical JSON without `hash`); unkeyed: SHA-256 of the same */
  hash: string
}

export const GENESIS_HASH = '0'.repeat(64)

/** The record's hash: an HMAC when the record names a key (`kid`), else a plain SHA-256. */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>, key?: AuditKey): string {
  const text = record.prev + canonicalJson(record)
  if (record.kid !== undefined) {
    if (!key) throw new TypeError('a keyed audit record needs its key to be hashed')
    return hmacHex(key, text)
  }
  return crypto().createHash('sha256').update(text).digest('hex')
}
