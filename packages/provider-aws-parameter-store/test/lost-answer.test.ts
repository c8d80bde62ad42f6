/**
 * A PutParameter whose answer is lost: the emulator (or moto, behind the testkit's fault
 * proxy) carries the call out, or not, then drops the connection or holds the answer past the
 * client's timeout. PutParameter has no idempotency token, so the provider never resends it:
 * it reads the version back and says exactly what happened.
 */
import { SecretValue, type SecretProvider } from '@floe/core'
import {
  preferNodeBuildsOfAwsSdk,
  quietContext,
  startAwsEmulator,
  startMotoServer,
  type AwsEmulator,
} from '@floe/testkit'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { provider } from '../src/index.js'

preferNodeBuildsOfAwsSdk()
const { SSMClient, PutParameterCommand, GetParameterCommand } = createRequire(import.meta.url)(
  '@aws-sdk/client-ssm',
) as typeof import('@aws-sdk/client-ssm')

const ctx = quietContext()
// a short request timeout, so that a held answer times out quickly
const requestHandler = { requestTimeout: 400, throwOnRequestTimeout: true }
const put = (ps: SecretProvider, value: string) =>
  ps.put!(
    {
      secret: 'db',
      config: { name: '/app/db' },
      data: new SecretValue(value, 'x'),
      expectedVersion: '1',
    },
    ctx,
  )

describe('aws_parameter_store: a PutParameter whose answer is lost', () => {
  let emu: AwsEmulator
  let client: InstanceType<typeof SSMClient>
  let ps: SecretProvider
  beforeAll(async () => {
    emu = await startAwsEmulator()
    client = new SSMClient({ ...emu.clientConfig(), requestHandler })
    ps = provider.create({ client })
  })
  afterAll(async () => {
    client.destroy()
    await emu.close()
  })
  beforeEach(() => {
    emu.reset()
    emu.putParameter('/app/db', 'old')
  })

  for (const kind of ['reset', 'timeout'] as const) {
    it(`${kind} after it landed: success as the version read back, not resent`, async () => {
      emu.faults.add({ operation: 'PutParameter', kind, afterApply: true, ms: 2000, times: 1 })
      const result = await put(ps, 'new')
      expect(result).toMatchObject({ version: '2', previousVersion: '1', created: false })
      expect(result.warnings).toEqual([
        expect.stringMatching(
          /^the answer to PutParameter was lost \(.+\); read back: it landed as version 2$/,
        ),
      ])
      expect(emu.calls.count('PutParameter')).toBe(1)
      expect(emu.parameterVersions('/app/db')).toHaveLength(2)
    })
  }

  it('lost before it landed: UNAVAILABLE saying nothing changed, never resent', async () => {
    emu.faults.add({ operation: 'PutParameter', kind: 'reset', times: 1 })
    await expect(put(ps, 'new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(
        'read back: it did not land: secret "db" did not change (still version 1)',
      ),
      details: { writeState: 'not-landed', version: '1' },
    })
    expect(emu.calls.count('PutParameter')).toBe(1)
    expect(emu.parameterVersions('/app/db')).toHaveLength(1)
  })

  it('the read-back fails too: the state is unknown, with how to check', async () => {
    emu.faults.add({ operation: 'PutParameter', kind: 'reset', afterApply: true, times: 1 })
    emu.faults.add({ operation: 'DescribeParameters', kind: 'error', calls: [2] })
    await expect(put(ps, 'new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('whether secret "db" changed is unknown'),
      hint: 'check with: floe secrets describe db (version 1 was current before the write)',
      details: { writeState: 'unknown', expectedVersion: '1' },
    })
  })
})

describe('aws_parameter_store (moto): a PutParameter whose answer is lost', () => {
  it('applied by moto, answer dropped: success as the version read back, one new version', async () => {
    const moto = await startMotoServer()
    const client = new SSMClient(moto.clientConfig())
    try {
      await client.send(
        new PutParameterCommand({ Name: '/app/db', Value: 'old', Type: 'SecureString' }),
      )
      moto.faults.add({ operation: 'PutParameter', kind: 'reset', afterApply: true, times: 1 })
      const result = await put(provider.create({ client }), 'new')
      expect(result.version).toBe('2')
      expect(result.warnings).toEqual([
        expect.stringContaining('read back: it landed as version 2'),
      ])
      expect(moto.calls.count('PutParameter')).toBe(2) // the seed, and the one write
      const stored = await client.send(
        new GetParameterCommand({ Name: '/app/db', WithDecryption: true }),
      )
      expect(stored.Parameter?.Version).toBe(2)
    } finally {
      client.destroy()
      await moto.close()
    }
  })
})
