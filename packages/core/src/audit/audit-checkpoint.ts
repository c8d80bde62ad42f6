import { existsSync, readFileSync } from 'node:fs'
import type WriteFileAtomic from 'write-file-atomic'
import { auditKeyId, hmacHex, type AuditKey } from './audit-key.js'
import { canonicalJson } from './canonical-json.js'
import { requireFromCore } from '../require-from-core.js'

let writeFileAtomicModule: typeof WriteFileAtomic | undefined
/** Loaded on the first checkpoint write (CommonJS, so synchronously), not at every start. */
const writeFileAtomic = (): typeof WriteFileAtomic =>
  (writeFileAtomicModule ??= requireFromCore('write-file-atomic') as typeof WriteFileAtomic)

/**
 * What the last writer saw: how many records, how many bytes, the head hash. Kept outside the
 * log and MAC'd with the key, so a removed tail, an emptied file or an appended record no
 * longer matches it and cannot be made to match without the key.
 */
export interface AuditCheckpoint {
  v: 1
  count: number
  size: number
  head: string
  /** 1-based line of the first keyed record (earlier ones predate the key) */
  keyedFrom: number
  kid: string
  mac: string
}

export function defaultCheckpointFile(logPath: string): string {
  return `${logPath}.checkpoint`
}

function macOf(key: AuditKey, body: Omit<AuditCheckpoint, 'mac'>): string {
  return hmacHex(key, 'floe-audit-checkpoint\n' + canonicalJson(body))
}

export function readCheckpoint(path: string): AuditCheckpoint | 'unreadable' | undefined {
  if (!existsSync(path)) return undefined
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as AuditCheckpoint
    const fine =
      parsed?.v === 1 &&
      Number.isInteger(parsed.count) &&
      Number.isInteger(parsed.size) &&
      Number.isInteger(parsed.keyedFrom) &&
      typeof parsed.head === 'string' &&
      typeof parsed.kid === 'string' &&
      typeof parsed.mac === 'string'
    return fine ? parsed : 'unreadable'
  } catch {
    return 'unreadable'
  }
}

export function checkpointMacValid(key: AuditKey, checkpoint: AuditCheckpoint): boolean {
  const { mac, ...body } = checkpoint
  return checkpoint.kid === auditKeyId(key) && macOf(key, body) === mac
}

/**
 * Replaces the checkpoint atomically (temp file + rename), owner-only. Not fsynced, like the
 * log's own appends: an fsync costs ~8 ms per append (measured), every resolve appends, and a
 * checkpoint made durable ahead of its log would only turn a power loss into a "truncated" report.
 */
export function writeCheckpoint(
  path: string,
  key: AuditKey,
  body: Omit<AuditCheckpoint, 'mac' | 'v' | 'kid'>,
): AuditCheckpoint {
  const full: Omit<AuditCheckpoint, 'mac'> = { v: 1, ...body, kid: auditKeyId(key) }
  const checkpoint: AuditCheckpoint = { ...full, mac: macOf(key, full) }
  writeFileAtomic().sync(path, JSON.stringify(checkpoint) + '\n', { mode: 0o600, fsync: false })
  return checkpoint
}
