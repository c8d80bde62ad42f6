import {
  AggregateConfigError,
  ConfigError,
  findSecretRefs,
  type FloeError,
  type LoadedManifest,
  type SecretRef,
  type SourceLocation,
} from '@floe/core'
import { ENTRY_KEYS, SECRET_TYPES, SENSITIVE_HEADER, type ParamSpec } from './catalogue.js'

/** A piece of a text value: literal text or a `secret://` reference resolved at apply time. */
export type Piece = string | { ref: SecretRef; raw: string }

export type PlanValue =
  | { kind: 'text'; pieces: Piece[]; sensitive: boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'map'; entries: [string, PlanValue & { kind: 'text' }][] }

export interface PlannedParam {
  /** DuckDB parameter name, lower-case (after floe aliases) */
  name: string
  /** the manifest key it came from */
  key: string
  value: PlanValue
}

export interface DuckdbSecretPlan {
  /** lower-cased: DuckDB lowercases secret names, even quoted ones */
  name: string
  type: string
  /** explicit PROVIDER (omitted from SQL when the manifest does not set one) */
  provider?: string
  /** the provider DuckDB will use (explicit or the type's default) */
  effectiveProvider: string
  persistent: boolean
  scopes: string[]
  params: PlannedParam[]
  /** extensions DuckDB needs to know this type/provider */
  extensions: string[]
  /** index in duckdb.secrets */
  index: number
  location?: SourceLocation
}

