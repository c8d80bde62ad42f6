import { capabilitiesOf } from '@floe/core'
import { callFetchOne, fetchOne, assertValue, assertOutcomeCode, request } from './helpers.js'
import { ensure, Probe, uniqueName } from './probe.js'
import type { ConformanceHarness } from './types.js'

/**
 * remove (capability `delete`), for every provider that has it: a stale `expectedVersion`
 * deletes nothing (when the provider reports versions), a delete leaves NOT_FOUND behind, a
 * second delete is `{deleted: false}` rather than an error, and nothing it returns or throws
 * carries the value.
 */
export async function removeSecret(harness: ConformanceHarness): Promise<void> {
  const probe = new Probe(harness)
  const { provider } = harness
  if (!provider.remove) return
  ensure(
    capabilitiesOf(provider).delete,
    'provider.remove exists, so capabilities.delete must be true',
  )
  const name = uniqueName('remove')
  const value = probe.canary()
  const config = await harness.seed(name, value)
  const before = await fetchOne(probe, request(name, config), 'fetch before remove()')
  assertValue(before, value, 'fetch before remove()')

  if (before.version !== undefined) {
    await probe.expectError(
      () =>
        provider.remove!(
          { secret: name, config, expectedVersion: `${before.version}-stale` },
          probe.ctx,
        ),
      'CONFLICT',
      'remove() with a stale expectedVersion',
    )
    const kept = await fetchOne(probe, request(name, config), 'fetch after a lost remove()')
    assertValue(kept, value, 'a remove() that lost compare-and-set must delete nothing; fetch')
  }

  const removed = await provider.remove(
    {
      secret: name,
      config,
      ...(before.version !== undefined ? { expectedVersion: before.version } : {}),
    },
    probe.ctx,
  )
  probe.assertNoLeak(removed, 'the result of remove()')
  ensure(removed.deleted === true, 'remove() of an existing secret must report deleted: true')
  if (removed.version !== undefined && before.version !== undefined) {
    ensure(
      removed.version === before.version,
      'remove().version must be the version that was current',
    )
  }
  assertOutcomeCode(
    await callFetchOne(probe, request(name, config), 'fetch after remove()'),
    'NOT_FOUND',
    'fetch after remove()',
  )
  const again = await provider.remove({ secret: name, config }, probe.ctx)
  ensure(again.deleted === false, 'remove() of an absent secret must report deleted: false')
  probe.assertLogsClean()
}
