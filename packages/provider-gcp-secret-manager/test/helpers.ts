import * as grpc from '@grpc/grpc-js'
import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import type { ProviderContext } from '@floe/core'
import { quietContext } from '@floe/testkit/conformance'
import { startGcpSecretManagerEmulator, type GcpSecretManagerEmulator } from '@floe/testkit'

export const PROJECT = 'floe-test'
export const BEARER = { authorization: 'Bearer test-token' }

export interface GcpFixture {
  emulator: GcpSecretManagerEmulator
  sdk: SecretManagerServiceClient
  close(): Promise<void>
}

/** the real SDK client bound to the emulator, with the settings from SDK-NOTES */
export async function startGcpFixture(): Promise<GcpFixture> {
  const emulator = await startGcpSecretManagerEmulator()
  const sdk = new SecretManagerServiceClient({
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  })
  return {
    emulator,
    sdk,
    close: async () => {
      await sdk.close()
      await emulator.close()
    },
  }
}

export function testContext(env: NodeJS.ProcessEnv = {}): ProviderContext {
  return quietContext({ env })
}
