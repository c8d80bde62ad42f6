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
// Shared with @floe/provider-aws-parameter-store: one auth and one error mapping for AWS.
export { awsAuthSchema, resolveAwsCredentials, type AwsAuth, type AwsCredentials } from './auth.js'
export { classifyAwsError } from './aws-errors.js'
export {
  SecretsManagerApi,
  SecretsManagerClients,
  loadSecretsManagerSdk,
  quietNodeVersionWarning,
} from './client.js'

/** `provider: aws_secrets_manager` */
export const provider: ProviderModule<SecretsManagerProviderOptions> & { maxBatchSize: number } = {
  name: PROVIDER,
  packageName: '@floe/provider-aws-secrets-manager',
  configSchema: secretsManagerConfigSchema,
  maxBatchSize: MAX_BATCH_SIZE,
  create: (options) => createSecretsManagerProvider(options),
}

export default provider
export { DEFAULT_REQUEST_HANDLER, requestHandlerFor } from './http.js'
