import pLimit, { type LimitFunction } from 'p-limit'
import { NotInstalledError } from '../errors.js'
import type { ProviderCatalog, SecretProvider } from '../types.js'

/** The one owner of a resolver's provider instances and their concurrency limits. */
export interface ProviderPool {
  /** the instance for a provider name, created on first use */
  get(name: string): Promise<SecretProvider>
  /** the in-flight cap shared by every call to one provider */
  limitFor(name: string): LimitFunction
  /** disposes every instance created so far */
  dispose(): Promise<void>
}

export function createProviderPool(options: {
  catalog: ProviderCatalog
  concurrency: number
  providerOptions?: Record<string, Record<string, unknown>>
  /**
   * the manifest's `plugins.secrets.config` when `plugins.secrets.type` names this provider
   * (`type: vault`): handed to `create()` as `pluginConfig`, the provider's lowest-precedence
   * settings
   */
  pluginConfig?: (name: string) => Record<string, unknown> | undefined
}): ProviderPool {
  const { catalog } = options
  const providers = new Map<string, Promise<SecretProvider>>()
  const limits = new Map<string, LimitFunction>()
  const optionsFromCatalog = (catalog as { optionsFor?: (n: string) => Record<string, unknown> })
    .optionsFor

  return {
    get(name) {
      let pending = providers.get(name)
      if (!pending) {
        pending = catalog.load(name).then((mod) => {
          if (!mod) {
            const pkg = catalog.packageFor(name)
            throw new NotInstalledError(`provider "${name}" is not installed`, {
              hint: catalog.installHint?.('provider', name) ?? `npm install ${pkg}`,
              details: { package: pkg },
            })
          }
          const base =
            options.providerOptions?.[name] ?? optionsFromCatalog?.call(catalog, name) ?? {}
          const pluginConfig = options.pluginConfig?.(name)
          return mod.create(pluginConfig ? { ...base, pluginConfig } : base)
        })
        // A failed load is not cached: the next call tries again.
        pending.catch(() => providers.delete(name))
        providers.set(name, pending)
      }
      return pending
    },
    limitFor(name) {
      let limit = limits.get(name)
      if (!limit) {
        limit = pLimit(options.concurrency)
        limits.set(name, limit)
      }
      return limit
    },
    async dispose() {
      const created = [...providers.values()]
      providers.clear()
      await Promise.allSettled(created.map(async (p) => (await p).dispose?.()))
    },
  }
}
