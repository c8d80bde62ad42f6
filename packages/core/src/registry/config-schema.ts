import type { z } from 'zod'
import type { ProviderModule } from '../types.js'

const built = new WeakMap<ProviderModule, Promise<z.ZodType>>()

/**
 * A provider module's configSchema, built once when the module gives it as a function (that
 * function imports zod: modules that vouch for their fields load it only when unsure).
 */
export function configSchemaOf(module: Pick<ProviderModule, 'configSchema'>): Promise<z.ZodType> {
  const { configSchema } = module
  if (typeof configSchema !== 'function') return Promise.resolve(configSchema)
  let schema = built.get(module as ProviderModule)
  if (schema === undefined) {
    schema = configSchema()
    built.set(module as ProviderModule, schema)
  }
  return schema
}
