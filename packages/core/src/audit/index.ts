export * from './audit-log.js'
export * from './audit-verify.js'
export {
  auditKeyFromValue,
  auditKeyId,
  defaultAuditKeyFile,
  readAuditKeyFile,
  type AuditKey,
} from './audit-key.js'
export { defaultCheckpointFile, type AuditCheckpoint } from './audit-checkpoint.js'
export * from './audit-settings.js'
