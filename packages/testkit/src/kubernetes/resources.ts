/**
 * The resource types the emulator serves, with the facts the API server attaches to each:
 * group, versions, kind, scope, status subresource, whether strategic merge applies (built-in
 * types only) and whether an update may omit resourceVersion (built-ins yes, CRDs no).
 */
export interface ResourceType {
  group: string
  versions: string[]
  plural: string
  singular: string
  kind: string
  namespaced: boolean
  statusSubresource: boolean
  builtIn: boolean
  shortNames?: string[]
  /** serves `<plural>/<name>/scale` (autoscaling/v1 Scale over spec.replicas) */
  scaleSubresource?: boolean
}

const ESO = 'external-secrets.io'
const ESO_VERSIONS = ['v1', 'v1beta1']

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    versions: ['v1'],
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    statusSubresource: true,
    builtIn: true,
    shortNames: ['ns'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    statusSubresource: false,
    builtIn: true,
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    statusSubresource: false,
    builtIn: true,
    shortNames: ['cm'],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    statusSubresource: false,
    builtIn: true,
    shortNames: ['sa'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    statusSubresource: true,
    builtIn: true,
    shortNames: ['deploy'],
    scaleSubresource: true,
  },
  {
    group: 'batch',
    versions: ['v1'],
    plural: 'jobs',
    singular: 'job',
    kind: 'Job',
    namespaced: true,
    statusSubresource: true,
    builtIn: true,
  },
  {
    group: 'batch',
    versions: ['v1'],
    plural: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    namespaced: true,
    statusSubresource: true,
    builtIn: true,
    shortNames: ['cj'],
  },
  {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    plural: 'roles',
    singular: 'role',
    kind: 'Role',
    namespaced: true,
    statusSubresource: false,
    builtIn: true,
  },
  {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    plural: 'rolebindings',
    singular: 'rolebinding',
    kind: 'RoleBinding',
    namespaced: true,
    statusSubresource: false,
    builtIn: true,
  },
  {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    plural: 'clusterroles',
    singular: 'clusterrole',
    kind: 'ClusterRole',
    namespaced: false,
    statusSubresource: false,
    builtIn: true,
  },
  {
    group: 'rbac.authorization.k8s.io',
    versions: ['v1'],
    plural: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    kind: 'ClusterRoleBinding',
    namespaced: false,
    statusSubresource: false,
    builtIn: true,
  },
  {
    group: ESO,
    versions: ESO_VERSIONS,
    plural: 'externalsecrets',
    singular: 'externalsecret',
    kind: 'ExternalSecret',
    namespaced: true,
    statusSubresource: true,
    builtIn: false,
    shortNames: ['es'],
  },
  {
    group: ESO,
    versions: ESO_VERSIONS,
    plural: 'secretstores',
    singular: 'secretstore',
    kind: 'SecretStore',
    namespaced: true,
    statusSubresource: true,
    builtIn: false,
    shortNames: ['ss'],
  },
  {
    group: ESO,
    versions: ESO_VERSIONS,
    plural: 'clustersecretstores',
    singular: 'clustersecretstore',
    kind: 'ClusterSecretStore',
    namespaced: false,
    statusSubresource: true,
    builtIn: false,
    shortNames: ['css'],
  },
]

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (r) => r.group === group && r.plural === plural && r.versions.includes(version),
  )
}

export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes('/')
    ? (apiVersion.split('/') as [string, string])
    : ['', apiVersion]
  return RESOURCE_TYPES.find(
    (r) => r.group === group && r.kind === kind && r.versions.includes(version),
  )
}

/** "secrets" for core types, "externalsecrets.external-secrets.io" otherwise — as in Status messages */
export function qualifiedName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural
}

export function apiVersionOf(type: ResourceType, version: string): string {
  return type.group ? `${type.group}/${version}` : version
}
