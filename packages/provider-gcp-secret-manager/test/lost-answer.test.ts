/**
 * An AddSecretVersion whose answer is lost: the emulator carries the call out (or not), then
 * drops the stream or holds the answer past the client's deadline. AddSecretVersion has no
 * idempotency token, so the provider never resends it: it reads the added versions back and
 * compares their payload checksum, and says exactly what happened.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SecretValue, type SecretProvider } from '@floe/core'
import { createGcpSecretManagerProvider } from '../src/index.js'
import { BEARER, PROJECT, startGcpFixture, testContext, type GcpFixture } from './helpers.js'

let fx: GcpFixture
let gcp: SecretProvider
const NAME = `projects/${PROJECT}/secrets/db`
const config = { project: PROJECT, secret: 'db', disable_previous: true }
const put = (value: string) =>
  gcp.put!(
    { secret: 'db', config, data: new SecretValue(value, 'x'), expectedVersion: '1' },
    testContext(),
  )
const versionCount = async () =>
  (await fx.sdk.listSecretVersions({ parent: NAME }, { otherArgs: { headers: BEARER } }))[0].length

beforeAll(async () => {
  fx = await startGcpFixture()
  // a short deadline, so that a held answer times out quickly
  gcp = createGcpSecretManagerProvider({ client: fx.sdk, headers: BEARER, timeoutMs: 400 })
})
afterAll(async () => {
  await gcp.dispose?.()
  await fx.close()
})
beforeEach(() => {
  fx.emulator.reset()
  fx.emulator.seed({ project: PROJECT, secret: 'db', versions: ['old'] })
})

describe('gcp_secret_manager: an AddSecretVersion whose answer is lost', () => {
  for (const kind of ['reset', 'timeout'] as const) {
    it(`${kind} after it landed: success as the version read back, not resent`, async () => {
      fx.emulator.faults.add({
        operation: 'AddSecretVersion',
        kind,
        afterApply: true,
        ms: 2000,
        times: 1,
      })
      const result = await put('new')
      expect(result).toMatchObject({ version: '2', previousVersion: '1', created: false })
      expect(result.warnings).toEqual([
        expect.stringMatching(
          /^the answer to AddSecretVersion was lost \(.+\); read back: it landed as version 2$/,
        ),
      ])
      expect(fx.emulator.calls.count('AddSecretVersion')).toBe(1)
      expect(await versionCount()).toBe(2)
      // the rest of the write went on: the previous version was disabled
      expect(fx.emulator.versionState(NAME, 1)).toBe('DISABLED')
    })
  }

  it('lost before it landed: UNAVAILABLE saying nothing changed, never resent', async () => {
    fx.emulator.faults.add({ operation: 'AddSecretVersion', kind: 'reset', times: 1 })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        'read back: it did not land: secret "db" did not change (still version 1)',
      ),
      details: { writeState: 'not-landed', version: '1' },
    })
    expect(fx.emulator.calls.count('AddSecretVersion')).toBe(1)
    expect(await versionCount()).toBe(1)
    expect(fx.emulator.versionState(NAME, 1)).toBe('ENABLED')
  })

  it("another writer's version only: not landed, named", async () => {
    fx.emulator.faults.add({ operation: 'AddSecretVersion', kind: 'reset', times: 1 })
    // another writer adds a version just before the read-back
    const original = fx.emulator.faults.match.bind(fx.emulator.faults)
    let injected = false
    fx.emulator.faults.match = (operation, n) => {
      if (operation === 'ListSecretVersions' && n === 2 && !injected) {
        injected = true
        fx.emulator.seed({ project: PROJECT, secret: 'db', versions: ['theirs'] })
      }
      return original(operation, n)
    }
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        "version 2 holds another writer's value (its checksum differs), so this write did not land",
      ),
      details: { writeState: 'not-landed', version: '2' },
    })
    fx.emulator.faults.match = original
  })

  it('the read-back fails too: the state is unknown, with how to check', async () => {
    fx.emulator.faults.add({
      operation: 'AddSecretVersion',
      kind: 'reset',
      afterApply: true,
      times: 1,
    })
    fx.emulator.faults.add({ operation: 'ListSecretVersions', kind: 'error', calls: [2] })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('whether secret "db" changed is unknown'),
      hint: 'check with: floe secrets describe db (version 1 was current before the write)',
      details: { writeState: 'unknown', expectedVersion: '1' },
    })
  })
})
