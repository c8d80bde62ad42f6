import { NotInstalledError, UsageError } from '../errors.js'
import type { ScopeKeyNaming } from '../registry/package-metadata.js'
import type { LoadedManifest, ProviderCatalog, SecretDefinition } from '../types.js'
import type { Scope, ScopeLocation } from './model.js'

/** A string at a dotted path of a scope's `location:` block, e.g. `aws.prefix`. */
function locationValue(location: ScopeLocation, path: string): string | undefined {
  let current: unknown = location
  for (const part of path.split('.')) {
    if (!current || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return typeof current === 'string' ? current : undefined
}

/** Joins prefix and key with the separator, trimming the separator's copies off the prefix. */
function joinName(prefix: string, key: string, separator: string): string {
  if (!separator) return `${prefix}${key}`
  let trimmed = prefix
  while (trimmed.endsWith(separator)) trimmed = trimmed.slice(0, -separator.length)
  return `${trimmed}${separator}${key}`
}

/**
 * The provider fields that name `key` at a scope's location, following what the provider's
 * package.json says (`floe.scopeKey`, see registry/package-metadata.ts); undefined when the
 * scope's location lacks a part the naming requires.
 */
export function scopeKeyFields(
  naming: ScopeKeyNaming,
  location: ScopeLocation,
  key: string,
  scopeName?: string,
): Record<string, string> | undefined {
  const fields: Record<string, string> = {}
  let prefix = ''
  if (naming.prefix) {
    const fallback =
      naming.defaultPrefix && scopeName !== undefined
        ? naming.defaultPrefix.replaceAll('{scope}', scopeName)
        : undefined
    const found = locationValue(location, naming.prefix) ?? fallback
    if (found === undefined && !naming.prefixOptional) return undefined
    prefix = found ?? ''
  }
  fields[naming.field] = joinName(prefix, key, naming.separator ?? '')
  for (const [field, path] of Object.entries(naming.copy ?? {})) {
    const value = locationValue(location, path)
    if (value === undefined) return undefined
    fields[field] = value
  }
  return fields
}

/**
 * The definition `floe secrets put -s SCOPE -k KEY` writes through: the declared secret named
 * KEY when the scope holds one; otherwise a definition at the scope's backend location (named
 * as the installed provider describes, see `scopeKeyFields`), with connection settings
 * (address, region, project, vault_url…) borrowed from a declared secret of the same provider
 * in that scope.
 */
export function definitionForScopeKey(
  manifest: LoadedManifest,
  scope: Scope,
  key: string,
  catalog: Pick<ProviderCatalog, 'has' | 'packageFor' | 'metadataOf' | 'installHint'>,
  /** `put --provider`: the provider for a new key of a scope that names none */
  providerOverride?: string,
): SecretDefinition {
  if (scope.secrets.includes(key)) return manifest.secrets[key]!
  if (manifest.secrets[key]) {
    throw new UsageError(`secret "${key}" is already declared outside scope ${scope.name}`, {
      hint: `pick another key, or add scope: ${scope.name} to secrets.${key}`,
    })
  }
  const provider = providerOverride ?? scope.provider ?? manifest.config.defaultProvider
  if (!provider) {
    throw new UsageError(
      `scope ${scope.name} holds no secret named "${key}" and sets no provider for new keys`,
      {
        hint: `say where it goes: add --provider (e.g. --provider vault), or set scopes.${scope.name}.provider or default_provider`,
      },
    )
  }
  if (!catalog.has(provider)) {
    throw new NotInstalledError(`provider "${provider}" is not installed`, {
      hint:
        catalog.installHint?.('provider', provider) ??
        `npm install ${catalog.packageFor(provider)}`,
    })
  }
  const naming = catalog.metadataOf?.(provider)?.scopeKey
  if (!naming) {
    throw new UsageError(`provider ${provider} cannot name new keys in a scope`, {
      hint: `declare "${key}" under secrets: with scope: ${scope.name} and the ${provider} fields that say where it lives`,
    })
  }
  const named = scopeKeyFields(naming, scope.location, key, scope.name)
  if (!named) {
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
  Object.assign(fields, named)
  return { name: key, provider, fields, kind: 'static', scope: scope.name }
}
