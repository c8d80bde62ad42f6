/** Checks of versions (`?version=`) and of describe() metadata. */
import { capabilitiesOf, SecretValue } from '@floe/core'
import { ensure, fail, Probe, uniqueName } from './probe.js'
import type { ConformanceHarness } from './types.js'

import { request, fetchOne, assertValue, fetchAll } from './helpers.js'

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
