/**
 * A SetSecret whose answer is lost: the emulator carries the call out (or not), then drops the
 * connection or holds the answer past the client's timeout. SetSecret has no idempotency
 * token, so the provider never resends it: it lists the versions back, finds the one that was
 * not there before holding the written value, and says exactly what happened.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SecretValue, type SecretProvider } from '@floe/core'
import { createAzureKeyVaultProvider } from '../src/index.js'
import { startAzureFixture, testContext, type AzureFixture } from './helpers.js'

let fx: AzureFixture
let azure: SecretProvider
let first: string
const put = (value: string) =>
  azure.put!(
    {
      secret: 'api',
      config: { vault_url: fx.emulator.url, secret_name: 'api' },
      data: new SecretValue(value, 'x'),
      expectedVersion: first,
    },
    testContext(),
  )

beforeAll(async () => {
  fx = await startAzureFixture()
  // a short request timeout, so that a held answer times out quickly
  azure = createAzureKeyVaultProvider({ client: fx.sdk, timeoutMs: 400 })
})
afterAll(async () => {
  await fx.close()
})
beforeEach(() => {
  fx.emulator.reset()
  fx.emulator.seed({ name: 'api', value: 'old' })
  first = fx.emulator.versions('api')[0]!
})

describe('azure_key_vault: a SetSecret whose answer is lost', () => {
  for (const kind of ['reset', 'timeout'] as const) {
    it(`${kind} after it landed: success as the version read back, not resent`, async () => {
      fx.emulator.faults.add({ operation: 'SetSecret', kind, afterApply: true, ms: 2000, times: 1 })
      const result = await put('new')
      const versions = fx.emulator.versions('api')
      expect(versions).toHaveLength(2)
      expect(result).toMatchObject({ version: versions[1], previousVersion: first, created: false })
      expect(result.warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^the answer to SetSecret was lost \\(.+\\); read back: it landed as version ${versions[1]}$`,
          ),
        ),
      ])
      // the timeout names itself, not the SDK's "The operation was aborted"
      expect(result.warnings?.[0]).toContain(
        kind === 'timeout' ? 'Key Vault did not answer within 400 ms' : 'ECONNRESET',
      )
      expect(fx.emulator.calls.count('SetSecret')).toBe(1)
    })
  }

  it('lost before it landed: UNAVAILABLE saying nothing changed, never resent', async () => {
    fx.emulator.faults.add({ operation: 'SetSecret', kind: 'reset', times: 1 })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        `read back: it did not land: secret "api" did not change (still version ${first})`,
      ),
      details: { writeState: 'not-landed', version: first },
    })
    expect(fx.emulator.calls.count('SetSecret')).toBe(1)
    expect(fx.emulator.versions('api')).toEqual([first])
  })

  it('the read-back fails too: the state is unknown, with how to check', async () => {
    fx.emulator.faults.add({ operation: 'SetSecret', kind: 'reset', afterApply: true, times: 1 })
    fx.emulator.faults.add({ operation: 'GetSecretVersions', kind: 'error', calls: [2] })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('whether secret "api" changed is unknown'),
      hint: `check with: floe secrets describe api (version ${first} was current before the write)`,
      details: { writeState: 'unknown', expectedVersion: first },
    })
  })
})
