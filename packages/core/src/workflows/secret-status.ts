import type { FloeErrorCode } from '../errors.js'
import type { LoadedManifest, ProviderContext, Resolver, RotationHookModule } from '../types.js'
import { usesCluster } from './validate-manifest.js'

/** One secret as `floe secrets status` shows it: metadata only, never a value. */
export interface SecretStatusRow {
  name: string
  provider: string
  /** null: could not tell (denied, unreachable) */
  exists: boolean | null
  version?: string
  updatedAt?: string
  keys?: string[]
  state?: string
  /** External Secrets: the store, sync status and last sync the platform hook reports */
  store?: string
  sync?: string
  lastSync?: string
  leaseTtlSeconds?: number
  error?: { code: FloeErrorCode; message: string }
}

export interface SecretStatusInput {
  manifest: LoadedManifest
  resolver: Pick<Resolver, 'describe'>
  /** platform hooks (ESO sync status); loaded and asked only when the manifest uses a cluster */
  hooks?: () => Promise<readonly RotationHookModule[]>
  ctx?: () => Promise<ProviderContext>
  /** default: every declared secret */
  names?: readonly string[]
}

export interface SecretStatusReport {
  rows: SecretStatusRow[]
  /** what could not be told, or looks wrong (a sync missing keys, a hook unavailable) */
  warnings: string[]
}

/**
 * Where each secret stands: the provider's metadata (through the resolver's batched,
 * retried `describe`), then what platform hooks know (an ExternalSecret's sync status).
 */
export async function secretStatus(input: SecretStatusInput): Promise<SecretStatusReport> {
  const { manifest } = input
  const names = input.names?.length ? [...input.names] : Object.keys(manifest.secrets)
  const warnings: string[] = []
  const outcomes = await input.resolver.describe(names)
  const rows = outcomes.map((o): SecretStatusRow => {
    const m = o.metadata
    return {
      name: o.secret,
      provider: o.provider,
      exists: m ? m.exists : o.error?.code === 'NOT_FOUND' ? false : null,
      ...(m?.version ? { version: m.version } : {}),
      ...(m?.updatedAt ? { updatedAt: m.updatedAt.toISOString() } : {}),
      ...(m?.keys ? { keys: m.keys } : {}),
      ...(m?.state ? { state: m.state } : {}),
      ...(m?.status?.store ? { store: m.status.store } : {}),
      ...(m?.status?.sync ? { sync: m.status.sync } : {}),
      ...(m?.status?.lastSync ? { lastSync: m.status.lastSync } : {}),
      ...(m?.lease ? { leaseTtlSeconds: m.lease.ttlSeconds } : {}),
      ...(o.error ? { error: { code: o.error.code, message: o.error.message } } : {}),
    }
  })
  if (!usesCluster(manifest) || !input.hooks || !input.ctx) return { rows, warnings }
  for (const hook of await input.hooks()) {
    if (!hook.status) continue
    try {
      const statuses = await hook.status({ manifest, ctx: await input.ctx(), secrets: names })
      for (const row of rows) {
        const st = statuses[row.name]
        if (!st) continue
        if (st.store) row.store = st.store
        if (st.sync) row.sync = st.sync
        if (st.lastSync) row.lastSync = st.lastSync
        if (st.missingKeys)
          warnings.push(
            `${row.name}: ${st.sync ?? 'synced'} but the target Secret lacks ${st.missingKeys}`,
          )
      }
    } catch (error) {
      warnings.push(
        `${hook.name}: sync status unavailable: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }
  return { rows, warnings }
}

/** The STATUS word of a row: exists (or its state), NOT FOUND, DENIED, n/a, ERROR. */
export function statusWord(row: SecretStatusRow): string {
  if (row.exists === true) return row.state && row.state !== 'enabled' ? row.state : 'exists'
  if (row.exists === false) return 'NOT FOUND'
  return row.error?.code === 'FORBIDDEN'
    ? 'DENIED'
    : row.error?.code === 'UNSUPPORTED'
      ? 'n/a'
      : 'ERROR'
}
