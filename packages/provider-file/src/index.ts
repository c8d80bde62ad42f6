import type { ProviderModule } from '@floe/core'
import { createFileProvider, type FileProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema, vouchesForConfig } from './validate.js'

export { createFileProvider, type FileProviderOptions } from './provider.js'
export {
  PROVIDER_NAME,
  configSchema,
  vouchesForConfig,
  fileFormats,
  type FileConfig,
  type FileFormat,
} from './validate.js'

/** `provider: file` — mounted secret directories and JSON/YAML/dotenv/raw files. */
export const provider: ProviderModule<FileProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-file',
  configSchema,
  vouchesForConfig,
  create: (options) => createFileProvider(options),
}

export default provider
