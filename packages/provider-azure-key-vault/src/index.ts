import type { ProviderModule } from '@floe/core'
import { createAzureKeyVaultProvider, type AzureProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

export {
  createAzureKeyVaultProvider,
  stateOf,
  VAULT_URL_ENV,
  type AzureProviderOptions,
} from './provider.js'
export { configSchema, type AzureSecretConfig } from './validate.js'
export { classifyAzureError } from './errors.js'

export const provider: ProviderModule<AzureProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-azure-key-vault',
  configSchema,
  create: (options) => createAzureKeyVaultProvider(options),
}

export default provider
