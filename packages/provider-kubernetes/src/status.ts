import { type KubeClient, type KubeObject } from './client.js'
import { apiStatusOf, toFloeError } from './errors.js'

export const ESO_GROUP = 'external-secrets.io'
export const ESO_VERSIONS = ['v1', 'v1beta1'] as const

/** What `floe secrets status` shows for an ESO-managed secret (no values). */
export interface ExternalSecretStatus {
  name: string
  namespace: string
  /** secretStoreRef name, e.g. aws-secrets-manager */
  store: string
  storeKind: string
  /** Synced (Ready=True), SyncError (Ready=False), Pending (no condition yet) */
  sync: 'Synced' | 'SyncError' | 'Pending' | 'NotFound'
  reason?: string
  message?: string
  /** status.refreshTime: when ESO last synced */
  lastSync?: Date
  /** status.syncedResourceVersion: changes when ESO has seen a new spec or annotation */
  syncedResourceVersion?: string
  /** the Secret ESO writes */
  target: string
  /** keys the ExternalSecret (or the definition) promises */
  expectedKeys: string[]
  /** expected keys absent from the target Secret (a "Synced" status that is not the whole truth) */
  missingKeys: string[]
  apiVersion: string
}

/** Reads one ExternalSecret (v1, then v1beta1). undefined when it does not exist or may not be read. */
export async function getExternalSecret(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  for (const version of ESO_VERSIONS) {
    try {
      return await client.getCustomObject(ESO_GROUP, version, namespace, 'externalsecrets', name)
    } catch (error) {
      const status = apiStatusOf(error)
      const code = status?.code
      // the CRD is served but the object is missing: no need to ask the other version
      if (code === 404 && status?.name) return undefined
      if (code === 404) continue
      if (code === 403) return undefined
      throw toFloeError(error, `read ExternalSecret ${namespace}/${name}`)
    }
  }
  return undefined
}

export function externalSecretStatusOf(
  es: KubeObject,
  targetKeys?: string[],
  expectedKeys: string[] = [],
): ExternalSecretStatus {
  const ready = ((es.status?.conditions ?? []) as KubeObject[]).find((c) => c.type === 'Ready')
  const sync = !ready ? 'Pending' : ready.status === 'True' ? 'Synced' : 'SyncError'
  const promised = ((es.spec?.data ?? []) as KubeObject[]).map((d) => String(d.secretKey))
  const expected = [...new Set([...promised, ...expectedKeys])]
  const missing = targetKeys ? expected.filter((k) => !targetKeys.includes(k)) : []
  return {
    name: String(es.metadata?.name),
    namespace: String(es.metadata?.namespace),
    store: String(es.spec?.secretStoreRef?.name ?? ''),
    storeKind: String(es.spec?.secretStoreRef?.kind ?? 'SecretStore'),
    sync,
    ...(ready?.reason ? { reason: String(ready.reason) } : {}),
    ...(ready?.message ? { message: String(ready.message) } : {}),
    ...(es.status?.refreshTime ? { lastSync: new Date(String(es.status.refreshTime)) } : {}),
    ...(es.status?.syncedResourceVersion
      ? { syncedResourceVersion: String(es.status.syncedResourceVersion) }
      : {}),
    target: String(es.spec?.target?.name ?? es.metadata?.name),
    expectedKeys: expected,
    missingKeys: missing,
    apiVersion: String(es.apiVersion ?? `${ESO_GROUP}/v1`),
  }
}

/**
 * The ESO status of one ExternalSecret, with the keys its target Secret actually holds
 * checked against the keys it promises. Pass `targetKeys` when the Secret was already read;
 * otherwise it is read here (names only are used).
 */
export async function readExternalSecretStatus(
  client: KubeClient,
  namespace: string,
  name: string,
  options: { targetKeys?: string[]; expectedKeys?: string[] } = {},
): Promise<ExternalSecretStatus | undefined> {
  const es = await getExternalSecret(client, namespace, name)
  if (!es) return undefined
  let targetKeys = options.targetKeys
  if (!targetKeys) {
    const target = String(es.spec?.target?.name ?? name)
    try {
      targetKeys = Object.keys((await client.readSecret(namespace, target)).data ?? {})
    } catch (error) {
      if (apiStatusOf(error)?.code !== 404)
        throw toFloeError(error, `read Secret ${namespace}/${target}`)
      targetKeys = []
    }
  }
  return externalSecretStatusOf(es, targetKeys, options.expectedKeys)
}

/** SecretMetadata.status form: { store, sync, lastSync, … } (strings only). */
export function statusMetadata(status: ExternalSecretStatus): Record<string, string> {
  return {
    store: status.store,
    storeKind: status.storeKind,
    sync: status.sync,
    ...(status.lastSync ? { lastSync: status.lastSync.toISOString() } : {}),
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.message ? { message: status.message } : {}),
    externalSecret: `${status.namespace}/${status.name}`,
    ...(status.missingKeys.length ? { missingKeys: status.missingKeys.join(',') } : {}),
  }
}

/** The SYNC STATUS cell: Synced, SyncError, Pending — and a flag when keys are missing. */
export function syncCell(status: ExternalSecretStatus): string {
  return status.sync === 'Synced' && status.missingKeys.length
    ? `Synced (missing keys: ${status.missingKeys.join(', ')})`
    : status.sync
}
