// Kubernetes naming has one owner, @floe/core (shared with @floe/provider-kubernetes).
export {
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  dnsName,
  isDns1123Label,
  isDns1123Subdomain,
  kubernetesNameOf,
} from '@floe/core'
