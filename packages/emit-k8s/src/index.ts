import type { EmitterModule } from '@floe/core'
import { emitKubernetes } from './emit.js'

export const emitter: EmitterModule = {
  name: 'k8s',
  packageName: '@floe/emit-k8s',
  options: {
    layout: '`directory`: one file per object kind instead of one stream',
    dbt_profiles: 'path (relative to the manifest) of a profiles.yml to ship as a ConfigMap',
    dbt_configmap: 'name of the dbt profiles ConfigMap',
    dbt_profiles_dir: 'where the dbt profiles ConfigMap is mounted (DBT_PROFILES_DIR)',
    dbtProfilesYaml:
      'profiles.yml text to ship as a ConfigMap (for programs; the CLI uses dbt_profiles)',
  },
  emit: emitKubernetes,
}
export default emitter

export {
  buildKubernetesObjects,
  emissionFiles,
  emitKubernetes,
  objectId,
  toYamlStream,
  type K8sEmission,
  type K8sEmitOptions,
} from './emit.js'
export {
  createCommand,
  dbtProfilesConfigMap,
  externalSecretObject,
  placeholderSecretObject,
  rbacObjects,
  secretStoreObject,
  workloadPatch,
  CREATE_ANNOTATION,
  MANAGED_BY,
  RELOADER_AUTO,
  RELOADER_SECRETS,
  SECRET_ANNOTATION,
} from './objects.js'
export { projectSecret, type ProjectedKey, type SecretProjection } from './projection.js'
export {
  kubernetesSettings,
  type ExternalSecretsSettings,
  type KubernetesSettings,
  type SecretsBackend,
  type WorkloadKind,
  type WorkloadSpec,
} from '@floe/core'
export {
  DEFAULT_STORE_NAMES,
  nameStores,
  remoteRefFor,
  splitVaultPath,
  storeFor,
  SYNCABLE_PROVIDERS,
  type K8sObject,
  type RemoteRef,
  type StoreBinding,
} from './stores.js'
export {
  dnsName,
  isDns1123Label,
  isDns1123Subdomain,
  kubernetesNameOf,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
} from '@floe/core'
