import { z } from 'zod'
import type { ProviderModule } from '../types.js'
import { createMemoryProvider } from './memory-provider.js'
import type { MemoryProvider, MemoryProviderOptions } from './memory-types.js'

/** Fields a memory definition may carry (anything else is rejected, like a real provider). */
export const memoryConfigSchema = z.strictObject({
  id: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  keys: z.array(z.string()).optional(),
  key: z.string().optional(),
})

export interface MemoryModuleOptions {
  /** validate definitions with another schema (e.g. a real provider's, to stand in for it) */
  configSchema?: z.ZodType
  packageName?: string
}

/**
 * A ProviderModule whose `create` hands out `provider` (or a fresh memory provider built from
 * `options`), so tests can inspect the very instance the resolver uses.
 */
export function memoryProviderModule(
  providerOrOptions: MemoryProvider | MemoryProviderOptions = {},
  moduleOptions: MemoryModuleOptions = {},
): ProviderModule & { readonly instances: MemoryProvider[] } {
  const instances: MemoryProvider[] = []
  const given = 'fetchOne' in providerOrOptions ? providerOrOptions : undefined
  const name = given?.name ?? (providerOrOptions as MemoryProviderOptions).name ?? 'memory'
  return {
    name,
    packageName: moduleOptions.packageName ?? `@floe/testing-${name}`,
    configSchema: moduleOptions.configSchema ?? memoryConfigSchema,
    instances,
    create() {
      const instance = given ?? createMemoryProvider(providerOrOptions)
      instances.push(instance)
      return instance
    },
  }
}
