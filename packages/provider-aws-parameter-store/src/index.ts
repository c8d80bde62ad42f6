import type { ProviderModule } from '@floe/core'
import {
  createParameterStoreProvider,
  MAX_BATCH_SIZE,
  type ParameterStoreProviderOptions,
} from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

export {
  createParameterStoreProvider,
  MAX_BATCH_SIZE,
  type ParameterStoreProvider,
  type ParameterStoreProviderOptions,
} from './provider.js'
export {
  PROVIDER_NAME,
  configSchema,
  PARAMETER_TYPES,
  type ParameterStoreConfig,
  type ParameterType,
} from './validate.js'

/** `provider: aws_parameter_store` */
export const provider: ProviderModule<ParameterStoreProviderOptions> & { maxBatchSize: number } = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-aws-parameter-store',
  configSchema,
  maxBatchSize: MAX_BATCH_SIZE,
  create: (options) => createParameterStoreProvider(options),
}

export default provider
