import type { SecretValue } from '../secret-value.js'
import type { ResolveFailure, ResolveReport } from '../types.js'
import { refId, type SecretRef } from '../uri.js'

export function createReport(): ResolveReport {
  const values = new Map<string, SecretValue>()
  const failures: ResolveFailure[] = []
  const warnings: string[] = []
  return {
    values,
    failures,
    warnings,
    valueOf: (ref: SecretRef) => values.get(refId(ref)),
  }
}
