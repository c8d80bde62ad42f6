import {
  envNameOf,
  kubernetesNameOf,
  type KubernetesSettings,
  type LoadedManifest,
  type SecretDefinition,
} from '@floe/core'

/** One key of the Kubernetes Secret a manifest secret becomes. */
export interface ProjectedKey {
  /** key in the Kubernetes Secret (an env name for synced secrets, so envFrom works as-is) */
  secretKey: string
  /** the source key inside the remote secret (undefined: the whole value) */
  sourceKey?: string
  /** every env name floe binds to this key, primary first (exec and the pod see the same) */
  envNames: string[]
}

export interface SecretProjection {
  definition: SecretDefinition
  /** Kubernetes Secret (and ExternalSecret) name */
  name: string
  namespace: string
  keys: ProjectedKey[]
  /** the Secret already lives in the cluster (provider: kubernetes): floe does not create it */
  native: boolean
}

const NATIVE_PROVIDERS = new Set(['kubernetes'])

function sourceKeysOf(definition: SecretDefinition): (string | undefined)[] {
  if (definition.keys?.length) return definition.keys
  const fields = definition.fields
  if (Array.isArray(fields.keys)) return fields.keys.map(String)
  if (typeof fields.key === 'string') return [fields.key]
  if (fields.variables && typeof fields.variables === 'object') return Object.keys(fields.variables)
  return [undefined]
}

/**
 * How each manifest secret appears in the cluster: its Secret name and namespace, and for each
 * key the Secret key plus the env names `floe secrets exec` uses (`env:` bindings first, then
 * derived names (`env_naming`: `<SECRET>_<KEY>` or `<KEY>`), then dbt's `DBT_ENV_SECRET_…`).
 */
export function projectSecret(
  definition: SecretDefinition,
  manifest: LoadedManifest,
  settings: KubernetesSettings,
): SecretProjection {
  const native = NATIVE_PROVIDERS.has(definition.provider)
  const name = kubernetesNameOf(definition, settings.names)
  const namespace =
    native && typeof definition.fields.namespace === 'string'
      ? definition.fields.namespace
      : settings.namespace
  const order = { explicit: 0, derived: 1, dbt: 2 } as const
  const keys = sourceKeysOf(definition).map((sourceKey): ProjectedKey => {
    const bound = manifest.env
      .filter(
        (b) =>
          b.ref.name === definition.name && b.ref.key === sourceKey && b.ref.version === undefined,
      )
      .sort((a, b) => order[a.origin] - order[b.origin] || a.name.localeCompare(b.name))
      .map((b) => b.name)
    const envNames = bound.length
      ? [...new Set(bound)]
      : [
          envNameOf(
            { name: definition.name, ...(sourceKey ? { key: sourceKey } : {}) },
            manifest.envNaming,
            definition.envNaming,
          ),
        ]
    return {
      // a native Secret keeps its own keys; synced ones are keyed by env name
      secretKey: native ? (sourceKey ?? 'value') : (envNames[0] as string),
      ...(sourceKey !== undefined ? { sourceKey } : {}),
      envNames,
    }
  })
  return { definition, name, namespace, keys, native }
}
