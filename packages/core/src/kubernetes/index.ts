export {
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  dnsName,
  isDns1123Label,
  isDns1123Subdomain,
  kubernetesNameOf,
} from './names.js'
export {
  kubernetesSettings,
  type ExternalSecretsSettings,
  type KubernetesSectionSource,
  type KubernetesSettings,
  type SecretsBackend,
  type WorkloadKind,
  type WorkloadSpec,
} from './section.js'
