import type { ProviderModule } from '@floe/core'
import { createEnvProvider, type EnvProviderOptions } from './provider.js'
import { envConfigSchema } from './validate.js'

export { createEnvProvider, type EnvProviderOptions } from './provider.js'
export { envConfigSchema, type EnvConfig } from './validate.js'

/** `provider: env` — environment variables and .env files. */
export const provider: ProviderModule<EnvProviderOptions> = {
  name: 'env',
  packageName: '@floe/provider-env',
  configSchema: envConfigSchema,
  create: (options) => createEnvProvider(options),
}

export default provider
