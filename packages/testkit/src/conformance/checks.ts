import {
  batchSizeOf,
  capabilitiesOf,
  FloeError,
  SecretValue,
  type FetchedSecret,
  type FetchOutcome,
  type FetchRequest,
} from '@floe/core'
import { ensure, fail, Probe, uniqueName } from './probe.js'
import type { CheckOptions, ConformanceCheck, ConformanceHarness } from './types.js'
import { removeSecret } from './remove-check.js'

/**
 * The provider contract (packages/core/src/types.ts, `SecretProvider`) as plain async
 * functions. Each takes a harness, arranges state through the backend's back door, drives the
 * provider, and throws a ConformanceError naming the broken rule. They import nothing from a
 * test runner, so a test can call one directly to prove the suite catches a broken provider.
 */

const DECLARED = new Set(['versions', 'dynamic'])

/**
 * The contract's shape: a name and `fetchOne`; `fetchMany` / `maxBatchSize` only together;
 * only `versions` and `dynamic` declared (core derives the rest from the methods with
 * `capabilitiesOf`); a dynamic provider can renew and revoke.
 */
export async function capabilitiesMatchMethods(harness: ConformanceHarness): Promise<void> {
  const { provider } = harness
  ensure(
    typeof provider.name === 'string' && provider.name.length > 0,
    'provider.name must be a non-empty string',
  )
  ensure(typeof provider.fetchOne === 'function', 'provider.fetchOne must be a function')
  ensure(
    provider.fetchMany === undefined || typeof provider.fetchMany === 'function',
    'provider.fetchMany must be a function when present',
  )
  if (provider.maxBatchSize !== undefined) {
    ensure(
      Number.isInteger(provider.maxBatchSize) && provider.maxBatchSize > 0,
      'provider.maxBatchSize must be a positive integer',
    )
    ensure(
      typeof provider.fetchMany === 'function',
      'provider.maxBatchSize is set but provider.fetchMany is missing',
    )
  }
  for (const [flag, value] of Object.entries(provider.capabilities ?? {})) {
    ensure(
      DECLARED.has(flag),
      `capabilities.${flag} is derived from the provider's methods; declare only versions and dynamic`,
    )
    ensure(
      value === undefined || typeof value === 'boolean',
      `capabilities.${flag} must be a boolean`,
    )
  }
  if (capabilitiesOf(provider).dynamic) {
    ensure(
      typeof provider.renew === 'function',
      'capabilities.dynamic is true but provider.renew is missing',
    )
    ensure(
      typeof provider.revoke === 'function',
      'capabilities.dynamic is true but provider.revoke is missing',
    )
  }
}

export function request(
  secret: string,
  config: Record<string, unknown>,
  version?: string,
): FetchRequest {
  return { secret, config, ...(version === undefined ? {} : { version }) }
}

/** `fetchOne` as an outcome; what it throws must be a FloeError that leaks nothing. */
export async function callFetchOne(
  probe: Probe,
  req: FetchRequest,
  what: string,
): Promise<FetchOutcome> {
  try {
    return { ok: true, secret: await probe.provider.fetchOne(req, probe.ctx) }
  } catch (error) {
    probe.assertNoLeak(error, `the error thrown by ${what}`)
    ensure(
      error instanceof FloeError,
      `${what}: fetchOne must throw a FloeError, got ${error instanceof Error ? error.name : typeof error}`,
    )
    return { ok: false, error }
  }
}

async function callFetchMany(
  probe: Probe,
  requests: FetchRequest[],
  what: string,
): Promise<FetchOutcome[]> {
  let outcomes: FetchOutcome[]
  try {
    outcomes = await probe.provider.fetchMany!(requests, probe.ctx)
  } catch (error) {
    probe.assertNoLeak(error, `the error thrown by ${what}`)
    throw error
  }
  ensure(Array.isArray(outcomes), `${what}: fetchMany must resolve to an array of outcomes`)
  ensure(
    outcomes.length === requests.length,
    `${what}: fetchMany returned ${outcomes.length} outcomes for ${requests.length} requests (one per request, in order)`,
  )
  return outcomes
}

