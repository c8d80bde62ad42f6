import { assertCanRead, type AccessModel, type FloeResolver, type Resolver } from '@floe/core'

/**
 * Defense in depth for `--as PRINCIPAL`: every read through the resolver is checked against
 * the manifest's grants before any provider is called (FORBIDDEN → exit 4).
 */
export function guardResolver(
  resolver: Resolver & Partial<Pick<FloeResolver, 'invalidate' | 'providerFor'>>,
  model: AccessModel,
  principal: string,
): Resolver & Partial<Pick<FloeResolver, 'invalidate' | 'providerFor'>> {
  return {
    // long-running hosts (exec --watch) drop cached values after a rotation
    ...(resolver.invalidate ? { invalidate: resolver.invalidate.bind(resolver) } : {}),
    ...(resolver.providerFor ? { providerFor: resolver.providerFor.bind(resolver) } : {}),
    resolve: async (refs) => {
      assertCanRead(
        model,
        principal,
        refs.map((r) => r.name),
      )
      return resolver.resolve(refs)
    },
    resolveEnv: async (bindings, options) => {
      assertCanRead(
        model,
        principal,
        bindings.map((b) => b.ref.name),
      )
      return resolver.resolveEnv(bindings, options)
    },
    describe: async (names) => {
      assertCanRead(model, principal, names)
      return resolver.describe(names)
    },
    dispose: () => resolver.dispose(),
  }
}
