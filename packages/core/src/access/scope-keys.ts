import { UsageError } from '../errors.js'
import type { LoadedManifest, SecretDefinition } from '../types.js'
import type { Scope } from './model.js'

/** The provider field that names one secret, and how a scope location prefixes it. */
const NAME_FIELDS: Record<
  string,
  { field: string; join: (prefix: string, key: string) => string }
> = {
  vault: { field: 'path', join: (p, k) => `${p.replace(/\/+$/, '')}/${k}` },
  aws_secrets_manager: { field: 'secret_id', join: (p, k) => `${p}${k}` },
  aws_parameter_store: { field: 'name', join: (p, k) => `${p.endsWith('/') ? p : `${p}/`}${k}` },
  gcp_secret_manager: { field: 'secret', join: (p, k) => `${p}${k}` },
  azure_key_vault: { field: 'secret_name', join: (p, k) => `${p}${k}` },
  kubernetes: { field: 'secret_name', join: (_p, k) => k },
}

function prefixFor(scope: Scope, provider: string): string | undefined {
  const l = scope.location
  switch (provider) {
    case 'vault':
      return l.vault
    case 'aws_secrets_manager':
    case 'aws_parameter_store':
      return l.aws?.prefix
    case 'gcp_secret_manager':
      return l.gcp?.prefix ?? ''
    case 'azure_key_vault':
      return ''
    case 'kubernetes':
      return l.kubernetes ? '' : undefined
    default:
      return undefined
  }
}

/**
 * The definition `floe secrets put -s SCOPE -k KEY` writes through: the declared secret named
 * KEY when the scope holds one; otherwise a definition at the scope's backend location, with
 * connection settings (address, region, project, vault_url…) borrowed from a declared secret of
 * the same provider in that scope.
 */
export function definitionForScopeKey(
  manifest: LoadedManifest,
  scope: Scope,
  key: string,
): SecretDefinition {
  if (scope.secrets.includes(key)) return manifest.secrets[key]!
  const provider = scope.provider ?? manifest.config.defaultProvider
  if (!provider) {
    throw new UsageError(
      `scope ${scope.name} holds no secret named "${key}" and sets no provider for new keys`,
      {
        hint: `declare "${key}" under secrets: with scope: ${scope.name}, or set scopes.${scope.name}.provider`,
      },
    )
  }
  const naming = NAME_FIELDS[provider]
  const prefix = prefixFor(scope, provider)
  if (!naming || prefix === undefined) {
    throw new UsageError(`scope ${scope.name} has no ${provider} location for new keys`, {
      hint: `set scopes.${scope.name}.location (vault: path prefix, aws.prefix, gcp.prefix, kubernetes.namespace)`,
    })
  }
  // Connection settings are shared by a scope's secrets: merge what siblings declare.
  const fields: Record<string, unknown> = {}
  for (const sibling of scope.secrets
    .map((s) => manifest.secrets[s]!)
    .filter((d) => d.provider === provider)) {
    for (const [k, v] of Object.entries(sibling.fields)) if (!(k in fields)) fields[k] = v
  }
  delete fields.keys
  delete fields.key
  fields[naming.field] = naming.join(prefix, key)
  if (provider === 'kubernetes' && scope.location.kubernetes)
    fields.namespace = scope.location.kubernetes.namespace
  return { name: key, provider, fields, kind: 'static', scope: scope.name }
}
