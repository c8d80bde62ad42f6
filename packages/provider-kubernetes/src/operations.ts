import type { LoadedManifest, SecretListing } from '@floe/core'
import type { KubeConfig } from '@kubernetes/client-node'
import { KubeClient, toFloeError } from './client.js'
import { isEsoManaged } from './hook.js'
import { kubernetesNameOf, kubernetesSection } from './section.js'
import { readExternalSecretStatus, type ExternalSecretStatus } from './status.js'
import { connectionOf, type ConnectionConfig } from './validate.js'

export interface ClusterOptions {
  env?: NodeJS.ProcessEnv
  /** a ready KubeConfig (tests); otherwise kubeconfig/context/server from `connection` or the manifest */
  kubeConfig?: KubeConfig
  connection?: ConnectionConfig
}

/** One line of `floe secrets status` for an ESO-managed secret. */
export interface StatusRow {
  /** manifest secret name */
  secret: string
  status: ExternalSecretStatus
}

/**
 * `floe secrets list --namespace NS` (remote): names, types, key counts and creation times of
 * the Secrets in a namespace — never values. Format with `formatSecretList`.
 */
export async function listSecrets(
  namespace: string | undefined,
  options: ClusterOptions = {},
): Promise<SecretListing[]> {
  const client = await KubeClient.connect(
    options.connection ?? {},
    options.env ?? process.env,
    options.kubeConfig,
  ).catch((e: unknown) => {
    throw toFloeError(e, 'connect')
  })
  const ns = namespace ?? client.defaultNamespace
  try {
    return (await client.listSecrets(ns)).map((item) => ({
      name: item.metadata?.name ?? '',
      ...(item.type ? { type: item.type } : {}),
      keys: Object.keys(item.data ?? {}).length,
      ...(item.metadata?.creationTimestamp
        ? { createdAt: new Date(item.metadata.creationTimestamp) }
        : {}),
    }))
  } catch (error) {
    throw toFloeError(error, `list Secrets in namespace ${ns}`)
  }
}

/**
 * `floe secrets status`: the ESO sync status of every ESO-managed secret of the manifest
 * (plugins.secrets.type external-secrets|vault, or `external_secret:` on a definition), in
 * manifest order. A missing ExternalSecret is a row with sync "NotFound". Format the rows'
 * `status` with `formatExternalSecretStatus`.
 */
export async function externalSecretStatuses(
  manifest: LoadedManifest,
  options: ClusterOptions & { secrets?: readonly string[] } = {},
): Promise<StatusRow[]> {
  const section = kubernetesSection(manifest)
  const connection =
    options.connection ?? connectionOf(section as unknown as Record<string, unknown>)
  const client = await KubeClient.connect(
    connection,
    options.env ?? process.env,
    options.kubeConfig,
  ).catch((e: unknown) => {
    throw toFloeError(e, 'connect')
  })
  const wanted = options.secrets ? new Set(options.secrets) : undefined
  const rows: StatusRow[] = []
  for (const definition of Object.values(manifest.secrets)) {
    if (wanted && !wanted.has(definition.name)) continue
    if (!isEsoManaged(definition, manifest)) continue
    const namespace =
      (definition.provider === 'kubernetes' && typeof definition.fields.namespace === 'string'
        ? definition.fields.namespace
        : undefined) ??
      section.namespace ??
      client.defaultNamespace
    const name =
      typeof definition.fields.external_secret === 'string'
        ? definition.fields.external_secret
        : kubernetesNameOf(definition, section)
    const expectedKeys = definition.provider === 'kubernetes' ? (definition.keys ?? []) : []
    const status = await readExternalSecretStatus(client, namespace, name, { expectedKeys })
    rows.push({
      secret: definition.name,
      status: status ?? {
        name,
        namespace,
        store: '',
        storeKind: '',
        sync: 'NotFound',
        message: `ExternalSecret ${namespace}/${name} not found (emit it with: floe secrets emit k8s)`,
        target: name,
        expectedKeys,
        missingKeys: [],
        apiVersion: '',
      },
    })
  }
  return rows
}
