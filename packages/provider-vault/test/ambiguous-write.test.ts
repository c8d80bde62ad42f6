/**
 * A KV v2 write whose answer is lost (the emulator applies it, then drops the connection or
 * holds the answer past the client's timeout): the provider reads back and reports what
 * happened, and retries with the same check-and-set when the write had not landed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SecretValue } from '@floe/core'
import { createNodeVaultClient } from '../src/client.js'
import { provider, type VaultProvider } from '../src/index.js'
import { context, startFixture, type Fixture } from './helpers.js'

let fixture: Fixture
let vault: VaultProvider
const config = { path: 'secret/data/production/kafka', key: 'password' }
const put = (value: string) =>
  vault.put(
    { secret: 'kafka_password', config, data: new SecretValue(value, 'x'), expectedVersion: '1' },
    context(),
  )

beforeEach(async () => {
  fixture = await startFixture()
  fixture.vault.writeKv('secret/production/kafka', { username: 'u', password: 'old' })
  // a short client timeout, so that a held answer times out quickly
  const client = await createNodeVaultClient({ address: fixture.vault.url, timeoutMs: 400 })
  vault = provider.create({ client, token: fixture.vault.rootToken }) as VaultProvider
})

afterEach(async () => {
  await vault.dispose()
  await fixture.close()
})

describe('a write whose answer is lost', () => {
  for (const kind of ['reset', 'timeout'] as const) {
    it(`${kind} after the write landed: success, with the version it landed as`, async () => {
      fixture.vault.faults.add({
        operation: 'kv.write',
        kind,
        afterApply: true,
        ms: 3000,
        times: 1,
      })
      const result = await put('new')
      expect(result).toMatchObject({ version: '2', previousVersion: '1', created: false })
      expect(result.warnings).toEqual([
        expect.stringMatching(/answer to the write was lost .*read back: it landed as version 2$/),
      ])
      expect(fixture.vault.calls.count('kv.write')).toBe(1) // settled by reading, not rewriting
      expect(fixture.vault.readKv('secret/production/kafka')).toEqual({
        username: 'u',
        password: 'new',
      })
    })
  }

  it('lost before it landed: retried with the same check-and-set, written once', async () => {
    fixture.vault.faults.add({ operation: 'kv.write', kind: 'reset', times: 1 })
    const result = await put('new')
    expect(result.version).toBe('2')
    expect(result.warnings).toEqual([
      expect.stringMatching(/had not landed, and the retry .* wrote version 2$/),
    ])
    expect(fixture.vault.calls.count('kv.write')).toBe(2)
    expect(fixture.vault.readKv('secret/production/kafka').password).toBe('new')
  })

  it('lost twice: UNAVAILABLE saying nothing changed', async () => {
    fixture.vault.faults.add({ operation: 'kv.write', kind: 'reset', times: 2 })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('did not change (still version 1)'),
      details: { writeState: 'not-landed', version: '1' },
    })
    expect(fixture.vault.readKv('secret/production/kafka').password).toBe('old')
  })

  it('another writer landed first: UNAVAILABLE saying this write did not land', async () => {
    fixture.vault.faults.add({ operation: 'kv.write', kind: 'reset', times: 1 })
    // another writer lands just before the read-back: version 2 holds someone else's value
    const original = fixture.vault.faults.match.bind(fixture.vault.faults)
    let injected = false
    fixture.vault.faults.match = (operation, n) => {
      if (operation === 'kv.metadata' && !injected) {
        injected = true
        fixture.vault.writeKv('secret/production/kafka', { username: 'u', password: 'theirs' })
      }
      return original(operation, n)
    }
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        "version 2 holds another writer's value, so this write did not land",
      ),
      details: { writeState: 'not-landed' },
    })
    expect(fixture.vault.readKv('secret/production/kafka').password).toBe('theirs')
  })

  it('the read-back fails too: UNAVAILABLE saying the state is unknown, with how to check', async () => {
    fixture.vault.faults.add({ operation: 'kv.write', kind: 'reset', afterApply: true, times: 1 })
    fixture.vault.faults.add({ operation: 'kv.metadata', kind: 'error', status: 503 })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('whether secret "kafka_password" changed is unknown'),
      hint: expect.stringContaining('floe secrets describe kafka_password'),
      details: { writeState: 'unknown' },
    })
  })
})
