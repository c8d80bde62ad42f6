import { fetchAll } from '@floe/core'
import {
  AWS_BACKENDS,
  fetchRequest,
  preferNodeBuildsOfAwsSdk,
  quietContext,
  startAwsBackend,
  type AwsBackend,
} from '@floe/testkit'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { provider } from '../src/index.js'

// Behaviour that must hold against floe's emulator AND moto_server (which omits the optional
// `Selector` in GetParameters results). State is arranged with the SDK itself.
preferNodeBuildsOfAwsSdk()
const { LabelParameterVersionCommand, PutParameterCommand, SSMClient } = createRequire(
  import.meta.url,
)('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm')

const ctx = quietContext()
const req = (config: Record<string, unknown>, version?: string) =>
  fetchRequest('db', config, version)

describe.each(AWS_BACKENDS)('aws_parameter_store against %s', (kind) => {
  let backend: AwsBackend
  let sdk: InstanceType<typeof SSMClient>
  let client: InstanceType<typeof SSMClient>

  beforeAll(async () => {
    backend = await startAwsBackend(kind)
    sdk = new SSMClient(backend.clientConfig())
    client = new SSMClient(backend.clientConfig())
  })
  afterAll(async () => {
    sdk?.destroy()
    client?.destroy()
    await backend?.close()
  })
  beforeEach(async () => backend.reset())

  it('?version=N and ?version=label pick the right result, with or without Selector', async () => {
    for (const Value of ['one', 'two', 'three'])
      await sdk.send(
        new PutParameterCommand({
          Name: '/db/password',
          Value,
          Type: 'SecureString',
          Overwrite: true,
        }),
      )
    await sdk.send(
      new LabelParameterVersionCommand({
        Name: '/db/password',
        ParameterVersion: 1,
        Labels: ['stable'],
      }),
    )
    const ps = provider.create({ client })
    const name = { name: '/db/password' }
    // one request alone: the GetParameters answer holds one result for the name
    const [alone] = await fetchAll(ps, [req(name, '2')], ctx)
    expect(alone?.ok && alone.secret.value.reveal()).toBe('two')
    const outcomes = await fetchAll(
      ps,
      [
        req(name),
        req(name, '2'),
        req(name, 'stable'),
        req({ ...name, version: 1 }),
        req(name, '9'),
      ],
      ctx,
    )
    expect(outcomes.map((o) => (o.ok ? o.secret.value.reveal() : o.error.code))).toEqual([
      'three',
      'two',
      'one',
      'one',
      'NOT_FOUND',
    ])
    expect(outcomes[1]?.ok && outcomes[1].secret.version).toBe('2')
  })
})
