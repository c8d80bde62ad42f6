import { existsSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs'
import { UsageError } from '../errors.js'

// node:crypto is loaded at first use: a start that hashes nothing does not pay for it (issue 17)
const crypto = () => process.getBuiltinModule('node:crypto')

/** The HMAC key of a keyed audit log; `source` says where it came from (never the bytes). */
export interface AuditKey {
  bytes: Buffer
  /** e.g. "key file /var/log/floe/audit.jsonl.key" or "secret://audit-key" */
  source: string
}

const MIN_KEY_BYTES = 16

/** Where the key lives when the manifest names none: next to the log, owner-only. */
export function defaultAuditKeyFile(logPath: string): string {
  return `${logPath}.key`
}

/** A short public identifier of a key (records and the checkpoint name the key they need). */
export function auditKeyId(key: AuditKey): string {
  return crypto()
    .createHash('sha256')
    .update('floe-audit-key-id\n')
    .update(key.bytes)
    .digest('hex')
    .slice(0, 16)
}

export function hmacHex(key: AuditKey, text: string): string {
  return crypto().createHmac('sha256', key.bytes).update(text).digest('hex')
}

export function auditKeyFromValue(value: string, source: string): AuditKey {
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.length < MIN_KEY_BYTES) {
    throw new UsageError(`the audit key from ${source} is shorter than ${MIN_KEY_BYTES} bytes`, {
      hint: 'store at least 32 random bytes, e.g. the output of `openssl rand -hex 32`',
    })
  }
  return { bytes, source }
}

/** Reads a key file (hex or raw bytes); undefined when it does not exist. */
export function readAuditKeyFile(path: string): AuditKey | undefined {
  if (!existsSync(path)) return undefined
  const mode = statSync(path).mode & 0o077
  if (mode !== 0) {
    throw new UsageError(
      `audit key file ${path} is readable by others (mode ${(statSync(path).mode & 0o777).toString(8)})`,
      {
        hint: `chmod 600 ${path}`,
      },
    )
  }
  const text = readFileSync(path, 'utf8').trim()
  return auditKeyFromValue(text, `key file ${path}`)
}

/** The key file's key, created (32 random bytes, hex, mode 0600) on first use. */
export function loadOrCreateAuditKeyFile(path: string): AuditKey {
  const existing = readAuditKeyFile(path)
  if (existing) return existing
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    // another process created it between the check and the open: use theirs
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readAuditKeyFile(path)!
    throw error
  }
  try {
    writeSync(fd, crypto().randomBytes(32).toString('hex') + '\n')
  } finally {
    closeSync(fd)
  }
  return readAuditKeyFile(path)!
}
