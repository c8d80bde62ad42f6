import type { ProviderModule } from '@floe/core'
import {
  createSecretsManagerProvider,
  MAX_BATCH_SIZE,
  type SecretsManagerProviderOptions,
} from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

export {
  createSecretsManagerProvider,
  MAX_BATCH_SIZE,
  type SecretsManagerProvider,
  type SecretsManagerProviderOptions,
} from './provider.js'
export { PROVIDER_NAME, configSchema, type SecretsManagerConfig } from './validate.js'

/** `provider: aws_secrets_manager` */
export const provider: ProviderModule<SecretsManagerProviderOptions> & { maxBatchSize: number } = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-aws-secrets-manager',
  configSchema,
  maxBatchSize: MAX_BATCH_SIZE,
  create: (options) => createSecretsManagerProvider(options),
}

export default provider
