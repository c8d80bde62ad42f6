import { describe, expect, it } from 'vitest'
import {
  AwsClients,
  awsPages,
  classifyAwsError,
  connectionOf,
  DEFAULT_REQUEST_HANDLER,
  lazySdk,
  requestHandlerFor,
  resolveAwsCredentials,
} from '@floe/aws-common'
import { payloadText, SecretValue } from '@floe/core'

/** A stand-in service client: records its config and whether it was destroyed. */
class RecordingClient {
  destroyed = false
  constructor(readonly config: Record<string, unknown>) {}
  destroy(): void {
    this.destroyed = true
  }
}

const build = {
  newClient: (config: Record<string, unknown>) => new RecordingClient(config),
  api: (client: RecordingClient) => ({ client }),
}

describe('AwsClients', () => {
  it('builds one client per connection with floe’s settings, and destroys them', () => {
    const clients = new AwsClients<
      RecordingClient,
      Record<string, unknown>,
      { client: RecordingClient }
    >({ clientConfig: { region: 'eu-west-1', maxAttempts: 5 } }, build)
    const a = clients.for({ endpoint: 'http://127.0.0.1:1' }, {})
    expect(clients.for({ endpoint: 'http://127.0.0.1:1' }, {})).toBe(a)
    const b = clients.for(
      {
        region: 'us-east-1',
        auth: { type: 'static', access_key_id: 'AK', secret_access_key: 'SK' },
      },
      {},
    )
    expect(b).not.toBe(a)
    expect(a.client.config).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
      requestHandler: DEFAULT_REQUEST_HANDLER,
      maxAttempts: 1,
    })
    expect(b.client.config).toMatchObject({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    })
    clients.destroy()
    expect([a.client.destroyed, b.client.destroyed]).toEqual([true, true])
  })

  it('uses an injected client for every connection and leaves it to its owner', () => {
    const injected = new RecordingClient({})
    const clients = new AwsClients({ client: injected }, build)
    expect(clients.keyOf({ region: 'us-east-1' })).toBe('injected')
    expect(clients.for({ region: 'us-east-1' }, {}).client).toBe(injected)
    expect(clients.for({ region: 'eu-west-1' }, {}).client).toBe(injected)
    clients.destroy()
    expect(injected.destroyed).toBe(false)
  })
})

describe('shared helpers', () => {
  it('merges request handler options over the timeouts, keeps instances', () => {
    expect(requestHandlerFor(undefined)).toEqual(DEFAULT_REQUEST_HANDLER)
    expect(requestHandlerFor({ requestTimeout: 1_000 })).toEqual({
      ...DEFAULT_REQUEST_HANDLER,
      requestTimeout: 1_000,
    })
    const handler = new (class Handler {})()
    expect(requestHandlerFor(handler)).toBe(handler)
  })

  it('maps AWS errors to floe errors', () => {
    const error = (name: string, status?: number) =>
      Object.assign(new Error(`${name} happened`), {
        name,
        ...(status ? { $metadata: { httpStatusCode: status } } : {}),
      })
    const code = (e: unknown) => classifyAwsError(e, { provider: 'aws', secret: 's' }).code
    expect(code(error('ResourceNotFoundException', 400))).toBe('NOT_FOUND')
    expect(code(error('ParameterNotFound', 400))).toBe('NOT_FOUND')
    expect(code(error('AccessDeniedException', 400))).toBe('FORBIDDEN')
    expect(code(error('ThrottlingException', 400))).toBe('UNAVAILABLE')
    expect(code(error('InternalFailure', 500))).toBe('UNAVAILABLE')
    expect(code(error('ParameterAlreadyExists', 400))).toBe('CONFLICT')
    expect(code(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe('UNAVAILABLE')
  })

  it('turns auth into credentials, connections into cache keys, payloads into text', () => {
    expect(resolveAwsCredentials(undefined)).toBeUndefined()
    expect(resolveAwsCredentials({ type: 'default' })).toBeUndefined()
    expect(
      resolveAwsCredentials({
        type: 'static',
        access_key_id: 'AK',
        secret_access_key: 'SK',
        session_token: 'T',
      }),
    ).toEqual({ accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'T' })
    expect(connectionOf({ region: 'eu-west-1', endpoint: undefined })).toEqual({
      region: 'eu-west-1',
    })
    expect(payloadText(new SecretValue('text', 's'))).toBe('text')
    expect(payloadText({ user: new SecretValue('u', 's'), pass: new SecretValue('p', 's') })).toBe(
      '{"user":"u","pass":"p"}',
    )
  })

  it('loads an SDK once, on first use, with the Node-version warning quieted', () => {
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
    let loads = 0
    const load = lazySdk<{ n: number }>(() => ({ n: (loads += 1) }))
    expect(loads).toBe(0)
    expect(load()).toBe(load())
    expect(loads).toBe(1)
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true')
  })

  it('follows NextToken until a page has none', async () => {
    const asked: { NextToken?: string }[] = []
    const answers = [{ NextToken: 'b', n: 1 }, { NextToken: 'c', n: 2 }, { n: 3 }]
    const seen: number[] = []
    for await (const page of awsPages(async (next: { NextToken?: string }) => {
      asked.push(next)
      return answers[asked.length - 1]!
    }))
      seen.push(page.n)
    expect(seen).toEqual([1, 2, 3])
    expect(asked).toEqual([{}, { NextToken: 'b' }, { NextToken: 'c' }])
  })
})