/** Like core's `fetchAll`: `fetchMany` in chunks of `maxBatchSize`, else `fetchOne` each. */
async function fetchAll(
  probe: Probe,
  requests: FetchRequest[],
  what: string,
): Promise<FetchOutcome[]> {
  const size = batchSizeOf(probe.provider)
  const outcomes: FetchOutcome[] = []
  for (let i = 0; i < requests.length; i += size) {
    const chunk = requests.slice(i, i + size)
    outcomes.push(
      ...(probe.provider.fetchMany
        ? await callFetchMany(probe, chunk, what)
        : await Promise.all(chunk.map((r) => callFetchOne(probe, r, what)))),
    )
  }
  probe.assertNoLeak(outcomes, `the outcomes of ${what}`)
  for (const outcome of outcomes) {
    if (!outcome.ok) {
      ensure(outcome.error instanceof FloeError, `${what}: a failed outcome must carry a FloeError`)
    }
  }
  return outcomes
}

export async function fetchOne(
  probe: Probe,
  req: FetchRequest,
  what: string,
): Promise<FetchedSecret> {
  const outcome = await callFetchOne(probe, req, what)
  probe.assertNoLeak(outcome, `the outcome of ${what}`)
  if (!outcome.ok) {
    fail(`${what}: expected the secret, got ${outcome.error.code}: ${outcome.error.message}`)
  }
  return outcome.secret
}

export function assertValue(fetched: FetchedSecret, expected: string, what: string): void {
  ensure(fetched.value instanceof SecretValue, `${what}: value must be a SecretValue`)
  ensure(
    fetched.value.reveal() === expected,
    `${what}: the value read back differs from the value stored`,
  )
}

export function assertOutcomeCode(
  outcome: FetchOutcome | undefined,
  code: string,
  what: string,
): FloeError {
  ensure(outcome !== undefined, `${what}: no outcome`)
  if (outcome.ok) fail(`${what}: expected ${code}, but the provider returned a value`)
  ensure(
    outcome.error.code === code,
    `${what}: expected ${code}, got ${outcome.error.code} (${outcome.error.message})`,
  )
  return outcome.error
}

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

/** When the provider keeps versions: an old version stays readable after a new one is written. */
export async function versions(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  const name = uniqueName('versions')
  const first = probe.canary()
  const config = await harness.seed(name, first)
  const v1 = await fetchOne(probe, request(name, config), 'fetch of a versioned secret')
  if (!capabilitiesOf(provider).versions) {
    // without version support a version request must not silently return something else
    assertValue(v1, first, 'fetch without versions')
    return
  }
  ensure(v1.version !== undefined, 'a provider with versions must report the version it returned')
  const again = await fetchOne(probe, request(name, config, v1.version), 'fetch by version')
  assertValue(again, first, `fetch of version ${v1.version}`)

  if (provider.put) {
    const second = probe.canary()
    const put = await provider.put(
      { secret: name, config, data: new SecretValue(second, name), expectedVersion: v1.version },
      probe.ctx,
    )
    ensure(put.version !== undefined, 'put must return the new version')
    ensure(put.version !== v1.version, 'put must produce a new version')
    const latest = await fetchOne(probe, request(name, config), 'fetch of the latest version')
    assertValue(latest, second, 'fetch of the latest version')
    const old = await fetchOne(
      probe,
      request(name, config, v1.version),
      'fetch of the previous version',
    )
    assertValue(old, first, `fetch of previous version ${v1.version}`)
    const byNew = await fetchOne(
      probe,
      request(name, config, put.version),
      'fetch of the new version',
    )
    assertValue(byNew, second, `fetch of version ${put.version}`)
  }
  const nonexistent = await fetchAll(
    probe,
    [request(name, config, versionThatDoesNotExist(v1.version))],
    'fetch of a version that does not exist',
  )
  const outcome = nonexistent[0]!
  if (outcome.ok) fail('fetching a version that does not exist must fail, not return a value')
  ensure(
    outcome.error.code === 'NOT_FOUND' || outcome.error.code === 'INVALID',
    `a nonexistent version must be NOT_FOUND (or INVALID for a malformed id), got ${outcome.error.code}`,
  )
  probe.assertLogsClean()
}

