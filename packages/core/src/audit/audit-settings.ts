import { existsSync, statSync } from 'node:fs'
import { join, resolve as resolvePath } from 'node:path'
import { UsageError } from '../errors.js'
import type { SecretsConfig } from '../types.js'
import { createAuditLog, type AuditLog, type AuditLogOptions } from './audit-log.js'
import { auditKeyFromValue, type AuditKey } from './audit-key.js'

type AuditSettings = NonNullable<SecretsConfig['audit']>

const DIRECTORY_LOG_NAME = 'floe-audit.jsonl'

/**
 * The audit log file of `_config.audit` (relative to the manifest's directory): `path`, else
 * `log_destination` — a file, or a directory that receives `floe-audit.jsonl`. A destination
 * that is not a path (a URL, a syslog name) is refused: floe writes a local file; ship it on.
 */
export function auditLogFile(settings: AuditSettings | undefined, dir: string): string | undefined {
  if (!settings?.enabled) return undefined
  const given = settings.path ?? settings.destination
  if (given === undefined) return undefined
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given) || /^syslog:/i.test(given)) {
    throw new UsageError(
      `secrets._config.audit.${settings.path !== undefined ? 'path' : 'log_destination'} "${given}" is not a file path`,
      {
        hint: 'floe writes its audit log to a local file (JSON lines); give a path such as logs/floe-audit.jsonl and forward that file with your log shipper',
      },
    )
  }
  const file = resolvePath(dir, given)
  const isDirectory = given.endsWith('/') || (existsSync(file) && statSync(file).isDirectory())
  return isDirectory ? join(file, DIRECTORY_LOG_NAME) : file
}

export interface OpenAuditLogOptions extends Omit<AuditLogOptions, 'path' | 'key' | 'keyFile'> {
  /** resolves `_config.audit.key` (a secret:// reference) to its value */
  resolveKey?: (reference: string) => Promise<string>
}

function keyFileOf(settings: AuditSettings, dir: string): string | undefined {
  return settings.keyFile === undefined ? undefined : resolvePath(dir, settings.keyFile)
}

/**
 * The manifest's audit log, keyed by `_config.audit.key` (resolved through `resolveKey`),
 * `_config.audit.key_file`, or the default `<log>.key`; undefined when auditing is off.
 */
export async function openAuditLog(
  config: Pick<SecretsConfig, 'audit'>,
  dir: string,
  options: OpenAuditLogOptions = {},
): Promise<AuditLog | undefined> {
  const settings = config.audit
  const path = auditLogFile(settings, dir)
  if (!settings || !path) return undefined
  let key: AuditKey | undefined
  if (settings.key !== undefined) {
    if (!options.resolveKey) throw keyNeedsResolver(settings.key)
    key = auditKeyFromValue(await options.resolveKey(settings.key), settings.key)
  }
  const { resolveKey: _unused, ...rest } = options
  return createAuditLog({ ...rest, path, key, keyFile: keyFileOf(settings, dir) })
}

/** The same, for callers that cannot wait: a `key:` reference needs openAuditLog. */
export function openAuditLogSync(
  config: Pick<SecretsConfig, 'audit'>,
  dir: string,
  options: Omit<OpenAuditLogOptions, 'resolveKey'> = {},
): AuditLog | undefined {
  const settings = config.audit
  const path = auditLogFile(settings, dir)
  if (!settings || !path) return undefined
  if (settings.key !== undefined) throw keyNeedsResolver(settings.key)
  return createAuditLog({ ...options, path, keyFile: keyFileOf(settings, dir) })
}

function keyNeedsResolver(reference: string): UsageError {
  return new UsageError(
    `secrets._config.audit.key is a secret reference (${reference}) and nothing here resolves it`,
    {
      hint: 'open the log with `await openAuditLog(manifest.config, manifest.dir, { resolveKey })` and pass it as createResolver({ audit })',
    },
  )
}
