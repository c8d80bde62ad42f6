import type { ProviderModule } from '@floe/core'
import { createVaultProvider, type VaultProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

/** `provider: vault` — KV v1/v2 and dynamic secrets engines. */
export const provider: ProviderModule<VaultProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-vault',
  configSchema,
  create: (options) => createVaultProvider(options),
}

export default provider

export {
  createVaultProvider,
  type VaultProvider,
  type VaultProviderOptions,
  type VaultConnection,
} from './provider.js'
export { PROVIDER_NAME, configSchema, type VaultSecretConfig } from './validate.js'
// `floe.emitter: vault-policy`; emit-access writes its vault target with the same builder
export {
  buildVaultPolicies,
  emitVaultPolicy,
  emitter,
  vaultPolicyPaths,
  VaultPolicyBuilder,
  type VaultPolicyOptions,
  type VaultPolicyPaths,
} from './policy.js'
