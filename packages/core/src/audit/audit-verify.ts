import { existsSync, readFileSync } from 'node:fs'
import { UsageError } from '../errors.js'
import {
  checkpointMacValid,
  defaultCheckpointFile,
  readCheckpoint,
  type AuditCheckpoint,
} from './audit-checkpoint.js'
import { auditKeyId, defaultAuditKeyFile, readAuditKeyFile, type AuditKey } from './audit-key.js'
import { GENESIS_HASH, hashAuditRecord, type AuditRecord } from './audit-record.js'

/**
 * - `authenticated`: every keyed record's HMAC and the checkpoint's MAC checked with the key
 * - `unauthenticated`: a keyed log verified without its key (links and checkpoint compared, no MACs)
 * - `unkeyed`: a log from before keys, with no key and no checkpoint: only its SHA-256 chain
 * - `broken`: tampering or damage found (`firstBroken`)
 */
export type AuditVerificationStatus = 'authenticated' | 'unauthenticated' | 'unkeyed' | 'broken'

export interface AuditVerification {
  ok: boolean
  status: AuditVerificationStatus
  /** the records up to the first break */
  records: AuditRecord[]
  keyed: number
  unkeyed: number
  /** where the key came from, when one was used */
  keySource?: string
  checkpoint?: { file: string; count: number; head: string }
  /** line is 1-based; the line after the last one for a truncation */
  firstBroken?: { line: number; reason: string }
  /** what this run established */
  proven: string[]
  /** what it could not establish (and why) */
  unproven: string[]
}

export interface VerifyAuditLogOptions {
  /** the key; null: verify without one; default: the key file when it exists */
  key?: AuditKey | null
  /** default `<log>.key` */
  keyFile?: string
}

interface ChainResult {
  records: AuditRecord[]
  keyed: number
  firstBroken?: { line: number; reason: string }
}