function versionThatDoesNotExist(seen: string): string {
  // keep the shape of the provider's own ids: numbers stay numeric, ids stay id-like
  if (/^\d+$/.test(seen)) return String(Number(seen) + 9000)
  if (/^[0-9a-f-]{36}$/i.test(seen)) return '00000000-0000-4000-8000-000000000000'
  return `${seen.replace(/./g, 'f').slice(0, Math.max(seen.length, 1))}`
}

/** describe: keys and version, never the value; NOT_FOUND for a missing secret. */
export async function describeMetadata(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  if (!provider.describe) return
  const name = uniqueName('describe')
  const data = { alpha: probe.canary(), beta: probe.canary() }
  const config = await harness.seed(name, data)
  const readsBefore = harness.valueReads?.()
  const metadata = await provider.describe(request(name, config), probe.ctx)
  if (readsBefore !== undefined) {
    ensure(
      harness.valueReads!() === readsBefore,
      'describe() read the secret value from the backend',
    )
  }
  probe.assertNoLeak(metadata, 'the metadata returned by describe()')
  ensure(metadata.exists === true, 'describe() of an existing secret must say exists: true')
  for (const field of Object.values(metadata)) {
    ensure(!(field instanceof SecretValue), 'describe() must not return SecretValues')
  }
  if (metadata.keys !== undefined) {
    ensure(Array.isArray(metadata.keys), 'describe().keys must be an array of key names')
    ensure(
      [...metadata.keys].sort().join(',') === Object.keys(data).sort().join(','),
      `describe().keys must list the key names (expected alpha,beta, got ${metadata.keys.join(',')})`,
    )
  }
  if (metadata.version !== undefined)
    ensure(typeof metadata.version === 'string', 'describe().version must be a string')

  const missingName = uniqueName('describe-missing')
  await probe.expectError(
    () => provider.describe!(request(missingName, harness.missing(missingName)), probe.ctx),
    'NOT_FOUND',
    'describe() of a missing secret',
  )
  probe.assertLogsClean()
}

const listingFields = new Set(['name', 'type', 'keys', 'createdAt', 'updatedAt'])

/** list: names only, and the seeded names are among them. */
export async function listNames(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  if (!provider.list) return
  const names = [uniqueName('list'), uniqueName('list')]
  await harness.seed(names[0]!, probe.canary())
  await harness.seed(names[1]!, { k: probe.canary() })
  const listed: string[] = []
  for await (const listing of provider.list(harness.listOptions ?? {}, probe.ctx)) {
    probe.assertNoLeak(listing, 'a listing returned by list()')
    for (const [field, value] of Object.entries(listing)) {
      ensure(
        listingFields.has(field),
        `list() returned a field "${field}"; listings carry names only`,
      )
      ensure(!(value instanceof SecretValue), `list() returned a SecretValue in "${field}"`)
    }
    ensure(typeof listing.name === 'string', 'every listing must have a string name')
    if (listing.keys !== undefined)
      ensure(typeof listing.keys === 'number', 'listing.keys is a count')
    listed.push(listing.name)
  }
  for (const name of names) {
    ensure(
      listed.some((l) => l.includes(name)),
      `list() did not include the seeded secret "${name}"`,
    )
  }
  probe.assertLogsClean()
}

