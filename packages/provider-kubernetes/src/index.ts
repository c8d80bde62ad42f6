import type { ProviderModule } from '@floe/core'
import { createKubernetesProvider, type KubernetesProviderOptions } from './provider.js'
import { PROVIDER_NAME, configSchema } from './validate.js'

/** `provider: kubernetes` — Secrets read through the Kubernetes API. */
export const provider: ProviderModule<KubernetesProviderOptions> = {
  name: PROVIDER_NAME,
  packageName: '@floe/provider-kubernetes',
  configSchema,
  create: (options) => createKubernetesProvider(options),
}
export default provider

export {
  createKubernetesProvider,
  type KubernetesProviderOptions,
  type SecretTarget,
} from './provider.js'
export { PROVIDER_NAME, configSchema, type KubernetesSecretConfig } from './validate.js'
// the rotation hook (`floe.hook: kubernetes`): ESO sync and staged Deployment restarts
export {
  createRotationHook,
  hook,
  isEsoManaged,
  triggerExternalSecretSync,
  FORCE_SYNC_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  type KubernetesHookModule,
  type KubernetesHookOptions,
} from './hook.js'
export {
  consumingDeployments,
  dnsName,
  kubernetesNameOf,
  kubernetesSection,
  type KubernetesSection,
  type WorkloadRef,
} from './section.js'
export {
  externalSecretStatuses,
  validateInCluster,
  type ClusterOptions,
  type ClusterSecretCheck,
  type StatusRow,
} from './operations.js'
