/** Checks of list(), put() with compare-and-set, and rotate(). */
import { SecretValue } from '@floe/core'
import { ensure, Probe, uniqueName } from './probe.js'
import type { ConformanceHarness } from './types.js'

import { request, fetchOne, assertValue } from './helpers.js'

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
