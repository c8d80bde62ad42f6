import type { ProviderModule } from '@floe/core'
import { createEnvProvider, type EnvProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema, vouchesForConfig } from './validate.js'

export { createEnvProvider, type EnvProviderOptions } from './provider.js'
export { PROVIDER_NAME, configSchema, vouchesForConfig, type EnvConfig } from './validate.js'

/** `provider: env` — environment variables and .env files. */
export const provider: ProviderModule<EnvProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-env',
  configSchema,
  vouchesForConfig,
  create: (options) => createEnvProvider(options),
}

export default provider
