import type { ProviderModule } from '@floe/core'
import { createAzureKeyVaultProvider, type AzureProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

export { createAzureKeyVaultProvider, type AzureProviderOptions } from './provider.js'
export { PROVIDER_NAME, configSchema, type AzureSecretConfig } from './validate.js'
export { DEFAULT_REQUEST_TIMEOUT_MS } from './timeout.js'

/** `provider: azure_key_vault` */
export const provider: ProviderModule<AzureProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-azure-key-vault',
  configSchema,
  create: (options) => createAzureKeyVaultProvider(options),
}

export default provider
