import type { ProviderModule } from '@floe/core'
import {
  createSecretsManagerProvider,
  MAX_BATCH_SIZE,
  PROVIDER,
  type SecretsManagerProviderOptions,
} from './provider.js'
import { secretsManagerConfigSchema } from './validate.js'

export {
  createSecretsManagerProvider,
  MAX_BATCH_SIZE,
  type SecretsManagerProvider,
  type SecretsManagerProviderOptions,
} from './provider.js'
export { secretsManagerConfigSchema, type SecretsManagerConfig } from './validate.js'
export { SecretsManagerApi, secretsManagerClients, loadSecretsManagerSdk } from './client.js'

/** `provider: aws_secrets_manager` */
export const provider: ProviderModule<SecretsManagerProviderOptions> & { maxBatchSize: number } = {
  name: PROVIDER,
  packageName: '@floe/provider-aws-secrets-manager',
  configSchema: secretsManagerConfigSchema,
  maxBatchSize: MAX_BATCH_SIZE,
  create: (options) => createSecretsManagerProvider(options),
}

export default provider
