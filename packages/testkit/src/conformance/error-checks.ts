/** Checks of error classification (FORBIDDEN, transient failures) and that no value leaks into errors or logs. */
import { FloeError, SecretValue } from '@floe/core'
import { ensure, fail, Probe, uniqueName } from './probe.js'
import type { ConformanceHarness } from './types.js'

import { request, fetchOne, assertValue, assertOutcomeCode, fetchAll } from './helpers.js'

/** A secret the caller may not read is FORBIDDEN — never NOT_FOUND (defaults must not apply). */
export async function forbidden(harness: ConformanceHarness): Promise<void> {
  if (!harness.forbidden) fail('the harness cannot express a forbidden secret (no forbidden())')
  const probe = new Probe(harness)
  const name = uniqueName('forbidden')
  const config = await harness.forbidden(name)
  const [outcome] = await fetchAll(probe, [request(name, config)], 'fetch of a forbidden secret')
  const error = assertOutcomeCode(outcome, 'FORBIDDEN', 'fetch of a forbidden secret')
  ensure(!error.transient, 'FORBIDDEN must not be transient')
  if (harness.provider.describe) {
    await probe.expectError(
      () => harness.provider.describe!(request(name, config), probe.ctx),
      'FORBIDDEN',
      'describe() of a forbidden secret',
    )
  }
  probe.assertLogsClean()
}

/** A transient backend failure is UNAVAILABLE (transient) and the next call succeeds. */
export async function transientFailure(harness: ConformanceHarness): Promise<void> {
  if (!harness.failNext) fail('the harness cannot inject failures (no failNext())')
  const probe = new Probe(harness)
  const name = uniqueName('transient')
  const value = probe.canary()
  const config = await harness.seed(name, value)
  // warm up auth/discovery so the injected failure hits the value read itself
  await fetchOne(probe, request(name, config), 'fetch before the injected failure')
  harness.failNext(1)
  let error: unknown
  try {
    const [outcome] = await fetchAll(
      probe,
      [request(name, config)],
      'fetch during a backend failure',
    )
    if (outcome!.ok) fail('fetch during an injected backend failure returned a value')
    error = outcome!.error
  } catch (thrown) {
    if (thrown instanceof Error && thrown.name === 'ConformanceError') throw thrown
    error = thrown
  }
  probe.assertNoLeak(error, 'the error for a transient failure')
  ensure(error instanceof FloeError, 'a transient failure must surface as a FloeError')
  ensure(
    error.code === 'UNAVAILABLE',
    `a transient failure must be UNAVAILABLE, got ${error.code} (${error.message})`,
  )
  ensure(error.transient === true, 'UNAVAILABLE errors must be transient')
  const recovered = await fetchOne(probe, request(name, config), 'fetch after the failure cleared')
  assertValue(recovered, value, 'fetch after the failure cleared')
  probe.assertLogsClean()
}

/** missing → NOT_FOUND everywhere; forbidden and transient when the harness can express them. */
export async function errorClassification(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const missingName = uniqueName('classify')
  const [outcome] = await fetchAll(
    probe,
    [request(missingName, harness.missing(missingName))],
    'fetch of a missing secret',
  )
  const error = assertOutcomeCode(outcome, 'NOT_FOUND', 'fetch of a missing secret')
  ensure(
    error.message.includes(missingName) || error.secret === missingName,
    'a NOT_FOUND error must name the secret',
  )
  if (harness.forbidden) await forbidden(harness)
  if (harness.failNext) await transientFailure(harness)
}

/**
 * Drives every error path with canary values in play and scans each error, result and log
 * line: values must never appear in messages, JSON or inspect() output.
 */
export async function noValueLeaks(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  const name = uniqueName('leak')
  const value = probe.canary()
  const config = await harness.seed(name, value)
  const kvName = uniqueName('leak-kv')
  const kvConfig = await harness.seed(kvName, { token: probe.canary() })
  const missingName = uniqueName('leak-missing')
  const outcomes = await fetchAll(
    probe,
    [
      request(name, config),
      request(kvName, kvConfig),
      request(missingName, harness.missing(missingName)),
    ],
    'fetch with canaries',
  )
  // the fetched secrets themselves must render redacted
  for (const outcome of outcomes) probe.assertNoLeak(outcome, 'a fetch outcome (JSON/inspect)')
  const found = outcomes[0]
  ensure(found?.ok, 'the canary secret must be found')
  ensure(String(found.secret.value) !== value, 'String(value) must be redacted')
  ensure([found.secret.value].join('') !== value, 'string joins must render the value redacted')

  // a version that does not exist, next to a real value
  const badVersion = await fetchAll(
    probe,
    [request(name, config, 'no-such-version-0')],
    'fetch of a bad version',
  )
  probe.assertNoLeak(badVersion, 'the outcome of fetching a bad version')

  if (provider.describe) {
    const meta = await provider.describe(request(name, config), probe.ctx)
    probe.assertNoLeak(meta, 'describe() output')
  }
  if (provider.put) {
    try {
      await provider.put(
        { secret: name, config, data: new SecretValue(probe.canary(), name), createOnly: true },
        probe.ctx,
      )
    } catch (error) {
      probe.assertNoLeak(error, 'the error of put(createOnly) on an existing secret')
    }
  }
  if (harness.forbidden) {
    const fName = uniqueName('leak-forbidden')
    const fConfig = await harness.forbidden(fName)
    const forbiddenOutcome = await fetchAll(
      probe,
      [request(fName, fConfig)],
      'fetch of a forbidden secret',
    )
    probe.assertNoLeak(forbiddenOutcome, 'the outcome of a forbidden fetch')
  }
  if (harness.failNext) {
    harness.failNext(1)
    try {
      const failed = await fetchAll(probe, [request(name, config)], 'a failed fetch')
      probe.assertNoLeak(failed, 'the outcome of a failed fetch')
    } catch (error) {
      if (error instanceof Error && error.name === 'ConformanceError') throw error
      probe.assertNoLeak(error, 'the error of a failed fetch')
    }
  }
  probe.assertLogsClean()
}