/** put: create-only, compare-and-set and the version it returns. */
export async function putCompareAndSet(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  if (!provider.put) return
  const name = uniqueName('put')
  const config = harness.missing(name)
  const first = probe.canary()
  const created = await provider.put(
    { secret: name, config, data: new SecretValue(first, name), createOnly: true },
    probe.ctx,
  )
  probe.assertNoLeak(created, 'the result of put()')
  ensure(created.created === true, 'put() of a new secret must report created: true')
  ensure(
    typeof created.version === 'string' && created.version.length > 0,
    'put() must return the new version',
  )
  const read = await fetchOne(probe, request(name, config), 'fetch after put()')
  assertValue(read, first, 'fetch after put()')
  if (read.version !== undefined) {
    ensure(
      read.version === created.version,
      'the version fetched must be the version put() returned',
    )
  }
  if (provider.describe) {
    const meta = await provider.describe(request(name, config), probe.ctx)
    if (meta.version !== undefined) {
      ensure(
        meta.version === created.version,
        'describe().version must be the version put() returned',
      )
    }
  }

  await probe.expectError(
    () =>
      provider.put!(
        { secret: name, config, data: new SecretValue(probe.canary(), name), createOnly: true },
        probe.ctx,
      ),
    'CONFLICT',
    'put(createOnly) of an existing secret',
  )

  const second = probe.canary()
  const updated = await provider.put(
    { secret: name, config, data: new SecretValue(second, name), expectedVersion: created.version },
    probe.ctx,
  )
  ensure(updated.created === false, 'put() over an existing secret must report created: false')
  ensure(
    typeof updated.version === 'string' && updated.version !== created.version,
    'put() must return a new version',
  )

  await probe.expectError(
    () =>
      provider.put!(
        {
          secret: name,
          config,
          data: new SecretValue(probe.canary(), name),
          expectedVersion: created.version,
        },
        probe.ctx,
      ),
    'CONFLICT',
    'put() with a stale expectedVersion',
  )
  const after = await fetchOne(probe, request(name, config), 'fetch after a lost compare-and-set')
  assertValue(after, second, 'a put() that lost compare-and-set must not change the value; fetch')

  const kvName = uniqueName('put-kv')
  const kvConfig = harness.missing(kvName)
  const kv = { user: probe.canary(), pass: probe.canary() }
  await provider.put(
    {
      secret: kvName,
      config: kvConfig,
      data: Object.fromEntries(
        Object.entries(kv).map(([k, v]) => [k, new SecretValue(v, `${kvName}/${k}`)]),
      ),
    },
    probe.ctx,
  )
  const kvRead = await fetchOne(
    probe,
    request(kvName, kvConfig),
    'fetch of a key/value secret written by put()',
  )
  ensure(kvRead.keys !== undefined, 'a key/value secret written by put() must read back with keys')
  for (const [k, v] of Object.entries(kv)) {
    ensure(kvRead.keys[k]?.reveal() === v, `key "${k}" written by put() reads back differently`)
  }
  probe.assertLogsClean()
}

/** rotate: returns steps, and the secret stays readable afterwards. */
export async function rotation(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  if (!provider.rotate) return
  const name = uniqueName('rotate')
  const config = await harness.seed(name, probe.canary())
  const result = await provider.rotate(request(name, config), probe.ctx)
  probe.assertNoLeak(result, 'the result of rotate()')
  ensure(
    Array.isArray(result.steps) && result.steps.length > 0,
    'rotate() must report the steps it took',
  )
  if (result.version !== undefined && result.previousVersion !== undefined) {
    ensure(result.version !== result.previousVersion, 'rotate() must produce a new version')
  }
  await fetchOne(probe, request(name, config), 'fetch after rotate()')
  const missingName = uniqueName('rotate-missing')
  await probe.expectError(
    () => provider.rotate!(request(missingName, harness.missing(missingName)), probe.ctx),
    'NOT_FOUND',
    'rotate() of a missing secret',
  )
  probe.assertLogsClean()
}

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
