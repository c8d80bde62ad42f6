/**
 * A vault (or proxy, or authority host) that accepts the connection and never answers: the
 * real SDK over a real socket, with a fake clock for setTimeout only — the SDK's request
 * timeout (@typespec/ts-http-runtime's NodeHttpClient) and the token bound are setTimeout
 * timers, while the sockets stay real.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { SecretClient } from '@azure/keyvault-secrets'
import type { FetchRequest, SecretProvider } from '@floe/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_REQUEST_TIMEOUT_MS, createAzureKeyVaultProvider } from '../src/index.js'
import { startAzureFixture, testContext, tlsOptions, type AzureFixture } from './helpers.js'

interface HungServer {
  url: string
  /** resolves with the first connection: the request is on the wire */
  connected: Promise<Socket>
  close(): Promise<void>
}

async function startHungServer(): Promise<HungServer> {
  const sockets = new Set<Socket>()
  let onConnection: (socket: Socket) => void = () => {}
  const connected = new Promise<Socket>((resolve) => (onConnection = resolve))
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    onConnection(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connected,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

let fx: AzureFixture
let hung: HungServer
const ctx = testContext()

beforeAll(async () => {
  fx = await startAzureFixture()
})
afterAll(async () => {
  await fx.close()
})
beforeEach(async () => {
  fx.emulator.reset()
  hung = await startHungServer()
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(async () => {
  vi.useRealTimers()
  await hung.close()
})

/** the fetch's error (a success is an error too) */
const failureOf = (provider: SecretProvider, req: FetchRequest): Promise<unknown> =>
  provider.fetchOne(req, ctx).then(
    () => new Error('expected the fetch to fail'),
    (error: unknown) => error,
  )

/** fetches, waits until the request reached the hung server, then advances the fake clock */
async function fetchAfter(
  provider: SecretProvider,
  req: FetchRequest,
  ms: number,
): Promise<unknown> {
  const settled = failureOf(provider, req)
  await hung.connected
  await vi.advanceTimersByTimeAsync(ms)
  return settled
}

const timedOut = (target: string, ms: number) => ({
  code: 'UNAVAILABLE',
  message: expect.stringContaining(
    `${target} did not answer within ${ms} ms (the request timeout: createAzureKeyVaultProvider({ timeoutMs }) changes it`,
  ),
  details: { timeoutMs: ms },
})

describe('azure_key_vault: a request that never gets an answer', () => {
  it(`an injected client without timeoutMs: UNAVAILABLE once the default (${DEFAULT_REQUEST_TIMEOUT_MS} ms) elapses`, async () => {
    const sdk = new SecretClient(hung.url, fx.credential, {
      disableChallengeResourceVerification: true,
      tlsOptions,
      retryOptions: { maxRetries: 0 },
    })
    const azure = createAzureKeyVaultProvider({ client: sdk })
    const error = await fetchAfter(
      azure,
      { secret: 'db', config: { vault_url: hung.url, secret_name: 'db' } },
      DEFAULT_REQUEST_TIMEOUT_MS,
    )
    expect(error).toMatchObject(timedOut('Key Vault', DEFAULT_REQUEST_TIMEOUT_MS))
    expect((error as Error).message).toContain(`secret "db" (db in ${hung.url})`)
  })

  it('a client the provider builds: the default applies, and timeoutMs replaces it', async () => {
    const config = {
      vault_url: hung.url,
      secret_name: 'db',
      auth: fx.auth,
      authority_host: fx.emulator.url,
    }
    const built = createAzureKeyVaultProvider({ tlsOptions })
    expect(
      await fetchAfter(built, { secret: 'db', config }, DEFAULT_REQUEST_TIMEOUT_MS),
    ).toMatchObject(timedOut('Key Vault', DEFAULT_REQUEST_TIMEOUT_MS))

    await hung.close()
    hung = await startHungServer()
    const shorter = createAzureKeyVaultProvider({ tlsOptions, timeoutMs: 1500 })
    expect(
      await fetchAfter(shorter, { secret: 'db', config: { ...config, vault_url: hung.url } }, 1500),
    ).toMatchObject(timedOut('Key Vault', 1500))
  })

  it('a hung authority host: the token request is bounded too', async () => {
    fx.emulator.seed({ name: 'db', value: 'pw' })
    const azure = createAzureKeyVaultProvider({ tlsOptions })
    const error = await fetchAfter(
      azure,
      {
        secret: 'db',
        config: {
          vault_url: fx.emulator.url,
          secret_name: 'db',
          auth: fx.auth,
          authority_host: hung.url,
        },
      },
      DEFAULT_REQUEST_TIMEOUT_MS,
    )
    expect(error).toMatchObject(timedOut('the Entra token request', DEFAULT_REQUEST_TIMEOUT_MS))
    // the vault answered the unauthenticated probe with its challenge; no bearer ever came
    expect(fx.emulator.calls.byOperation()).toEqual({})
  })

  it('timeoutMs: 0 sets no timer: only the dropped connection ends the request', async () => {
    const azure = createAzureKeyVaultProvider({
      tlsOptions,
      credential: fx.credential,
      timeoutMs: 0,
    })
    const settled = failureOf(azure, {
      secret: 'db',
      config: { vault_url: hung.url, secret_name: 'db' },
    })
    const socket = await hung.connected
    await vi.advanceTimersByTimeAsync(10 * DEFAULT_REQUEST_TIMEOUT_MS)
    socket.destroy()
    const error = await settled
    expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    expect((error as Error).message).not.toContain('did not answer')
  })
})
