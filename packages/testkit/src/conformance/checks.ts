/**
 * The provider contract (packages/core/src/types/provider.ts, `SecretProvider`) as plain async
 * functions. Each takes a harness, arranges state through the backend's back door, drives the
 * provider, and throws a ConformanceError naming the broken rule. They import nothing from a
 * test runner, so a test can call one directly to prove the suite catches a broken provider.
 */
import type { ConformanceCheck } from './types.js'
import { capabilitiesMatchMethods } from './helpers.js'
import { fetchBatch, fetchSingle, keyValueSecrets, notFoundVsEmpty } from './fetch-checks.js'
import { describeMetadata, versions } from './version-checks.js'
import { listNames, putCompareAndSet, rotation } from './write-checks.js'
import { errorClassification, forbidden, noValueLeaks, transientFailure } from './error-checks.js'
import { removeSecret } from './remove-check.js'

/** Every check, in the order the suite runs them. */
export const checks = {
  capabilitiesMatchMethods,
  fetchSingle,
  fetchBatch,
  notFoundVsEmpty,
  keyValueSecrets,
  versions,
  describeMetadata,
  listNames,
  putCompareAndSet,
  removeSecret,
  rotation,
  errorClassification,
  forbidden,
  transientFailure,
  noValueLeaks,
} satisfies Record<string, ConformanceCheck>

export type CheckName = keyof typeof checks
