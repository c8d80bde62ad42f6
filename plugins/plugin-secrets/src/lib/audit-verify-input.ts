/**
 * What `floe secrets audit verify` checks: the log (the argument, else the manifest's
 * secrets._config.audit.path) and the chain's key (--key-file, else the manifest's audit.key
 * or key_file, else <log>.key). Kept out of the command so it stays a thin wrapper.
 */
import { resolve } from 'node:path'
import {
  auditKeyFromValue,
  auditLogFile,
  readAuditKeyFile,
  UsageError,
  type AuditKey,
} from '@floe/core'
import type { FloeSession } from './session.js'

export interface AuditVerifyInput {
  file: string
  key?: AuditKey
  keyFile?: string
}

export async function auditVerifyInput(
  session: FloeSession,
  fileArgument: string | undefined,
  keyFileFlag: string | undefined,
): Promise<AuditVerifyInput> {
  const file = fileArgument ? resolve(fileArgument) : await manifestLog(session)
  // a log given on the command line is not the manifest's: its key is not looked up there
  return { file, ...(await keyFor(session, file, keyFileFlag, !fileArgument)) }
}

async function manifestLog(session: FloeSession): Promise<string> {
  const manifest = await session.manifest()
  const file = auditLogFile(manifest.config.audit, manifest.dir)
  if (!file)
    throw new UsageError('no audit log given and the manifest sets no secrets._config.audit.path', {
      hint: 'pass the log file: floe secrets audit verify FILE',
    })
  return file
}

async function keyFor(
  session: FloeSession,
  file: string,
  keyFile: string | undefined,
  fromManifest: boolean,
): Promise<{ key?: AuditKey; keyFile?: string }> {
  if (keyFile) {
    const path = resolve(keyFile)
    const key = readAuditKeyFile(path)
    if (!key) throw new UsageError(`audit key file ${path} does not exist`)
    return { key }
  }
  if (!fromManifest) return {}
  const manifest = await session.manifest()
  const settings = manifest.config.audit
  if (settings?.key) {
    return { key: auditKeyFromValue(await session.resolveAuditKey(settings.key), settings.key) }
  }
  if (settings?.keyFile) return { keyFile: resolve(manifest.dir, settings.keyFile) }
  return { keyFile: `${file}.key` }
}
