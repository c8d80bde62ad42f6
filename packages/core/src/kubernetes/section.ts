import { AggregateConfigError, ConfigError } from '../errors.js'
import type { LoadedManifest } from '../types.js'
import { isDns1123Label, isDns1123Subdomain } from './names.js'

export type WorkloadKind = 'Deployment' | 'Job' | 'CronJob'
export type SecretsBackend = 'k8s' | 'external-secrets' | 'vault'

export interface WorkloadSpec {
  kind: WorkloadKind
  name: string
  /** namespace of the workload (default: kubernetes.namespace) */
  namespace: string
  /** pod service account (RBAC subject); default kubernetes.service_account */
  serviceAccount?: string
  /** containers that receive the secrets (default: one named after the workload) */
  containers: string[]
  /** manifest secret names */
  secrets: string[]
  /** envFrom.secretRef (true, default) or one env.valueFrom.secretKeyRef per key (false) */
  envFrom: boolean
}

export interface ExternalSecretsSettings {
  /** store name override (else plugins.secrets.config.store, else per-provider defaults) */
  store?: string
  /** per-provider store names: { aws_secrets_manager: my-store } */
  stores: Record<string, string>
  storeKind: 'ClusterSecretStore' | 'SecretStore'
  refreshInterval: string
  apiVersion: 'v1' | 'v1beta1'
  /** emit the stores themselves (false when the platform team owns them) */
  emitStores: boolean
  /** service account ESO authenticates as (jwt / workload identity / vault kubernetes auth) */
  serviceAccount: { name: string; namespace: string }
  /** GKE workload identity: cluster_location, cluster_name, cluster_project_id */
  gcp: { clusterLocation?: string; clusterName?: string; clusterProjectId?: string }
}

export interface KubernetesSettings {
  /** `kubernetes.namespace` as written (`namespace` falls back to "default") */
  declaredNamespace?: string
  /** cluster connection: kubeconfig context, kubeconfig path, API server URL */
  context?: string
  kubeconfig?: string
  server?: string
  backend: SecretsBackend
  /** plugins.secrets.config (loosely typed) */
  backendConfig: Record<string, unknown>
  namespace: string
  serviceAccount?: string
  names: Record<string, string>
  workloads: WorkloadSpec[]
  externalSecrets: ExternalSecretsSettings
  reloader: 'auto' | 'explicit' | 'none'
  rbac: boolean
}

type Raw = Record<string, unknown>
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const KNOWN = {
  kubernetes: [
    'namespace',
    'service_account',
    'secrets',
    'workloads',
    'external_secrets',
    'reloader',
    'rbac',
    'context',
    'kubeconfig',
    'server',
  ],
  workload: [
    'kind',
    'name',
    'namespace',
    'service_account',
    'containers',
    'container',
    'secrets',
    'env_from',
  ],
  externalSecrets: [
    'store',
    'stores',
    'store_kind',
    'refresh_interval',
    'api_version',
    'emit_stores',
    'service_account',
    'gcp',
  ],
  reloader: ['mode'],
}

/** What `readKubernetesSection` needs of a manifest (a partial one skips the cross-checks). */
export type KubernetesSectionSource = Pick<LoadedManifest, 'kubernetes'> &
  Partial<Pick<LoadedManifest, 'secrets' | 'plugins' | 'locate'>>

interface KubernetesSectionRead {
  settings: KubernetesSettings
  /** every problem found, each with its line when the manifest can locate it */
  problems: ConfigError[]
}

/**
 * Throws the problems of a read: one as itself, several as an AggregateConfigError.
 */
function throwProblems(problems: ConfigError[]): void {
  if (problems.length === 1) throw problems[0] as ConfigError
  if (problems.length) throw new AggregateConfigError(problems)
}

/**
 * Reads and checks the manifest's `kubernetes:` section plus `plugins.secrets` (the reference is
 * @floe/emit-k8s's README, "The kubernetes: section"), and throws every problem at once, with
 * its line. `floe secrets emit k8s` reads the section this way; given only `kubernetes` (and
 * `locate`), the checks against `secrets:` and `plugins.secrets` are skipped.
 */
export function kubernetesSettings(
  manifest: KubernetesSectionSource,
  label = 'kubernetes emit',
): KubernetesSettings {
  const { settings, problems } = readKubernetesSection(manifest, label)
  throwProblems(problems)
  return settings
}

/**
 * The one reader of the `kubernetes:` section: the settings, with what is wrong collected
 * instead of thrown (entries that cannot be used are left out). `label` starts each message.
 */
