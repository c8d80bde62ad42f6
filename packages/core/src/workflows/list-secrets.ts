import { UnsupportedError, UsageError } from '../errors.js'
import type { LoadedManifest, ProviderContext, SecretProvider } from '../types.js'
import { usesCluster } from './validate-manifest.js'

/** A secret the manifest declares (`floe secrets list`). */
export interface DeclaredSecretRow {
  name: string
  provider: string
  keys: string[]
  kind: 'static' | 'dynamic'
  group?: string
}

/** A name a provider holds (`floe secrets list --remote`): never a value. */
export interface RemoteSecretRow {
  name: string
  type?: string
  keys?: number
  createdAt?: string
}

export function declaredSecrets(manifest: LoadedManifest): DeclaredSecretRow[] {
  return Object.values(manifest.secrets).map((def) => ({
    name: def.name,
    provider: def.provider,
    keys: def.keys ?? [],
    kind: def.kind,
    ...(def.group ? { group: def.group } : {}),
  }))
}

/**
 * The provider `list --remote` asks: the one given, else `kubernetes` for a namespace when
 * the manifest's secrets end up in a cluster, else the only provider used, else
 * `_config.default_provider`.
 */
export function remoteListProvider(
  manifest: LoadedManifest,
  options: { provider?: string; namespace?: string },
): string {
  const used = [...new Set(Object.values(manifest.secrets).map((d) => d.provider))]
  const onKubernetes = usesCluster(manifest) || used.includes('kubernetes')
  const name =
    options.provider ??
    (options.namespace !== undefined && onKubernetes
      ? 'kubernetes'
      : used.length === 1
        ? used[0]
        : manifest.config.defaultProvider)
  if (!name) {
    throw new UsageError(
      `--remote needs --provider: the manifest uses ${used.join(', ') || 'no provider'}`,
      { hint: `e.g. floe secrets list --remote --provider ${used[0] ?? 'kubernetes'}` },
    )
  }
  return name
}

/**
 * The names a provider holds (under a namespace or prefix), declared ones first in manifest
 * order (what the team reads top to bottom), the rest by name. Connection settings (region,
 * address, project…) come from the first definition using that provider.
 */
export async function listRemoteSecrets(input: {
  manifest: LoadedManifest
  providerName: string
  provider: SecretProvider
  ctx: ProviderContext
  prefix?: string
  namespace?: string
}): Promise<RemoteSecretRow[]> {
  const { manifest, providerName, provider } = input
  if (!provider.list) {
    throw new UnsupportedError(`provider "${providerName}" cannot list secrets`, {
      provider: providerName,
    })
  }
  const sample = Object.values(manifest.secrets).find((d) => d.provider === providerName)
  const rows: RemoteSecretRow[] = []
  for await (const item of provider.list(
    { prefix: input.prefix, namespace: input.namespace, config: sample?.fields },
    input.ctx,
  )) {
    rows.push({
      name: item.name,
      ...(item.type ? { type: item.type } : {}),
      ...(item.keys !== undefined ? { keys: item.keys } : {}),
      ...(item.createdAt ? { createdAt: item.createdAt.toISOString() } : {}),
    })
  }
  const rank = new Map(Object.keys(manifest.secrets).map((name, i) => [name, i]))
  return rows.sort((a, b) => {
    const ra = rank.get(a.name) ?? Infinity
    const rb = rank.get(b.name) ?? Infinity
    return ra !== rb ? ra - rb : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  })
}
