import type { AuditEntry, AuditLog } from '../audit/audit-log.js'
import { openAuditLogSync } from '../audit/audit-settings.js'
import type { Logger, SecretsConfig } from '../types.js'

export type AuditRecorder = (entry: AuditEntry) => void

/**
 * Where the resolver's audit records go: the given log, else `_config.audit.path` (or `log_destination`) when auditing
 * is enabled. Successful reads are skipped when `log_access` is off; a failed write is a warning,
 * never a failed resolve.
 */
export function createAuditRecorder(options: {
  config: Pick<SecretsConfig, 'audit'>
  audit?: AuditLog
  dir: string
  env: NodeJS.ProcessEnv
  logger: Logger
}): AuditRecorder {
  const settings = options.config.audit
  const audit = settings?.enabled
    ? (options.audit ??
      openAuditLogSync(options.config, options.dir, {
        env: options.env,
        warn: (message) => options.logger.warn(message),
      }))
    : undefined
  const logAccess = settings?.logAccess ?? true
  return (entry) => {
    if (!audit) return
    if ((entry.outcome === 'ok' || entry.outcome === 'cached') && !logAccess) return
    try {
      audit.append(entry)
    } catch (error) {
      options.logger.warn('audit log write failed', { error: (error as Error).message })
    }
  }
}
