export * from './kube-emulator.js'
export * from './eso-controller.js'
export {
  RESOURCE_TYPES as KUBERNETES_RESOURCE_TYPES,
  type ResourceType as KubernetesResourceType,
} from './resources.js'
