import { ClientSecretCredential } from '@azure/identity'
import { SecretClient } from '@azure/keyvault-secrets'
import type { ProviderContext } from '@floe/core'
import { quietContext } from '@floe/testkit/conformance'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  startAzureKeyVaultEmulator,
  testCertificate,
  type AzureKeyVaultEmulator,
} from '@floe/testkit'

export const tlsOptions = { ca: testCertificate().ca }

export interface AzureFixture {
  emulator: AzureKeyVaultEmulator
  sdk: SecretClient
  /** the ClientSecretCredential `sdk` uses, for clients bound to other URLs */
  credential: ClientSecretCredential
  /** the service-principal auth block that works against the emulator's token endpoint */
  auth: { type: 'service_principal'; tenant_id: string; client_id: string; client_secret: string }
  close(): Promise<void>
}

/** the real SecretClient + ClientSecretCredential bound to the emulator (SDK-NOTES settings) */
export async function startAzureFixture(): Promise<AzureFixture> {
  const emulator = await startAzureKeyVaultEmulator()
  const credential = new ClientSecretCredential(
    emulator.tenantId,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    {
      authorityHost: emulator.url,
      disableInstanceDiscovery: true,
      tlsOptions,
    },
  )
  const sdk = new SecretClient(emulator.url, credential, {
    disableChallengeResourceVerification: true,
    tlsOptions,
    retryOptions: { maxRetries: 0 },
  })
  return {
    emulator,
    sdk,
    credential,
    auth: {
      type: 'service_principal',
      tenant_id: emulator.tenantId,
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
    },
    close: () => emulator.close(),
  }
}

export function testContext(env: NodeJS.ProcessEnv = {}): ProviderContext {
  return quietContext({ env })
}
