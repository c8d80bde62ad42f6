import type { ProviderModule } from '@floe/core'
import { VaultProvider, type VaultProviderOptions } from './provider.js'
export { SINGLE_VALUE_KEY } from './kv-data.js'
import { configSchema } from './validate.js'

export const provider: ProviderModule<VaultProviderOptions> = {
  name: 'vault',
  packageName: '@floe/provider-vault',
  configSchema,
  create: (options?: VaultProviderOptions) => new VaultProvider(options ?? {}),
}

export default provider

export { VaultProvider, type VaultProviderOptions, type VaultConnection } from './provider.js'
export {
  configSchema,
  resolveTarget,
  type VaultSecretConfig,
  type VaultTarget,
} from './validate.js'
export {
  VaultApi,
  createNodeVaultClient,
  vaultError,
  type NodeVaultClient,
  type VaultCall,
} from './client.js'
export { VaultSession, DEFAULT_JWT_PATH } from './auth.js'
export { signGetCallerIdentity } from './aws-iam-login.js'
export {
  buildVaultPolicies,
  emitVaultPolicy,
  emitter,
  vaultPolicyPaths,
  VaultPolicyBuilder,
  type VaultPolicyOptions,
  type VaultPolicyPaths,
} from './policy.js'
