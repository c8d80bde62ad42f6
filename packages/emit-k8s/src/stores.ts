import { dnsName, type SecretDefinition } from '@floe/core'
import type { ExternalSecretsSettings, KubernetesSettings } from '@floe/core'

export interface K8sMetadata {
  name: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

/** An emitted Kubernetes object (plain data, ready for YAML). */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: K8sMetadata
  [field: string]: unknown
}

/** ESO provider block + the remoteRef of one secret key, per floe provider. */
export interface StoreBinding {
  /** floe provider name */
  provider: string
  /** store name */
  name: string
  /** what distinguishes two stores of the same provider (region, project, vault url, mount) */
  identity: string
  /** spec.provider of the store */
  spec: Record<string, unknown>
}

export interface RemoteRef {
  key: string
  property?: string
  version?: string
}

export const DEFAULT_STORE_NAMES: Record<string, string> = {
  aws_secrets_manager: 'aws-secrets-manager',
  aws_parameter_store: 'aws-parameter-store',
  gcp_secret_manager: 'gcp-secret-manager',
  azure_key_vault: 'azure-keyvault',
  vault: 'vault',
}

export const SYNCABLE_PROVIDERS = Object.keys(DEFAULT_STORE_NAMES)

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined
const rec = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

/** `secret/data/production/kafka` → mount `secret`, key `production/kafka` (KV v2 paths). */
export function splitVaultPath(path: string, prefix?: string): { mount: string; key: string } {
  const clean = path.replace(/^\/+/, '')
  const data = clean.indexOf('/data/')
  if (data > 0) return { mount: clean.slice(0, data), key: clean.slice(data + 6) }
  if (prefix) {
    const [mount, ...rest] = prefix.replace(/^\/+|\/+$/g, '').split('/')
    return { mount: mount as string, key: [...rest, clean].filter(Boolean).join('/') }
  }
  const [mount, ...rest] = clean.split('/')
  return { mount: mount as string, key: rest.join('/') }
}

/**
 * The store a secret syncs through and its provider block (auth: AWS jwt
 * service-account refs, GCP workload identity, Azure managed identity, Vault kubernetes auth).
 * Returns a reason string when the definition cannot be synced by ESO.
 */
export function storeFor(
  definition: SecretDefinition,
  settings: KubernetesSettings,
): Omit<StoreBinding, 'name'> | string {
  const f = definition.fields
  const cfg = settings.backendConfig
  const es: ExternalSecretsSettings = settings.externalSecrets
  const sa = {
    name: es.serviceAccount.name,
    ...(es.storeKind === 'ClusterSecretStore' ? { namespace: es.serviceAccount.namespace } : {}),
  }
  switch (definition.provider) {
    case 'aws_secrets_manager':
    case 'aws_parameter_store': {
      const region = str(f.region) ?? str(cfg.region)
      if (!region) return 'needs `region:` (on the secret or plugins.secrets.config.region)'
      const service =
        definition.provider === 'aws_secrets_manager' ? 'SecretsManager' : 'ParameterStore'
      const role = str(rec(f.auth).role_arn)
      return {
        provider: definition.provider,
        identity: region + (role ? `|${role}` : ''),
        spec: {
          aws: {
            service,
            region,
            ...(role ? { role } : {}),
            auth: { jwt: { serviceAccountRef: sa } },
          },
        },
      }
    }
    case 'gcp_secret_manager': {
      const project = str(f.project) ?? str(cfg.project)
      if (!project) return 'needs `project:` (on the secret or plugins.secrets.config.project)'
      const wi = es.gcp
      return {
        provider: definition.provider,
        identity: project,
        spec: {
          gcpsm: {
            projectID: project,
            auth: {
              workloadIdentity: {
                ...(wi.clusterLocation ? { clusterLocation: wi.clusterLocation } : {}),
                ...(wi.clusterName ? { clusterName: wi.clusterName } : {}),
                ...(wi.clusterProjectId ? { clusterProjectID: wi.clusterProjectId } : {}),
                serviceAccountRef: sa,
              },
            },
          },
        },
      }
    }
    case 'azure_key_vault': {
      const vaultUrl = str(f.vault_url) ?? str(cfg.vault_url)
      if (!vaultUrl) return 'needs `vault_url:` (on the secret or plugins.secrets.config.vault_url)'
      const auth = str(rec(f.auth).type)
      const spec: Record<string, unknown> =
        auth === 'workload_identity'
          ? { vaultUrl, authType: 'WorkloadIdentity', serviceAccountRef: sa }
          : {
              vaultUrl,
              authType: 'ManagedIdentity',
              ...(str(rec(f.auth).client_id) ? { identityId: str(rec(f.auth).client_id) } : {}),
            }
      return { provider: definition.provider, identity: vaultUrl, spec: { azurekv: spec } }
    }
    case 'vault': {
      const server = str(rec(f.vault).address) ?? str(cfg.address)
      if (!server) return 'needs `vault.address:` (or plugins.secrets.config.address)'
      const path = str(f.path)
      if (!path) return 'needs `path:`'
      if (f.type === 'dynamic' || definition.kind === 'dynamic')
        return 'is a dynamic Vault secret: ESO cannot sync leases (use the Vault agent or floe exec)'
      const { mount } = splitVaultPath(path, str(cfg.secret_path_prefix))
      const method = str(rec(f.auth).method) ?? str(cfg.auth_method) ?? 'kubernetes'
      const role = str(rec(f.auth).role) ?? str(cfg.role) ?? 'floe'
      const namespace = str(rec(f.vault).namespace)
      let auth: Record<string, unknown>
      if (method === 'kubernetes')
        auth = {
          kubernetes: {
            mountPath: str(cfg.mount_path) ?? 'kubernetes',
            role,
            serviceAccountRef: sa,
          },
        }
      else if (method === 'approle')
        auth = {
          appRole: {
            path: str(cfg.mount_path) ?? 'approle',
            roleId: str(rec(f.auth).role_id) ?? role,
            secretRef: {
              name: 'vault-approle',
              key: 'secret-id',
              ...(es.storeKind === 'ClusterSecretStore'
                ? { namespace: es.serviceAccount.namespace }
                : {}),
            },
          },
        }
      else if (method === 'token')
        auth = {
          tokenSecretRef: {
            name: 'vault-token',
            key: 'token',
            ...(es.storeKind === 'ClusterSecretStore'
              ? { namespace: es.serviceAccount.namespace }
              : {}),
          },
        }
      else
        return `uses Vault auth "${method}", which floe cannot express as an ESO store (use kubernetes, approle or token)`
      return {
        provider: 'vault',
        identity: `${server}|${mount}|${method}|${role}${namespace ? `|${namespace}` : ''}`,
        spec: {
          vault: { server, path: mount, version: 'v2', ...(namespace ? { namespace } : {}), auth },
        },
      }
    }
    default:
      return `uses provider "${definition.provider}", which External Secrets Operator cannot sync`
  }
}

