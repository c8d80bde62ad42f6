import { ClientSecretCredential } from '@azure/identity'
import { SecretClient } from '@azure/keyvault-secrets'
import type { AccessToken, TokenCredential } from '@azure/core-auth'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  startAzureKeyVaultEmulator,
  testCertificate,
  type AzureKeyVaultEmulator,
} from '../src/index.js'

let emulator: AzureKeyVaultEmulator
let client: SecretClient
const tlsOptions = { ca: testCertificate().ca }

function credential(): ClientSecretCredential {
  return new ClientSecretCredential(emulator.tenantId, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, {
    authorityHost: emulator.url,
    disableInstanceDiscovery: true,
    tlsOptions,
  })
}

function secretClient(cred: TokenCredential = credential()): SecretClient {
  return new SecretClient(emulator.url, cred, {
    disableChallengeResourceVerification: true,
    tlsOptions,
    retryOptions: { maxRetries: 0 },
  })
}

beforeAll(async () => {
  emulator = await startAzureKeyVaultEmulator()
  client = secretClient()
})
afterAll(async () => {
  await emulator.close()
})
beforeEach(() => emulator.reset())

const failure = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    return e as {
      statusCode?: number
      code?: string
      message: string
      response?: { headers: { get(n: string): string | undefined } }
    }
  }
  throw new Error('expected a failure')
}

describe('Azure Key Vault emulator through the real SDK and @azure/identity', () => {
  it('runs the bearer challenge, gets a token from the Entra endpoint, then reads the secret', async () => {
    const version = emulator.seed({
      name: 'storage',
      value: 'DefaultEndpointsProtocol=https',
      contentType: 'text/plain',
    })
    const secret = await secretClient().getSecret('storage')
    expect(secret.value).toBe('DefaultEndpointsProtocol=https')
    expect(secret.properties.version).toBe(version)
    expect(secret.properties.id).toBe(`${emulator.url}/secrets/storage/${version}`)
    expect(secret.properties.contentType).toBe('text/plain')
    // the 401 challenge is answered before accounting; then discovery, token and the read
    expect(emulator.calls.byOperation()).toEqual({ OpenIdConfiguration: 1, Token: 1, GetSecret: 1 })
  })

  it('answers 401 with the WWW-Authenticate challenge when no bearer is sent', async () => {
    const res = await fetchNoAuth(`${emulator.url}/secrets/x/?api-version=7.5`)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(
      `Bearer authorization="https://login.microsoftonline.com/${emulator.tenantId}", resource="https://vault.azure.net"`,
    )
    const noVersion = await fetchNoAuth(`${emulator.url}/secrets/x/`)
    expect(noVersion.status).toBe(400)
  })

  it('rejects a wrong client secret at the token endpoint (the credential fails)', async () => {
    const bad = new ClientSecretCredential(emulator.tenantId, DEFAULT_CLIENT_ID, 'wrong', {
      authorityHost: emulator.url,
      disableInstanceDiscovery: true,
      tlsOptions,
    })
    const error = await failure(secretClient(bad).getSecret('anything'))
    expect(error.message).toContain('AADSTS7000215')
  })

  it('reads versions, sets new versions with content type and tags, pages with absolute nextLink', async () => {
    const v1 = emulator.seed({ name: 'api', value: 'one' })
    const set = await client.setSecret('api', 'two', {
      contentType: 'application/json',
      tags: { team: 'data' },
    })
    expect(set.properties.version).not.toBe(v1)
    expect((await client.getSecret('api', { version: v1 })).value).toBe('one')
    expect((await client.getSecret('api')).value).toBe('two')

    for (let i = 0; i < 30; i++)
      emulator.seed({ name: `s-${String(i).padStart(2, '0')}`, value: 'x' })
    const names: string[] = []
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name)
    expect(names).toHaveLength(31)
    expect(emulator.calls.count('GetSecrets')).toBe(2)
    const versions: string[] = []
    for await (const p of client.listPropertiesOfSecretVersions('api')) versions.push(p.version!)
    expect(versions.sort()).toEqual([v1, set.properties.version].sort())
    expect(emulator.calls.count('GetSecret')).toBe(2)
  })

  it('disabled secrets answer 403 SecretDisabled; expired ones are still served with their exp', async () => {
    const version = emulator.seed({ name: 'off', value: 'x' })
    await client.updateSecretProperties('off', version, { enabled: false })
    const error = await failure(client.getSecret('off'))
    expect(error.statusCode).toBe(403)
    expect(error.message).toBe('Operation get is not allowed on a disabled secret.')
    emulator.seed({ name: 'old', value: 'y', expiresOn: new Date(Date.now() - 60_000) })
    const expired = await client.getSecret('old')
    expect(expired.properties.expiresOn!.getTime()).toBeLessThan(Date.now())
  })

  it('404 SecretNotFound, 403 Forbidden from the deny list, 429 with Retry-After from the fault plan', async () => {
    emulator.seed({ name: 'locked', value: 'x' })
    emulator.seed({ name: 'busy', value: 'x' })
    emulator.deny('locked')
    const missing = await failure(client.getSecret('missing'))
    expect([missing.statusCode, missing.code]).toEqual([404, 'SecretNotFound'])
    const forbidden = await failure(client.getSecret('locked'))
    expect([forbidden.statusCode, forbidden.code]).toEqual([403, 'Forbidden'])
    emulator.faults.add({
      operation: 'GetSecret',
      kind: 'throttle',
      times: 1,
      retryAfterSeconds: 7,
    })
    const throttled = await failure(client.getSecret('busy'))
    expect(throttled.statusCode).toBe(429)
    expect(throttled.response?.headers.get('retry-after')).toBe('7')
    expect((await client.getSecret('busy')).value).toBe('x')
  })

  it('rejects unknown bearer tokens and accepts issued ones from a static credential', async () => {
    emulator.seed({ name: 'k', value: 'v' })
    const staticCredential = (token: string): TokenCredential => ({
      getToken: async (): Promise<AccessToken> => ({
        token,
        expiresOnTimestamp: Date.now() + 3_600_000,
      }),
    })
    expect(
      (await failure(secretClient(staticCredential('forged')).getSecret('k'))).statusCode,
    ).toBe(401)
    expect((await secretClient(staticCredential(emulator.issueToken())).getSecret('k')).value).toBe(
      'v',
    )
  })
})

async function fetchNoAuth(
  url: string,
): Promise<{ status: number; headers: Record<string, string> }> {
  const https = await import('node:https')
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: tlsOptions.ca }, (res) => {
        res.resume()
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string> }),
        )
      })
      .on('error', reject)
  })
}