function checkChain(lines: string[], key: AuditKey | undefined): ChainResult {
  const records: AuditRecord[] = []
  let keyed = 0
  let prev = GENESIS_HASH
  for (const [index, line] of lines.entries()) {
    const broken = (reason: string): ChainResult => ({
      records,
      keyed,
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
    if (record.kid === undefined) {
      if (keyed > 0) {
        return broken('an unkeyed record after keyed ones: the log was rewritten without the key')
      }
      if (hashAuditRecord(body) !== hash) return broken('hash mismatch: the record was modified')
    } else {
      if (key && record.kid !== auditKeyId(key)) {
        return broken(`the record names key ${record.kid}, not the key used (${auditKeyId(key)})`)
      }
      if (key && hashAuditRecord(body, key) !== hash) {
        return broken('HMAC mismatch: the record was modified, or written without the key')
      }
      keyed += 1
    }
    records.push(record)
    prev = hash
  }
  return { records, keyed }
}

/** Compares the log with its checkpoint; a reason when they disagree. */
function checkCheckpoint(
  checkpoint: AuditCheckpoint,
  chain: ChainResult,
  key: AuditKey | undefined,
): { line: number; reason: string } | undefined {
  if (key && !checkpointMacValid(key, checkpoint)) {
    return { line: 1, reason: 'the checkpoint was altered, or made with another key' }
  }
  const { records } = chain
  if (records.length < checkpoint.count) {
    return {
      line: records.length + 1,
      reason: `truncated: the checkpoint covers ${checkpoint.count} records, the log holds ${records.length}`,
    }
  }
  if (checkpoint.count > 0 && records[checkpoint.count - 1]!.hash !== checkpoint.head) {
    return {
      line: checkpoint.count,
      reason: 'record does not match the checkpoint head: the log was rewritten',
    }
  }
  const firstKeyed = records.findIndex((r) => r.kid !== undefined) + 1
  if (checkpoint.count >= checkpoint.keyedFrom && firstKeyed !== checkpoint.keyedFrom) {
    return {
      line: checkpoint.keyedFrom,
      reason: 'the checkpoint says keyed records start here: the log was rewritten',
    }
  }
  // records after the checkpoint were HMAC-checked above (with the key), or are reported unproven
  return undefined
}

/**
 * Re-computes the chain and compares the log with its checkpoint. A missing log is a
 * UsageError unless a checkpoint says it existed (then it is reported as removed).
 */
export function verifyAuditLog(
  path: string,
  options: VerifyAuditLogOptions = {},
): AuditVerification {
  const keyFile = options.keyFile ?? defaultAuditKeyFile(path)
  const key = options.key === null ? undefined : (options.key ?? readAuditKeyFile(keyFile))
  const checkpointFile = defaultCheckpointFile(path)
  const checkpoint = readCheckpoint(checkpointFile)
  if (!existsSync(path) && checkpoint === undefined) {
    throw new UsageError(`audit log ${path} does not exist`, {
      hint: 'check secrets._config.audit.path, or pass the log file',
    })
  }
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : []
  if (lines[lines.length - 1] === '') lines.pop()
  const chain = checkChain(lines, key)
  const base = {
    records: chain.records,
    keyed: chain.keyed,
    unkeyed: chain.records.length - chain.keyed,
    ...(key ? { keySource: key.source } : {}),
    ...(checkpoint && checkpoint !== 'unreadable'
      ? { checkpoint: { file: checkpointFile, count: checkpoint.count, head: checkpoint.head } }
      : {}),
  }
  const broken = (firstBroken: { line: number; reason: string }): AuditVerification => ({
    ok: false,
    status: 'broken',
    ...base,
    firstBroken,
    proven: [`the log was altered or damaged at line ${firstBroken.line}: ${firstBroken.reason}`],
    unproven: ['records after the break are not checked'],
  })
  if (chain.firstBroken) return broken(chain.firstBroken)
  if (checkpoint === 'unreadable') {
    return broken({ line: 1, reason: `the checkpoint ${checkpointFile} is not readable` })
  }
  if (checkpoint === undefined) {
    if (chain.keyed > 0 || key) {
      return broken({
        line: lines.length + 1,
        reason: `the checkpoint ${checkpointFile} is missing (removing it hides a truncation)`,
      })
    }
    return {
      ok: true,
      status: 'unkeyed',
      ...base,
      proven: ['the SHA-256 chain is consistent: accidental damage and naive edits would show'],
      unproven: [
        'an unkeyed log (written before floe keyed its audit logs) has no key and no checkpoint: anyone who can write it can edit a record and recompute the chain, remove the last records or empty it, and it would still verify',
        'the next append keys the log and starts a checkpoint (README: audit log migration)',
      ],
    }
  }
  const disagreement = checkCheckpoint(checkpoint, chain, key)
  if (disagreement) return broken(disagreement)

  const extra = chain.records.length - checkpoint.count
  const legacy = checkpoint.keyedFrom - 1
  const proven: string[] = []
  const unproven: string[] = []
  if (key) {
    proven.push(
      `all ${chain.keyed} keyed records carry a valid HMAC for the key from ${key.source}: none was edited, inserted, removed or reordered`,
      `the log ends where the MAC'd checkpoint says (${checkpoint.count} records): nothing was removed from its end and nothing was appended without the key`,
    )
    if (extra > 0) {
      proven.push(
        `${extra} record(s) after the checkpoint carry valid HMACs: a writer stopped before moving the checkpoint; the next append moves it`,
      )
    }
    unproven.push('whoever holds the key can rewrite the log and its checkpoint consistently')
    if (key.source === `key file ${keyFile}` && keyFile === defaultAuditKeyFile(path)) {
      unproven.push(
        `the key file sits next to the log: whoever can read it can forge records; keep the key elsewhere (_config.audit.key_file or key: secret://…)`,
      )
    }
  } else {
    proven.push(
      'the records link to each other and the log agrees with its checkpoint (count and head hash)',
    )
    unproven.push(
      `the key is not available (${keyFile} is absent and none was given): without it the HMACs and the checkpoint's MAC cannot be checked, so an edited record with a recomputed chain, or a forged checkpoint, would not be noticed`,
    )
    if (extra > 0)
      unproven.push(`${extra} record(s) after the checkpoint cannot be told from forged appends`)
  }
  if (legacy > 0) {
    unproven.push(
      `the first ${legacy} record(s) predate the key: only their SHA-256 chain is checked`,
    )
  }
  return {
    ok: true,
    status: key ? 'authenticated' : 'unauthenticated',
    ...base,
    proven,
    unproven,
  }
}
