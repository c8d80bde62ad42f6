import type { ProviderModule } from '@floe/core'
import {
  createParameterStoreProvider,
  MAX_BATCH_SIZE,
  PROVIDER,
  type ParameterStoreProviderOptions,
} from './provider.js'
import { parameterStoreConfigSchema } from './validate.js'

export {
  createParameterStoreProvider,
  MAX_BATCH_SIZE,
  type ParameterStoreProvider,
  type ParameterStoreProviderOptions,
} from './provider.js'
export {
  parameterStoreConfigSchema,
  PARAMETER_TYPES,
  type ParameterStoreConfig,
  type ParameterType,
} from './validate.js'
export { ParameterStoreApi, parameterStoreClients, loadSsmSdk } from './client.js'

/** `provider: aws_parameter_store` */
export const provider: ProviderModule<ParameterStoreProviderOptions> & { maxBatchSize: number } = {
  name: PROVIDER,
  packageName: '@floe/provider-aws-parameter-store',
  configSchema: parameterStoreConfigSchema,
  maxBatchSize: MAX_BATCH_SIZE,
  create: (options) => createParameterStoreProvider(options),
}

export default provider