function readKubernetesSection(
  manifest: KubernetesSectionSource,
  label = 'kubernetes',
): KubernetesSectionRead {
  const errors: ConfigError[] = []
  const fail = (path: (string | number)[], message: string): void =>
    void errors.push(
      new ConfigError(`${label}: ${path.join('.')}: ${message}`, {
        location: manifest.locate?.(path),
      }),
    )
  const declared = (name: string): boolean => !manifest.secrets || name in manifest.secrets
  const unknown = (raw: Raw, known: string[], path: (string | number)[]): void => {
    for (const key of Object.keys(raw))
      if (!known.includes(key))
        fail([...path, key], `unknown field (expected one of: ${known.join(', ')})`)
  }
  const str = (raw: Raw, key: string, path: (string | number)[]): string | undefined => {
    const value = raw[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string' || !value) {
      fail([...path, key], 'must be a non-empty string')
      return undefined
    }
    return value
  }

  const plugins = isRecord(manifest.plugins) ? manifest.plugins : {}
  const secretsPlugin = isRecord(plugins.secrets) ? plugins.secrets : {}
  const type = secretsPlugin.type ?? 'k8s'
  let backend: SecretsBackend = 'k8s'
  if (type === 'k8s' || type === 'external-secrets' || type === 'vault') backend = type
  else fail(['plugins', 'secrets', 'type'], 'must be k8s, external-secrets or vault')
  const backendConfig = isRecord(secretsPlugin.config) ? secretsPlugin.config : {}

  const raw: Raw = isRecord(manifest.kubernetes) ? manifest.kubernetes : {}
  unknown(raw, KNOWN.kubernetes, ['kubernetes'])
  const declaredNamespace = str(raw, 'namespace', ['kubernetes'])
  const namespace = declaredNamespace ?? 'default'
  if (!isDns1123Label(namespace))
    fail(
      ['kubernetes', 'namespace'],
      `"${namespace}" is not a valid namespace name (RFC 1123 label)`,
    )
  const serviceAccount = str(raw, 'service_account', ['kubernetes'])
  if (serviceAccount && !isDns1123Subdomain(serviceAccount))
    fail(['kubernetes', 'service_account'], `"${serviceAccount}" is not a valid name`)

  const names: Record<string, string> = {}
  if (raw.secrets !== undefined) {
    if (!isRecord(raw.secrets))
      fail(['kubernetes', 'secrets'], 'must be a map of secret name → { name }')
    else
      for (const [secret, value] of Object.entries(raw.secrets)) {
        const name = typeof value === 'string' ? value : isRecord(value) ? value.name : undefined
        if (typeof name !== 'string' || !isDns1123Subdomain(name))
          fail(['kubernetes', 'secrets', secret], 'needs `name:` — a valid Kubernetes name')
        else names[secret] = name
        if (!declared(secret))
          fail(
            ['kubernetes', 'secrets', secret],
            `no secret "${secret}" is declared under secrets:`,
          )
      }
  }

  const workloads: WorkloadSpec[] = []
  const rawWorkloads = raw.workloads ?? []
  if (!Array.isArray(rawWorkloads)) fail(['kubernetes', 'workloads'], 'must be a list')
  else
    rawWorkloads.forEach((w: unknown, i) => {
      const path = ['kubernetes', 'workloads', i]
      if (!isRecord(w)) return fail(path, 'must be a map')
      unknown(w, KNOWN.workload, path)
      const kind = w.kind ?? 'Deployment'
      if (kind !== 'Deployment' && kind !== 'Job' && kind !== 'CronJob')
        fail([...path, 'kind'], 'must be Deployment, Job or CronJob')
      const name = str(w, 'name', path)
      if (!name) return fail([...path, 'name'], 'is required')
      if (!isDns1123Subdomain(name))
        fail([...path, 'name'], `"${name}" is not a valid Kubernetes name`)
      const secrets = Array.isArray(w.secrets) ? w.secrets.map(String) : []
      if (!Array.isArray(w.secrets) || !secrets.length)
        fail([...path, 'secrets'], 'must list the secrets the workload consumes')
      secrets.forEach((s, j) => {
        if (!declared(s))
          fail([...path, 'secrets', j], `no secret "${s}" is declared under secrets:`)
      })
      const containers = Array.isArray(w.containers)
        ? w.containers.map(String)
        : typeof w.container === 'string'
          ? [w.container]
          : [name]
      containers.forEach((c, j) => {
        if (!isDns1123Label(c))
          fail([...path, 'containers', j], `"${c}" is not a valid container name`)
      })
      if (w.env_from !== undefined && typeof w.env_from !== 'boolean')
        fail([...path, 'env_from'], 'must be true or false')
      const sa = str(w, 'service_account', path) ?? serviceAccount
      workloads.push({
        kind: kind as WorkloadKind,
        name,
        namespace: str(w, 'namespace', path) ?? namespace,
        ...(sa ? { serviceAccount: sa } : {}),
        containers,
        secrets,
        envFrom: w.env_from !== false,
      })
    })
  const seen = new Set<string>()
  for (const w of workloads) {
    const id = `${w.kind}/${w.namespace}/${w.name}`
    if (seen.has(id)) fail(['kubernetes', 'workloads'], `${w.kind} ${w.name} is listed twice`)
    seen.add(id)
  }

  const es: Raw = isRecord(raw.external_secrets) ? raw.external_secrets : {}
  if (raw.external_secrets !== undefined && !isRecord(raw.external_secrets))
    fail(['kubernetes', 'external_secrets'], 'must be a map')
  unknown(es, KNOWN.externalSecrets, ['kubernetes', 'external_secrets'])
  const esPath = ['kubernetes', 'external_secrets']
  const storeKind = es.store_kind ?? 'ClusterSecretStore'
  if (storeKind !== 'ClusterSecretStore' && storeKind !== 'SecretStore')
    fail([...esPath, 'store_kind'], 'must be ClusterSecretStore or SecretStore')
  const apiVersion = es.api_version ?? 'v1'
  if (apiVersion !== 'v1' && apiVersion !== 'v1beta1')
    fail([...esPath, 'api_version'], 'must be v1 or v1beta1')
  const refreshInterval =
    str(es, 'refresh_interval', esPath) ??
    (typeof backendConfig.refresh_interval === 'string' ? backendConfig.refresh_interval : '1h')
  if (!/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$|^0$/.test(refreshInterval))
    fail(
      [...esPath, 'refresh_interval'],
      `"${refreshInterval}" is not a duration like 1h, 30m or 15s`,
    )
  const stores: Record<string, string> = {}
  if (isRecord(es.stores))
    for (const [provider, name] of Object.entries(es.stores)) {
      if (typeof name !== 'string' || !isDns1123Subdomain(name))
        fail([...esPath, 'stores', provider], 'must be a valid store name')
      else stores[provider] = name
    }
  const sa = isRecord(es.service_account) ? es.service_account : {}
  const gcp = isRecord(es.gcp) ? es.gcp : {}
  const store =
    str(es, 'store', esPath) ??
    (typeof backendConfig.store === 'string' ? backendConfig.store : undefined)

  const reloaderRaw: Raw = isRecord(raw.reloader) ? raw.reloader : {}
  unknown(reloaderRaw, KNOWN.reloader, ['kubernetes', 'reloader'])
  const reloader = reloaderRaw.mode ?? (raw.reloader === false ? 'none' : 'auto')
  if (reloader !== 'auto' && reloader !== 'explicit' && reloader !== 'none')
    fail(['kubernetes', 'reloader', 'mode'], 'must be auto, explicit or none')

  // connection fields are read as they are: the cluster client reports a bad one
  const connection = Object.fromEntries(
    (['context', 'kubeconfig', 'server'] as const)
      .map((key) => [key, raw[key]] as const)
      .filter(([, value]) => typeof value === 'string' && value),
  ) as Pick<KubernetesSettings, 'context' | 'kubeconfig' | 'server'>
  const settings: KubernetesSettings = {
    ...(declaredNamespace ? { declaredNamespace } : {}),
    ...connection,
    backend,
    backendConfig,
    namespace,
    ...(serviceAccount ? { serviceAccount } : {}),
    names,
    workloads,
    externalSecrets: {
      ...(store ? { store } : {}),
      stores,
      storeKind: storeKind as ExternalSecretsSettings['storeKind'],
      refreshInterval,
      apiVersion: apiVersion as 'v1' | 'v1beta1',
      emitStores: es.emit_stores !== false,
      serviceAccount: {
        name: typeof sa.name === 'string' ? sa.name : 'external-secrets',
        namespace: typeof sa.namespace === 'string' ? sa.namespace : 'external-secrets',
      },
      gcp: {
        ...(typeof gcp.cluster_location === 'string'
          ? { clusterLocation: gcp.cluster_location }
          : {}),
        ...(typeof gcp.cluster_name === 'string' ? { clusterName: gcp.cluster_name } : {}),
        ...(typeof gcp.cluster_project_id === 'string'
          ? { clusterProjectId: gcp.cluster_project_id }
          : {}),
      },
    },
    reloader: reloader as KubernetesSettings['reloader'],
    rbac: raw.rbac !== false,
  }
  return { settings, problems: errors }
}
