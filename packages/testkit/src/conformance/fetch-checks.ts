/** Checks of reading: one secret, batches, NOT_FOUND against an empty value, key/value secrets. */
import { capabilitiesOf, SecretValue } from '@floe/core'
import { ensure, fail, Probe, uniqueName } from './probe.js'
import type { CheckOptions, ConformanceHarness } from './types.js'

import { request, fetchOne, assertValue, assertOutcomeCode, fetchAll } from './helpers.js'

export async function fetchSingle(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const name = uniqueName('single')
  const value = probe.canary()
  const config = await harness.seed(name, value)
  const fetched = await fetchOne(probe, request(name, config), 'fetch of a seeded secret')
  assertValue(fetched, value, 'fetch of a seeded secret')
  probe.assertLogsClean()
}

/** Order preserved, one outcome per request, found and missing mixed in one call. */
export async function fetchBatch(
  harness: ConformanceHarness,
  options: CheckOptions = {},
): Promise<void> {
  const probe = new Probe(harness)
  // never more per call than the provider accepts: the resolver chunks by that size
  const declared = harness.provider.maxBatchSize
  const perCall =
    options.batchSize ?? (typeof declared === 'number' && declared > 0 ? declared : undefined)
  const total = Math.min(Math.max(perCall ?? 5, 2), 25)
  const seeded: { name: string; value: string; config: Record<string, unknown> }[] = []
  for (let i = 0; i < total - 1; i++) {
    const name = uniqueName(`batch${i}`)
    const value = probe.canary()
    seeded.push({ name, value, config: await harness.seed(name, value) })
  }
  const missingName = uniqueName('batch-missing')
  const requests = seeded.map((s) => request(s.name, s.config))
  // a missing secret in the middle: outcomes must stay aligned around it
  const missingAt = Math.floor(requests.length / 2)
  requests.splice(missingAt, 0, request(missingName, harness.missing(missingName)))

  if (probe.provider.fetchMany) {
    const none = await probe.provider.fetchMany([], probe.ctx)
    ensure(Array.isArray(none) && none.length === 0, 'fetchMany([]) must resolve to []')
  }

  const outcomes = await fetchAll(probe, requests, `a batch of ${requests.length} requests`)
  assertOutcomeCode(outcomes[missingAt], 'NOT_FOUND', 'the missing secret inside a batch')
  outcomes.forEach((outcome, i) => {
    if (i === missingAt) return
    const expected = seeded[i < missingAt ? i : i - 1]!
    if (!outcome.ok)
      fail(`batch item ${i} (${expected.name}): expected the secret, got ${outcome.error.code}`)
    assertValue(outcome.secret, expected.value, `batch item ${i} (${expected.name})`)
  })

  if (harness.callCount) {
    // warm (auth, discovery) already happened above; now count a batch of found secrets only
    const found = seeded.map((s) => request(s.name, s.config))
    const before = harness.callCount()
    await fetchAll(probe, found, 'a batch of found secrets')
    const calls = harness.callCount() - before
    const { batch } = capabilitiesOf(harness.provider)
    const limit = batch && perCall ? Math.ceil(found.length / perCall) : found.length
    ensure(
      calls <= limit,
      `fetching ${found.length} secrets made ${calls} backend calls; the minimum is ${limit}` +
        (batch ? ` (batch size ${perCall ?? 'unknown'})` : ' (one per secret)'),
    )
  }
  probe.assertLogsClean()
}

/** An empty secret is found and empty; an absent one is NOT_FOUND — never confused. */
export async function notFoundVsEmpty(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const missingName = uniqueName('missing')
  const requests = [request(missingName, harness.missing(missingName))]
  const emptyName = uniqueName('empty')
  const withEmpty = harness.emptyValues !== false
  if (withEmpty) requests.push(request(emptyName, await harness.seed(emptyName, '')))

  const outcomes = await fetchAll(probe, requests, 'fetch of a missing and an empty secret')
  const error = assertOutcomeCode(outcomes[0], 'NOT_FOUND', 'fetch of a missing secret')
  ensure(!error.transient, 'a missing secret must not be reported as transient')
  if (withEmpty) {
    const outcome = outcomes[1]!
    if (!outcome.ok) {
      fail(
        `an empty secret must be found and empty, got ${outcome.error.code} (${outcome.error.message})`,
      )
    }
    ensure(
      outcome.secret.value instanceof SecretValue,
      'the empty secret: value must be a SecretValue',
    )
    ensure(
      outcome.secret.value.reveal() === '',
      'an empty secret must read back as the empty string',
    )
  }
  probe.assertLogsClean()
}

/** Key/value secrets expose their keys (including an empty one) as SecretValues. */
export async function keyValueSecrets(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const name = uniqueName('kv')
  const data: Record<string, string> = { username: probe.canary(), password: probe.canary() }
  if (harness.emptyValues !== false) data.note = ''
  const fetched = await fetchOne(
    probe,
    request(name, await harness.seed(name, data)),
    'fetch of a key/value secret',
  )
  ensure(fetched.keys !== undefined, 'a key/value secret must expose `keys`')
  for (const [key, expected] of Object.entries(data)) {
    const got = fetched.keys[key]
    ensure(got instanceof SecretValue, `key "${key}" is missing from the fetched key/value secret`)
    ensure(got.reveal() === expected, `key "${key}" reads back a different value than stored`)
  }
  probe.assertLogsClean()
}
