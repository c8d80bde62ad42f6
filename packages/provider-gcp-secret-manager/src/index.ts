import type { ProviderModule } from '@floe/core'
import { createGcpSecretManagerProvider, type GcpProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

export { createGcpSecretManagerProvider, type GcpProviderOptions } from './provider.js'
export { PROVIDER_NAME, configSchema, type GcpSecretConfig } from './validate.js'

/** `provider: gcp_secret_manager` */
export const provider: ProviderModule<GcpProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-gcp-secret-manager',
  configSchema,
  create: (options) => createGcpSecretManagerProvider(options),
}

export default provider
