import type { LoadedManifest, SecretDefinition } from '@floe/core'
import type { KubeConfig } from '@kubernetes/client-node'
import { KubeClient } from './client.js'
import { isEsoManaged } from './hook.js'
import { kubernetesNameOf, kubernetesSection, type KubernetesSection } from './section.js'
import { readExternalSecretStatus, type ExternalSecretStatus } from './status.js'
import { connectionOf, type ConnectionConfig } from './validate.js'
import { toFloeError } from './errors.js'

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

/** The manifest's `kubernetes:` section and a client for its cluster (or `options`' own). */
async function connectFor(
  manifest: LoadedManifest,
  options: ClusterOptions,
): Promise<{ section: KubernetesSection; client: KubeClient }> {
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
  return { section, client }
}

/** A kubernetes definition's own namespace, else the section's, else the context's. */
function namespaceOf(
  definition: SecretDefinition | undefined,
  section: KubernetesSection,
  client: KubeClient,
): string {
  return (
    (definition?.provider === 'kubernetes' && typeof definition.fields.namespace === 'string'
      ? definition.fields.namespace
      : undefined) ??
    section.namespace ??
    client.defaultNamespace
  )
}

/**
 * `floe secrets status`: the ESO sync status of every ESO-managed secret of the manifest
 * (plugins.secrets.type external-secrets|vault, or `external_secret:` on a definition), in
 * manifest order. A missing ExternalSecret is a row with sync "NotFound".
 */
export async function externalSecretStatuses(
  manifest: LoadedManifest,
  options: ClusterOptions & { secrets?: readonly string[] } = {},
): Promise<StatusRow[]> {
  const { section, client } = await connectFor(manifest, options)
  const wanted = options.secrets ? new Set(options.secrets) : undefined
  const rows: StatusRow[] = []
  for (const definition of Object.values(manifest.secrets)) {
    if (wanted && !wanted.has(definition.name)) continue
    if (!isEsoManaged(definition, manifest)) continue
    const namespace = namespaceOf(definition, section, client)
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

/** One line of the cluster view of `floe secrets validate`. */
export interface ClusterSecretCheck {
  /** manifest secret name */
  secret: string
  /** Kubernetes Secret name and namespace checked */
  name: string
  namespace: string
  exists: boolean
  /** number of keys the Secret holds */
  keys: number
  /** keys consumers need (ExternalSecret data[].secretKey, or the definition's keys) that are absent */
  missingKeys: string[]
  /** a failure other than not-found (forbidden, unreachable) */
  error?: string
}

/**
 * `floe secrets validate` against the cluster: for each secret the manifest references by name
 * (`*_secret_ref`, `secret_refs`, workloads) — or `secrets` when given — does its Kubernetes
 * Secret exist, and does it hold the keys its ExternalSecret (or definition) promises? Reads
 * key names only.
 */
export async function validateInCluster(
  manifest: LoadedManifest,
  options: ClusterOptions & { secrets?: readonly string[] } = {},
): Promise<ClusterSecretCheck[]> {
  const { section, client } = await connectFor(manifest, options)
  const referenced = options.secrets ?? [
    ...new Set([
      ...manifest.references
        .filter((site) => !site.raw.startsWith('secret://'))
        .map((site) => site.ref.name),
      ...section.workloads.flatMap((w) => w.secrets),
    ]),
  ]
  const checks: ClusterSecretCheck[] = []
  for (const secret of referenced) {
    const definition = manifest.secrets[secret]
    const name = definition ? kubernetesNameOf(definition, section) : secret
    const namespace = namespaceOf(definition, section, client)
    let expected: string[] = definition?.provider === 'kubernetes' ? (definition.keys ?? []) : []
    const check: ClusterSecretCheck = {
      secret,
      name,
      namespace,
      exists: false,
      keys: 0,
      missingKeys: [],
    }
    try {
      if (definition && isEsoManaged(definition, manifest)) {
        const status = await readExternalSecretStatus(client, namespace, name, { targetKeys: [] })
        if (status) expected = status.expectedKeys
      }
      const found = await client.readSecret(namespace, name)
      const keys = Object.keys(found.data ?? {})
      check.exists = true
      check.keys = keys.length
      check.missingKeys = expected.filter((k) => !keys.includes(k))
    } catch (error) {
      const floe = toFloeError(error, `read Secret ${namespace}/${name}`)
      if (floe.code !== 'NOT_FOUND') check.error = floe.message
    }
    checks.push(check)
  }
  return checks
}
