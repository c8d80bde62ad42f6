import { afterAll, beforeAll, describe, it } from 'vitest'
import { checks, type CheckName } from './checks.js'
import type { ConformanceHarness, ConformanceOptions } from './types.js'

const titles: Record<CheckName, string> = {
  capabilitiesMatchMethods:
    'has fetchOne and declares only versions/dynamic (the rest follows from its methods)',
  fetchSingle: 'fetches a single secret',
  fetchBatch: 'fetches a batch in order, one outcome per request, found and missing mixed',
  notFoundVsEmpty: 'tells an empty secret from a missing one',
  keyValueSecrets: 'exposes the keys of key/value secrets',
  versions: 'reads old versions after a new one is written (when versioned)',
  describeMetadata: 'describes keys and version without reading the value (or has no describe)',
  listNames: 'lists names only, including seeded secrets (or has no list)',
  putCompareAndSet: 'writes with create-only and compare-and-set (or has no put)',
  removeSecret: 'deletes with compare-and-set, leaving NOT_FOUND (or has no remove)',
  rotation: 'rotates and stays readable (or has no rotate)',
  errorClassification: 'classifies missing, forbidden and transient failures',
  forbidden: 'reports a forbidden secret as FORBIDDEN',
  transientFailure: 'reports a transient failure as UNAVAILABLE and recovers',
  noValueLeaks: 'never puts a value in an error, log line, JSON or inspect output',
}

// errorClassification already runs forbidden and transientFailure when the harness supports them
const suite: CheckName[] = [
  'capabilitiesMatchMethods',
  'fetchSingle',
  'fetchBatch',
  'notFoundVsEmpty',
  'keyValueSecrets',
  'versions',
  'describeMetadata',
  'listNames',
  'putCompareAndSet',
  'removeSecret',
  'rotation',
  'errorClassification',
  'noValueLeaks',
]

/**
 * Registers the provider conformance suite with vitest: one `describe` block named after the
 * provider, one `it` per contract rule. Call it at the top level of a test file.
 */
export function runProviderConformance(options: ConformanceOptions): void {
  describe(`provider conformance: ${options.name}`, () => {
    let harness: ConformanceHarness | undefined
    beforeAll(async () => {
      harness = await options.setup()
    })
    afterAll(async () => {
      await harness?.close()
    })
    for (const name of suite) {
      const bug = options.knownBackendBugs?.[name]
      const register = bug ? it.fails : it
      register(bug ? `${titles[name]} [expected to fail: ${bug}]` : titles[name], async () => {
        if (!harness) throw new Error(`conformance harness for ${options.name} was not set up`)
        await checks[name](harness, { batchSize: options.batchSize })
      })
    }
  })
}
