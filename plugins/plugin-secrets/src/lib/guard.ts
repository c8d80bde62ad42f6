import { assertCanRead, type AccessModel, type Resolver } from '@floe/core'

/**
 * Defense in depth for `--as PRINCIPAL`: every read through the resolver is checked against
 * the manifest's grants before any provider is called (FORBIDDEN → exit 4).
 */
export function guardResolver(resolver: Resolver, model: AccessModel, principal: string): Resolver {
  return {
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
