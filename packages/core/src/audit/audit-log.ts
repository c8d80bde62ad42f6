import { createHash } from 'node:crypto'
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
} from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { dirname } from 'node:path'
import { UsageError } from '../errors.js'
import { SecretValue } from '../secret-value.js'

export type AuditAction =
  | 'resolve'
  | 'describe'
  | 'list'
  | 'put'
  | 'create'
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
  /** sha256(prev + canonical JSON of this record without `hash`) */
  hash: string
}

export interface AuditLog {
  readonly path: string
  append(entry: AuditEntry): AuditRecord
}

export interface AuditLogOptions {
  path: string
  /** who acts; default FLOE_ACTOR, else user@host */
  actor?: string
  env?: NodeJS.ProcessEnv
  now?: () => Date
}

export const GENESIS_HASH = '0'.repeat(64)
const TAIL_BYTES = 64 * 1024

/** JSON with object keys sorted at every level, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256')
    .update(record.prev + canonicalJson(record))
    .digest('hex')
}

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOE_ACTOR) return env.FLOE_ACTOR
  let user = env.USER ?? env.USERNAME ?? 'unknown'
  try {
    user = userInfo().username
  } catch {
    // no passwd entry (containers): keep the environment's idea of the user
  }
  return `${user}@${hostname()}`
}

/** Hash of the last record, read from the file's tail (records are small, files may be big). */
function lastHash(path: string): string {
  if (!existsSync(path)) return GENESIS_HASH
  const fd = openSync(path, 'r')
  let text: string
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    text = buffer.toString('utf8')
  } finally {
    closeSync(fd)
  }
  const lines = text.split('\n').filter((l) => l.trim())
  const last = lines[lines.length - 1]
  if (!last) return GENESIS_HASH
  try {
    const parsed = JSON.parse(last) as { hash?: unknown }
    if (typeof parsed.hash === 'string') return parsed.hash
  } catch {
    // a damaged tail: chain on from a hash of the raw line so verify still flags the damage
  }
  return createHash('sha256').update(last).digest('hex')
}

function assertNoValue(entry: AuditEntry): void {
  for (const [field, value] of Object.entries(entry)) {
    if (value instanceof SecretValue || (value !== undefined && typeof value !== 'string')) {
      throw new TypeError(`audit field "${field}" must be a plain string (names and outcomes only)`)
    }
  }
}

/**
 * An append-only, hash-chained JSON-lines audit log (DESIGN §7). Appends are synchronous and
 * chain onto the file's current last record, so concurrent resolutions in one process and
 * successive floe processes writing the same file keep one chain.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const actor = options.actor ?? defaultActor(options.env)
  const now = options.now ?? (() => new Date())
  let dirReady = false
  return {
    path: options.path,
    append(entry) {
      assertNoValue(entry)
      if (!dirReady) {
        mkdirSync(dirname(options.path), { recursive: true })
        dirReady = true
      }
      // Re-read the tail on every append: other floe processes may write the same log.
      const prev = lastHash(options.path)
      const body: Omit<AuditRecord, 'hash'> = {
        ts: now().toISOString(),
        actor,
        action: entry.action,
        ...(entry.secret !== undefined ? { secret: entry.secret } : {}),
        ...(entry.provider !== undefined ? { provider: entry.provider } : {}),
        outcome: entry.outcome,
        ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
        prev,
      }
      const record: AuditRecord = { ...body, hash: hashAuditRecord(body) }
      appendFileSync(options.path, JSON.stringify(record) + '\n', { mode: 0o600 })
      return record
    },
  }
}

export interface AuditVerification {
  ok: boolean
  records: AuditRecord[]
  firstBroken?: { line: number; reason: string }
}

/**
 * Re-computes the chain. `line` is 1-based; records holds the records up to the break. A
 * missing file is a UsageError (an empty file verifies, with no records).
 */
export function verifyAuditLog(path: string): AuditVerification {
  if (!existsSync(path)) {
    throw new UsageError(`audit log ${path} does not exist`, {
      hint: 'check secrets._config.audit.path, or pass the log file',
    })
  }
  const lines = readFileSync(path, 'utf8').split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const records: AuditRecord[] = []
  let prev = GENESIS_HASH
  for (const [index, line] of lines.entries()) {
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      records,
      firstBroken: { line: index + 1, reason },
    })
    let record: AuditRecord
    try {
      record = JSON.parse(line) as AuditRecord
    } catch {
      return broken('not valid JSON')
    }
    if (!record || typeof record !== 'object' || typeof record.hash !== 'string') {
      return broken('not an audit record')
    }
    if (record.prev !== prev) return broken('chain broken: prev does not match the previous hash')
    const { hash, ...body } = record
    if (hashAuditRecord(body) !== hash) return broken('hash mismatch: the record was modified')
    records.push(record)
    prev = hash
  }
  return { ok: true, records }
}