export interface DuckdbPlan {
  secrets: DuckdbSecretPlan[]
  database?: string
  secretDirectory?: string
  installExtensions: string[]
  loadExtensions: string[]
  warnings: string[]
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/
const EXTENSION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`
}

/** Splits a string into literal text and secret:// references. */
export function piecesOf(text: string): Piece[] {
  if (!text.includes('secret://')) return [text]
  const pieces: Piece[] = []
  let at = 0
  for (const found of findSecretRefs(text)) {
    if (found.start > at) pieces.push(text.slice(at, found.start))
    pieces.push({ ref: found.ref, raw: found.raw })
    at = found.end
  }
  if (at < text.length) pieces.push(text.slice(at))
  return pieces
}

export function hasRefs(value: PlanValue): boolean {
  if (value.kind === 'text') return value.pieces.some((p) => typeof p !== 'string')
  if (value.kind === 'map') return value.entries.some(([, v]) => hasRefs(v))
  return false
}

/** Every distinct secret:// reference a plan needs resolved. */
export function referencesOf(plans: readonly DuckdbSecretPlan[]): SecretRef[] {
  const refs: SecretRef[] = []
  const visit = (value: PlanValue): void => {
    if (value.kind === 'text') {
      for (const piece of value.pieces) if (typeof piece !== 'string') refs.push(piece.ref)
    } else if (value.kind === 'map') {
      for (const [, v] of value.entries) visit(v)
    }
  }
  for (const plan of plans) for (const param of plan.params) visit(param.value)
  return refs
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true'
  return undefined
}

/**
 * Validates `duckdb.secrets` and turns it into plans: names, types, providers and parameters
 * checked against what DuckDB accepts, so a typo fails here with its manifest line instead of
 * as a DuckDB binder error at apply time.
 */
export function planDuckdbSecrets(manifest: LoadedManifest): DuckdbPlan {
  const section = manifest.duckdb ?? {}
  const errors: FloeError[] = []
  const warnings: string[] = []
  const where = (path: (string | number)[]): SourceLocation | undefined => {
    try {
      return manifest.locate(['duckdb', ...path])
    } catch {
      return undefined
    }
  }
  const fail = (message: string, path: (string | number)[], secret?: string): void => {
    const location = where(path)
    const at = location ? ` (line ${location.line})` : ''
    errors.push(new ConfigError(`${message}${at}`, { location, secret }))
  }

  const extensionList = (key: 'install_extensions' | 'load_extensions'): string[] => {
    const raw = section[key]
    if (raw === undefined) return []
    if (!Array.isArray(raw)) {
      fail(`duckdb.${key} must be a list of extension names, got ${describe(raw)}`, [key])
      return []
    }
    const names: string[] = []
    raw.forEach((item, i) => {
      if (typeof item === 'string' && EXTENSION_NAME.test(item)) names.push(item.toLowerCase())
      else fail(`duckdb.${key}[${i}] is not an extension name`, [key, i])
    })
    return names
  }
  const installExtensions = extensionList('install_extensions')
  const loadExtensions = extensionList('load_extensions')

  const rawSecrets = section.secrets ?? []
  if (!Array.isArray(rawSecrets)) {
    fail(`duckdb.secrets must be a list, got ${describe(rawSecrets)}`, ['secrets'])
  }
  const plans: DuckdbSecretPlan[] = []
  const seen = new Map<string, number>()

  ;(Array.isArray(rawSecrets) ? (rawSecrets as unknown[]) : []).forEach((entry, index) => {
    const path = ['secrets', index]
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      fail(`duckdb.secrets[${index}] must be a mapping, got ${describe(entry)}`, path)
      return
    }
    const spec = entry as Record<string, unknown>
    const rawName = spec.name
    if (typeof rawName !== 'string' || !NAME.test(rawName)) {
      fail(
        `duckdb.secrets[${index}] needs a name of letters, digits, "_" or "-" (got ${typeof rawName === 'string' ? JSON.stringify(rawName) : describe(rawName)})`,
        [...path, 'name'],
      )
      return
    }
    const name = rawName.toLowerCase()
    const label = `duckdb secret '${name}'`
    if (seen.has(name)) {
      fail(
        `${label} is declared twice (secrets[${seen.get(name)}] and secrets[${index}]; DuckDB lowercases names)`,
        [...path, 'name'],
        name,
      )
      return
    }
    seen.set(name, index)

    const rawType = spec.type
    const type = typeof rawType === 'string' ? rawType.toLowerCase() : undefined
    const typeSpec = type ? SECRET_TYPES[type] : undefined
    if (!type || !typeSpec) {
      fail(
        `${label} has ${type ? `unknown type '${String(rawType)}'` : 'no type'}; expected one of ${Object.keys(SECRET_TYPES).join(', ')}`,
        [...path, 'type'],
        name,
      )
      return
    }

    let provider: string | undefined
    if (spec.provider !== undefined) {
      if (typeof spec.provider !== 'string' || !typeSpec.providers[spec.provider.toLowerCase()]) {
        fail(
          `${label} (type ${type}) has unknown provider ${JSON.stringify(spec.provider)}; expected one of ${Object.keys(typeSpec.providers).join(', ')}`,
          [...path, 'provider'],
          name,
        )
        return
      }
      provider = spec.provider.toLowerCase()
    }
    const effectiveProvider = provider ?? typeSpec.defaultProvider
    const providerSpec = typeSpec.providers[effectiveProvider]!

    let persistent = false
    if (spec.persistent !== undefined) {
      const parsed = asBoolean(spec.persistent)
      if (parsed === undefined)
        fail(`${label}: persistent must be true or false`, [...path, 'persistent'], name)
      else persistent = parsed
    }

    const scopes: string[] = []
    if (spec.scope !== undefined) {
      const list = Array.isArray(spec.scope) ? (spec.scope as unknown[]) : [spec.scope]
      if (list.length === 0)
        fail(`${label}: scope must not be an empty list`, [...path, 'scope'], name)
      list.forEach((scope, i) => {
        const at = Array.isArray(spec.scope) ? [...path, 'scope', i] : [...path, 'scope']
        if (typeof scope !== 'string' || scope === '') {
          fail(
            `${label}: each scope must be a non-empty string (a path prefix such as s3://bucket/)`,
            at,
            name,
          )
        } else if (scope.includes('secret://')) {
          fail(`${label}: a scope cannot be a secret:// reference`, at, name)
        } else scopes.push(scope)
      })
    }

    const params: PlannedParam[] = []
    const rendered = new Set<string>()
    for (const [key, raw] of Object.entries(spec)) {
      if (ENTRY_KEYS.has(key)) continue
      const lower = key.toLowerCase()
      const paramSpec = providerSpec.params[lower]
      if (!paramSpec) {
        const known = Object.keys(providerSpec.params)
        fail(
          `unknown parameter '${key}' for ${label} (type ${type}, provider ${effectiveProvider})` +
            (known.length
              ? `; expected one of ${known.join(', ')}`
              : '; this provider takes no parameters'),
          [...path, key],
          name,
        )
        continue
      }
      const target = paramSpec.renderAs ?? lower
      if (rendered.has(target)) {
        fail(`${label}: parameter '${key}' is given twice (as ${target})`, [...path, key], name)
        continue
      }
      rendered.add(target)
      const value = planValue(raw, paramSpec, (message) =>
        fail(`${label}: parameter '${key}' ${message}`, [...path, key], name),
      )
      if (value) params.push({ name: target, key, value })
    }

    if (type === 'azure' && effectiveProvider === 'service_principal') {
      const names = new Set(params.map((p) => p.name))
      for (const required of ['tenant_id', 'client_id']) {
        if (!names.has(required))
          fail(`${label}: provider service_principal needs '${required}'`, path, name)
      }
      if (names.has('client_secret') === names.has('client_certificate_path')) {
        fail(
          `${label}: provider service_principal needs exactly one of client_secret or client_certificate_path`,
          path,
          name,
        )
      }
    }

    if (persistent && scopes.length === 0 && type !== 'postgres' && type !== 'mysql') {
      warnings.push(
        `${label} is persistent without a scope: it applies to every ${type} path; limit it with scope: (e.g. s3://bucket/prefix/)`,
      )
    }

    const extensions = [typeSpec.extension, providerSpec.extension].filter((e): e is string => !!e)
    const available = new Set([...installExtensions, ...loadExtensions])
    for (const extension of extensions) {
      if (!available.has(extension)) {
        warnings.push(
          `${label} (type ${type}${provider ? `, provider ${provider}` : ''}) needs the DuckDB '${extension}' extension; add it to duckdb.install_extensions or DuckDB must autoload it`,
        )
      }
    }

    plans.push({
      name,
      type,
      provider,
      effectiveProvider,
      persistent,
      scopes,
      params,
      extensions,
      index,
      location: where(path),
    })
  })

  if (errors.length === 1) throw errors[0]!
  if (errors.length > 1) throw new AggregateConfigError(errors)

  const text = (key: 'database' | 'secret_directory'): string | undefined => {
    const value = section[key]
    if (value === undefined) return undefined
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`duckdb.${key} must be a non-empty string`, { location: where([key]) })
    }
    return value
  }
  return {
    secrets: plans,
    database: text('database'),
    secretDirectory: text('secret_directory'),
    installExtensions,
    loadExtensions,
    warnings,
  }
}

