import type { ProviderModule } from '@floe/core'
import { createGcpSecretManagerProvider, type GcpProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

export { createGcpSecretManagerProvider, type GcpProviderOptions } from './provider.js'
export { configSchema, secretResourceName, type GcpSecretConfig } from './validate.js'
export { classifyGcpError } from './errors.js'
export { EMULATOR_TOKEN_ENV, ENDPOINT_ENV } from './auth.js'
export { crc32c } from './crc32c.js'

export const provider: ProviderModule<GcpProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-gcp-secret-manager',
  configSchema,
  create: (options) => createGcpSecretManagerProvider(options),
}

export default provider
