import type { ProviderModule } from '@floe/core'
import { createFileProvider, type FileProviderOptions } from './provider.js'
import { fileConfigSchema } from './validate.js'

export { createFileProvider, type FileProviderOptions } from './provider.js'
export { fileConfigSchema, fileFormats, type FileConfig, type FileFormat } from './validate.js'
export { inferFormat } from './formats.js'

/** `provider: file` — mounted secret directories and JSON/YAML/dotenv/raw files. */
export const provider: ProviderModule<FileProviderOptions> = {
  name: 'file',
  packageName: '@floe/provider-file',
  configSchema: fileConfigSchema,
  create: (options) => createFileProvider(options),
}

export default provider
