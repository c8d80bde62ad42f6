import type { SecretProjection } from './projection.js'
import type { KubernetesSettings, WorkloadSpec } from '@floe/core'
import type { K8sObject, RemoteRef, StoreBinding } from './stores.js'

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'floe' }
export const SECRET_ANNOTATION = 'floe.dev/secret'
export const CREATE_ANNOTATION = 'floe.dev/create-command'
export const RELOADER_AUTO = 'reloader.stakater.com/auto'
export const RELOADER_SECRETS = 'secret.reloader.stakater.com/reload'

export function secretStoreObject(store: StoreBinding, settings: KubernetesSettings): K8sObject {
  const es = settings.externalSecrets
  return {
    apiVersion: `external-secrets.io/${es.apiVersion}`,
    kind: es.storeKind,
    metadata: {
      name: store.name,
      ...(es.storeKind === 'SecretStore' ? { namespace: settings.namespace } : {}),
      labels: { ...MANAGED_BY },
    },
    spec: { provider: store.spec },
  }
}

export function externalSecretObject(
  projection: SecretProjection,
  store: StoreBinding,
  remoteRefs: RemoteRef[],
  settings: KubernetesSettings,
): K8sObject {
  const es = settings.externalSecrets
  return {
    apiVersion: `external-secrets.io/${es.apiVersion}`,
    kind: 'ExternalSecret',
    metadata: {
      name: projection.name,
      namespace: projection.namespace,
      labels: { ...MANAGED_BY },
      annotations: { [SECRET_ANNOTATION]: projection.definition.name },
    },
    spec: {
      refreshInterval: es.refreshInterval,
      secretStoreRef: { name: store.name, kind: es.storeKind },
      target: { name: projection.name, creationPolicy: 'Owner' },
      data: projection.keys.map((key, i) => ({
        secretKey: key.secretKey,
        remoteRef: remoteRefs[i],
      })),
    },
  }
}

/** A v1 Secret without values: empty stringData placeholders and the command that fills them. */
export function placeholderSecretObject(
  projection: SecretProjection,
  values?: Record<string, string>,
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: projection.name,
      namespace: projection.namespace,
      labels: { ...MANAGED_BY },
      annotations: {
        [SECRET_ANNOTATION]: projection.definition.name,
        ...(values ? {} : { [CREATE_ANNOTATION]: createCommand(projection) }),
      },
    },
    type: 'Opaque',
    stringData: Object.fromEntries(
      projection.keys.map((k) => [k.secretKey, values?.[k.secretKey] ?? '']),
    ),
  }
}

/**
 * How to fill a placeholder. A `provider: kubernetes` secret lives in the cluster, so
 * `floe secrets create` writes it there; any other secret lives at its source, and its
 * Kubernetes copy comes from resolving it (`emit k8s --include-values`, never committed).
 */
export function createCommand(projection: SecretProjection): string {
  return projection.native
    ? `floe secrets create ${projection.definition.name}`
    : `floe secrets emit k8s --include-values -o .floe-k8s && kubectl apply -f .floe-k8s/floe-k8s.yaml && rm -r .floe-k8s`
}

/** `kubectl create configmap dbt-profiles --from-file=profiles.yml` as an object, for emit-dbt. */
export function dbtProfilesConfigMap(
  name: string,
  namespace: string,
  profilesYaml: string,
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { ...MANAGED_BY } },
    data: { 'profiles.yml': profilesYaml },
  }
}

/**
 * A strategic-merge patch that wires the secrets into a workload's containers (apply with
 * kustomize `patches:` or `kubectl patch --type strategic --patch-file`). Deployments also get
 * the Reloader annotation so a changed Secret restarts their pods.
 */
/** Where a workload reads the dbt profiles ConfigMap: mounted at `mountPath`, named by DBT_PROFILES_DIR. */
export interface DbtProfilesMount {
  configMap: string
  mountPath: string
}

export const DBT_PROFILES_VOLUME = 'dbt-profiles'
export const DEFAULT_DBT_PROFILES_DIR = '/etc/dbt'

export function workloadPatch(
  workload: WorkloadSpec,
  projections: SecretProjection[],
  settings: KubernetesSettings,
  dbtProfiles?: DbtProfilesMount,
): K8sObject {
  const envFrom: Record<string, unknown>[] = []
  const env: Record<string, unknown>[] = []
  for (const p of projections) {
    // envFrom exposes keys under their own names: right when the Secret is keyed by env name
    const keyedByEnv = !p.native && p.keys.every((k) => k.envNames[0] === k.secretKey)
    if (workload.envFrom && keyedByEnv) envFrom.push({ secretRef: { name: p.name } })
    for (const key of p.keys) {
      const names = workload.envFrom && keyedByEnv ? key.envNames.slice(1) : key.envNames
      for (const name of names)
        env.push({ name, valueFrom: { secretKeyRef: { name: p.name, key: key.secretKey } } })
    }
  }
  // dbt reads profiles.yml from DBT_PROFILES_DIR: the ConfigMap is mounted there
  if (dbtProfiles) env.push({ name: 'DBT_PROFILES_DIR', value: dbtProfiles.mountPath })
  env.sort((a, b) => String(a.name).localeCompare(String(b.name)))
  const volumeMounts = dbtProfiles
    ? [{ name: DBT_PROFILES_VOLUME, mountPath: dbtProfiles.mountPath, readOnly: true }]
    : []
  const containers = workload.containers.map((name) => ({
    name,
    ...(envFrom.length ? { envFrom } : {}),
    ...(env.length ? { env } : {}),
    ...(volumeMounts.length ? { volumeMounts } : {}),
  }))
  const podSpec = {
    ...(workload.serviceAccount ? { serviceAccountName: workload.serviceAccount } : {}),
    containers,
    ...(dbtProfiles
      ? { volumes: [{ name: DBT_PROFILES_VOLUME, configMap: { name: dbtProfiles.configMap } }] }
      : {}),
  }
  const annotations: Record<string, string> | undefined =
    workload.kind !== 'Deployment' || settings.reloader === 'none'
      ? undefined
      : settings.reloader === 'auto'
        ? { [RELOADER_AUTO]: 'true' }
        : { [RELOADER_SECRETS]: [...new Set(projections.map((p) => p.name))].sort().join(',') }
  const template = { spec: podSpec }
  const metadata = {
    name: workload.name,
    namespace: workload.namespace,
    ...(annotations ? { annotations } : {}),
  }
  if (workload.kind === 'Deployment')
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { template } }
  if (workload.kind === 'Job')
    return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { template } }
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: { jobTemplate: { spec: { template } } },
  }
}

/**
 * Role + RoleBinding letting one service account `get` exactly the Secrets it reads
 * (never broad secret access: resourceNames only).
 */
export function rbacObjects(
  serviceAccount: { name: string; namespace: string },
  secretNamespace: string,
  secretNames: string[],
): K8sObject[] {
  const prefix = serviceAccount.namespace === secretNamespace ? '' : `${serviceAccount.namespace}-`
  const name = `floe-secrets-${prefix}${serviceAccount.name}`.slice(0, 253)
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: secretNamespace, labels: { ...MANAGED_BY } },
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [...new Set(secretNames)].sort(),
          verbs: ['get'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: secretNamespace, labels: { ...MANAGED_BY } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [
        { kind: 'ServiceAccount', name: serviceAccount.name, namespace: serviceAccount.namespace },
      ],
    },
  ]
}
