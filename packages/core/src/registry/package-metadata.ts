/**
 * What a provider package says about itself in the `floe` field of its package.json, read by
 * discovery without importing the package (see discover.ts). Each field is optional: a package
 * that omits one simply gets the generic behaviour (its name as display name, no scope keys).
 */

/** The definition field(s) that say where a secret lives. */
export interface LocatorRule {
  /** any one of these fields must be present */
  anyOf: string[]
  /** a one-line YAML example for error messages, e.g. `path: secret/data/production/kafka` */
  example: string
}

/**
 * How `floe secrets put -s SCOPE -k KEY` names a key that the manifest does not declare:
 * the provider field that names one secret, built from the scope's `location:` block.
 */
export interface ScopeKeyNaming {
  /** the provider field that names one secret, e.g. `path`, `secret_id` */
  field: string
  /** dotted path into `scopes.<name>.location` holding the name prefix, e.g. `aws.prefix` */
  prefix?: string
  /** a scope without that prefix names keys bare instead of failing (default false) */
  prefixOptional?: boolean
  /**
   * the prefix for a scope whose location has none, `{scope}` standing for the scope name
   * (e.g. `secret/data/scopes/{scope}`): a plain `floe secrets scopes create -s S` can take keys
   */
  defaultPrefix?: string
  /** put between prefix and key; trailing copies of it are trimmed from the prefix ('' = none) */
  separator?: string
  /** provider fields copied from the scope location (required), e.g. {namespace: 'kubernetes.namespace'} */
  copy?: Record<string, string>
}

export interface ProviderMetadata {
  /** how messages name the backend after "in", e.g. "HashiCorp Vault", "the environment" */
  displayName?: string
  locator?: LocatorRule
  scopeKey?: ScopeKeyNaming
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value)

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v)

function locatorFrom(value: unknown): LocatorRule | undefined {
  if (!isRecord(value) || !isStringArray(value.anyOf) || typeof value.example !== 'string') return
  return { anyOf: [...value.anyOf], example: value.example }
}

function scopeKeyFrom(value: unknown): ScopeKeyNaming | undefined {
  if (!isRecord(value) || typeof value.field !== 'string' || !value.field) return
  const naming: ScopeKeyNaming = { field: value.field }
  if (typeof value.prefix === 'string' && value.prefix) naming.prefix = value.prefix
  if (value.prefixOptional === true) naming.prefixOptional = true
  if (typeof value.defaultPrefix === 'string' && value.defaultPrefix)
    naming.defaultPrefix = value.defaultPrefix
  if (typeof value.separator === 'string') naming.separator = value.separator
  if (isRecord(value.copy)) {
    const copy = Object.entries(value.copy).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && !!entry[1],
    )
    if (copy.length) naming.copy = Object.fromEntries(copy)
  }
  return naming
}

/**
 * The metadata of a `floe` package.json field. Malformed entries are dropped rather than
 * failing discovery: a third-party package with a typo loses a nicer message, nothing else.
 */
export function providerMetadataFrom(field: unknown): ProviderMetadata {
  if (!isRecord(field)) return {}
  const metadata: ProviderMetadata = {}
  if (typeof field.displayName === 'string' && field.displayName)
    metadata.displayName = field.displayName
  const locator = locatorFrom(field.locator)
  if (locator) metadata.locator = locator
  const scopeKey = scopeKeyFrom(field.scopeKey)
  if (scopeKey) metadata.scopeKey = scopeKey
  return metadata
}