/** remoteRef for one source key (undefined = the whole secret). */
export function remoteRefFor(
  definition: SecretDefinition,
  sourceKey: string | undefined,
  settings: KubernetesSettings,
): RemoteRef {
  const f = definition.fields
  const withKey = (ref: RemoteRef): RemoteRef =>
    sourceKey === undefined ? ref : { ...ref, property: sourceKey }
  switch (definition.provider) {
    case 'aws_secrets_manager': {
      const stage = str(f.version_stage)
      const id = str(f.version_id)
      return withKey({
        key: str(f.secret_id) ?? definition.name,
        ...(id
          ? { version: `uuid/${id}` }
          : stage && stage !== 'AWSCURRENT'
            ? { version: stage }
            : {}),
      })
    }
    case 'aws_parameter_store':
      return withKey({ key: str(f.name) ?? definition.name })
    case 'gcp_secret_manager': {
      const version =
        typeof f.version === 'string' || typeof f.version === 'number'
          ? String(f.version)
          : undefined
      return withKey({
        key: str(f.secret) ?? definition.name,
        ...(version && version !== 'latest' ? { version } : {}),
      })
    }
    case 'azure_key_vault': {
      const version = str(f.version)
      return withKey({
        key: str(f.secret_name) ?? definition.name,
        ...(version && version !== 'latest' ? { version } : {}),
      })
    }
    case 'vault':
      return withKey({
        key: splitVaultPath(
          str(f.path) ?? definition.name,
          str(settings.backendConfig.secret_path_prefix),
        ).key,
      })
    default:
      return withKey({ key: definition.name })
  }
}

/** Names stores: configured names, else the seed-004 defaults; a second store of a provider gets a suffix. */
export function nameStores(
  bindings: Omit<StoreBinding, 'name'>[],
  settings: KubernetesSettings,
): Map<string, StoreBinding> {
  const byIdentity = new Map<string, StoreBinding>()
  const kinds = new Set(bindings.map((b) => b.provider))
  const seenPerProvider = new Map<string, number>()
  const sorted = [...bindings].sort((a, b) =>
    `${a.provider}|${a.identity}`.localeCompare(`${b.provider}|${b.identity}`),
  )
  for (const binding of sorted) {
    const id = `${binding.provider}|${binding.identity}`
    if (byIdentity.has(id)) continue
    const n = seenPerProvider.get(binding.provider) ?? 0
    seenPerProvider.set(binding.provider, n + 1)
    const base =
      settings.externalSecrets.stores[binding.provider] ??
      (kinds.size === 1 && settings.externalSecrets.store
        ? settings.externalSecrets.store
        : undefined) ??
      DEFAULT_STORE_NAMES[binding.provider] ??
      dnsName(binding.provider)
    byIdentity.set(id, {
      ...binding,
      name: n === 0 ? base : `${base}-${dnsName(binding.identity.split('|')[0] ?? String(n))}`,
    })
  }
  return byIdentity
}
