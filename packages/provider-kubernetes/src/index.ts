import type { ProviderModule } from '@floe/core'
import { createKubernetesProvider, type KubernetesProviderOptions } from './provider.js'
import { configSchema } from './validate.js'

export const provider: ProviderModule<KubernetesProviderOptions> = {
  name: 'kubernetes',
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
export {
  configSchema,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  SECRET_KEY,
  type KubernetesSecretConfig,
} from './validate.js'
export { KubeClient, apiStatusOf, toFloeError, type ApiStatus, type KubeObject } from './client.js'
export { loadKubeConfig, type LoadedKubeConfig } from './auth.js'
export {
  externalSecretStatusOf,
  getExternalSecret,
  readExternalSecretStatus,
  statusMetadata,
  type ExternalSecretStatus,
} from './status.js'
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
  planStagedRestart,
  runStagedRestart,
  summarizeStagedRestart,
  type StagedRestartOptions,
  type StagedRestartReport,
  type WorkloadRestart,
} from './staged-restart.js'
export { secretUses, describeUse, type SecretUse } from './consumers.js'
export { rolloutState, type RolloutState } from './rollout-wait.js'
export {
  consumingDeployments,
  dnsName,
  kubernetesNameOf,
  kubernetesSection,
  type KubernetesSection,
  type WorkloadRef,
} from './section.js'
export {
  formatAge,
  formatClusterValidation,
  formatExternalSecretStatus,
  formatSecretList,
  formatTable,
  syncCell,
} from './format.js'
export {
  externalSecretStatuses,
  listSecrets,
  validateInCluster,
  type ClusterOptions,
  type ClusterSecretCheck,
  type StatusRow,
} from './operations.js'
