import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
} from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { dirname } from 'node:path'
import { SecretValue } from '../secret-value.js'
import {
  checkpointMacValid,
  defaultCheckpointFile,
  readCheckpoint,
  writeCheckpoint,
} from './audit-checkpoint.js'
import {
  auditKeyId,
  defaultAuditKeyFile,
  loadOrCreateAuditKeyFile,
  type AuditKey,
} from './audit-key.js'
import { withAuditLock } from './audit-lock.js'
import { GENESIS_HASH, hashAuditRecord, type AuditEntry, type AuditRecord } from './audit-record.js'

// node:crypto is loaded at first use: a start that hashes nothing does not pay for it (issue 17)
const crypto = () => process.getBuiltinModule('node:crypto')

export { canonicalJson } from './canonical-json.js'
export { GENESIS_HASH, hashAuditRecord } from './audit-record.js'
export type { AuditAction, AuditEntry, AuditRecord } from './audit-record.js'

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
  /** the HMAC key (e.g. resolved from `_config.audit.key`); default: the key file */
  key?: AuditKey
  /** default `<path>.key`, created 0600 on first append */
  keyFile?: string
  /** told when the log no longer matches its checkpoint (the append still happens) */
  warn?: (message: string) => void
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

function readRange(path: string, start: number, end: number): string {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(Math.max(0, end - start))
    readSync(fd, buffer, 0, buffer.length, start)
    return buffer.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

const TAIL_BYTES = 64 * 1024

/** The hash of the record that ends at byte `end` (records are small, files may be big). */
function hashOfLineEndingAt(path: string, end: number): string {
  if (end === 0) return GENESIS_HASH
  const lines = readRange(path, Math.max(0, end - TAIL_BYTES), end)
    .split('\n')
    .filter((l) => l.trim())
  const last = lines[lines.length - 1]
  if (!last) return GENESIS_HASH
  try {
    const parsed = JSON.parse(last) as { hash?: unknown }
    if (typeof parsed.hash === 'string') return parsed.hash
  } catch {
    // a damaged tail: chain on from a hash of the raw line so verify still flags the damage
  }
  return crypto().createHash('sha256').update(last).digest('hex')
}

function fileSize(path: string): number {
  if (!existsSync(path)) return 0
  const fd = openSync(path, 'r')
  try {
    return fstatSync(fd).size
  } finally {
    closeSync(fd)
  }
}

/** Keyed records in `text` that chain from `prev`, each with a valid HMAC; undefined otherwise. */
function keyedContinuation(
  text: string,
  prev: string,
  key: AuditKey,
): { count: number; head: string } | undefined {
  let head = prev
  let count = 0
  for (const line of text.split('\n')) {
    if (!line) continue
    let record: AuditRecord
    try {
      record = JSON.parse(line) as AuditRecord
    } catch {
      return undefined
    }
    if (record.prev !== head || record.kid !== auditKeyId(key)) return undefined
    const { hash, ...body } = record
    if (hashAuditRecord(body, key) !== hash) return undefined
    head = hash
    count += 1
  }
  return { count, head }
}

interface Continuation {
  prev: string
  /** where the next checkpoint starts counting; undefined: the log does not match its checkpoint */
  base?: { count: number; keyedFrom: number }
  problem?: string
}

/**
 * Where the next record chains on, and whether the log still is what the checkpoint says
 * (only then is the checkpoint moved forward: a truncated or forged log is never blessed).
 */
function continuation(
  path: string,
  checkpointPath: string,
  key: AuditKey,
  size: number,
): Continuation {
  const prev = hashOfLineEndingAt(path, size)
  const checkpoint = readCheckpoint(checkpointPath)
  if (checkpoint === undefined) {
    if (size === 0) return { prev, base: { count: 0, keyedFrom: 1 } }
    const lines = readRange(path, 0, size)
      .split('\n')
      .filter((l) => l)
    if (lines.some((l) => l.includes('"kid":'))) {
      return { prev, problem: `its checkpoint ${checkpointPath} is missing` }
    }
    // An unkeyed log from before keys: key it from here on (README: migration).
    return { prev, base: { count: lines.length, keyedFrom: lines.length + 1 } }
  }
  if (checkpoint === 'unreadable' || !checkpointMacValid(key, checkpoint)) {
    return {
      prev,
      problem: `its checkpoint ${checkpointPath} is damaged or was made with another key`,
    }
  }
  const base = { count: checkpoint.count, keyedFrom: checkpoint.keyedFrom }
  if (size === checkpoint.size && prev === checkpoint.head) return { prev, base }
  if (size > checkpoint.size && hashOfLineEndingAt(path, checkpoint.size) === checkpoint.head) {
    // records a writer appended before it could move the checkpoint (it stopped in between)
    const extra = keyedContinuation(readRange(path, checkpoint.size, size), checkpoint.head, key)
    if (extra) return { prev, base: { ...base, count: base.count + extra.count } }
  }
  return {
    prev,
    problem: `it holds ${size} bytes ending in ${prev.slice(0, 12)}…, its checkpoint says ${checkpoint.size} bytes ending in ${checkpoint.head.slice(0, 12)}…`,
  }
}

function assertNoValue(entry: AuditEntry): void {
  for (const [field, value] of Object.entries(entry)) {
    if (value instanceof SecretValue || (value !== undefined && typeof value !== 'string')) {
      throw new TypeError(`audit field "${field}" must be a plain string (names and outcomes only)`)
    }
  }
}

/**
 * An append-only JSON-lines audit log: each record carries an HMAC-SHA256 over the
 * previous record's hash and its own canonical JSON, with a key kept outside the log; a
 * checkpoint (`<log>.checkpoint`: count, size, head, MAC'd) catches truncation and appends.
 * Every append takes `<log>.lock`, so floe processes writing the same file keep one chain.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const actor = options.actor ?? defaultActor(options.env)
  const now = options.now ?? (() => new Date())
  const checkpointPath = defaultCheckpointFile(options.path)
  const keyFile = options.keyFile ?? defaultAuditKeyFile(options.path)
  let dirReady = false
  return {
    path: options.path,
    append(entry) {
      assertNoValue(entry)
      if (!dirReady) {
        mkdirSync(dirname(options.path), { recursive: true })
        dirReady = true
      }
      return withAuditLock(options.path, () => {
        const key = options.key ?? loadOrCreateAuditKeyFile(keyFile)
        const size = fileSize(options.path)
        const next = continuation(options.path, checkpointPath, key, size)
        const body: Omit<AuditRecord, 'hash'> = {
          ts: now().toISOString(),
          actor,
          action: entry.action,
          ...(entry.secret !== undefined ? { secret: entry.secret } : {}),
          ...(entry.provider !== undefined ? { provider: entry.provider } : {}),
          outcome: entry.outcome,
          ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
          prev: next.prev,
          kid: auditKeyId(key),
        }
        const record: AuditRecord = { ...body, hash: hashAuditRecord(body, key) }
        const line = JSON.stringify(record) + '\n'
        appendFileSync(options.path, line, { mode: 0o600 })
        if (next.base) {
          writeCheckpoint(checkpointPath, key, {
            count: next.base.count + 1,
            size: size + Buffer.byteLength(line),
            head: record.hash,
            keyedFrom: next.base.keyedFrom,
          })
        } else {
          options.warn?.(
            `audit log ${options.path} does not match its checkpoint (${next.problem}); the record was appended but the checkpoint is left as it was — run floe secrets audit verify`,
          )
        }
        return record
      })
    },
  }
}
