/**
 * The human report of `floe secrets audit verify`: a headline per status, the first problem
 * found, then what was proven and what could not be.
 */
import type { AuditVerification, AuditVerificationStatus } from '@floe/core'
import type { Painter } from './output.js'

const HEADLINES: Record<AuditVerificationStatus, string> = {
  authenticated: 'chain and checkpoint authenticated with the key',
  unauthenticated: 'chain consistent, NOT authenticated (key unavailable)',
  unkeyed: 'unkeyed log: chain consistent, tampering cannot be ruled out',
  broken: 'tampering or damage found',
}

export function auditVerifyText(paint: Painter, file: string, report: AuditVerification): string {
  const mark =
    report.status === 'authenticated' ? paint.ok('✓') : report.ok ? paint.warn('!') : paint.bad('✗')
  return [
    `${mark} ${file}: ${report.records.length} records — ${HEADLINES[report.status]}`,
    ...(report.firstBroken
      ? [`  first problem at line ${report.firstBroken.line}: ${report.firstBroken.reason}`]
      : []),
    'Proven:',
    ...report.proven.map((line) => `  ✓ ${line}`),
    'Not proven:',
    ...report.unproven.map((line) => `  ? ${line}`),
  ].join('\n')
}
