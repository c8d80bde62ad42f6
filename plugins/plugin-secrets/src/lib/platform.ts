import type { LoadedManifest } from '@floe/core'

/**
 * Whether the manifest runs its secrets through a cluster (ADR-0023 `plugins.secrets.type`):
 * only then do platform hooks (ESO sync status, cluster checks) get to contact it.
 */
export function usesCluster(manifest: LoadedManifest): boolean {
  const type = (manifest.plugins?.secrets as { type?: unknown } | undefined)?.type
  return type === 'k8s' || type === 'external-secrets'
}