function textValue(raw: string, sensitive: boolean): PlanValue & { kind: 'text' } {
  return { kind: 'text', pieces: piecesOf(raw), sensitive }
}

function planValue(
  raw: unknown,
  spec: ParamSpec,
  fail: (message: string) => void,
): PlanValue | undefined {
  const sensitive = spec.sensitive === true
  switch (spec.kind) {
    case 'boolean': {
      if (typeof raw === 'string' && raw.includes('secret://')) return textValue(raw, sensitive)
      const value = asBoolean(raw)
      if (value === undefined) return void fail(`must be true or false, got ${describe(raw)}`)
      return { kind: 'boolean', value }
    }
    case 'number-or-string': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return { kind: 'number', value: raw }
      if (typeof raw === 'string') return textValue(raw, sensitive)
      return void fail(`must be a number or a string, got ${describe(raw)}`)
    }
    case 'chain': {
      const parts = Array.isArray(raw) ? (raw as unknown[]) : [raw]
      if (parts.length === 0 || parts.some((p) => typeof p !== 'string' || p === '')) {
        return void fail('must be a provider name, a "a;b" chain or a list of provider names')
      }
      return textValue((parts as string[]).join(';'), false)
    }
    case 'map': {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        return void fail(`must be a mapping of header name to value, got ${describe(raw)}`)
      }
      const entries: [string, PlanValue & { kind: 'text' }][] = []
      for (const [header, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          return void fail(`value of '${header}' must be a string, got ${describe(value)}`)
        }
        entries.push([header, textValue(String(value), sensitive || SENSITIVE_HEADER.test(header))])
      }
      return { kind: 'map', entries }
    }
    case 'string': {
      if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw)
      if (typeof raw !== 'string') return void fail(`must be a string, got ${describe(raw)}`)
      if (spec.oneOf && !raw.includes('secret://') && !spec.oneOf.includes(raw.toLowerCase())) {
        return void fail(`must be one of ${spec.oneOf.join(', ')}, got ${JSON.stringify(raw)}`)
      }
      return textValue(raw, sensitive)
    }
  }
}
