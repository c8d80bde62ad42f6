/**
 * Environment variable names for secrets: explicit `env:` entries, then
 * `<SECRET>_<KEY>` for every declared key, then `DBT_ENV_SECRET_<SECRET>_<KEY>` for every
 * reference inside `dbt:` (dbt scrubs that prefix from its logs). Two different references
 * may never share a name.
 */
import { ConfigError, type SourceLocation } from '../errors.js'
import type { EnvBinding, ReferenceSite, SecretDefinition } from '../types.js'
import { formatSecretRef, parseSecretRef, refId, type SecretRef } from '../uri.js'
import { formatPath } from './paths.js'
import type { SourceDocument } from './yaml-source.js'

export const DBT_SECRET_PREFIX = 'DBT_ENV_SECRET_'

/** `kafka_credentials` + `sasl.password` → `KAFKA_CREDENTIALS_SASL_PASSWORD`. */
export function envNameFor(
  ref: Pick<SecretRef, 'name' | 'key'>,
  options: { prefix?: string } = {},
): string {
  const body =
    ref.key === undefined ? upperSnake(ref.name) : `${upperSnake(ref.name)}_${upperSnake(ref.key)}`
  const name = (options.prefix ?? '') + body
  return /^[0-9]/.test(name) ? `_${name}` : name
}

const snakeCache = new Map<string, string>()

function upperSnake(text: string): string {
  let snake = snakeCache.get(text)
  if (snake === undefined) {
    snake = toUpperSnake(text)
    if (snakeCache.size < 50_000) snakeCache.set(text, snake)
  }
  return snake
}

function toUpperSnake(text: string): string {
  if (/^[a-z0-9]+(?:_[a-z0-9]+)*$/.test(text)) return text.toUpperCase()
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()
}

interface Candidate extends EnvBinding {
  /** where it comes from, for collision messages */
  origin: EnvBinding['origin']
  place: string
}

export function deriveEnvBindings(
  explicit: Record<string, string> | undefined,
  secrets: Record<string, SecretDefinition>,
  references: readonly ReferenceSite[],
  source: SourceDocument,
): { env: EnvBinding[]; errors: ConfigError[] } {
  const candidates: Candidate[] = []
  for (const [name, uri] of Object.entries(explicit ?? {})) {
    let ref: SecretRef
    try {
      ref = parseSecretRef(uri)
    } catch {
      continue // reported by the reference scan, which sees `env:` too
    }
    candidates.push({
      name,
      ref,
      origin: 'explicit',
      location: source.locate(['env', name]),
      place: `env.${name}`,
    })
  }
  for (const secret of Object.values(secrets)) {
    const place = `secrets.${secret.name}`
    const location = secret.location
    const singleKey = typeof secret.fields.key === 'string' && !Array.isArray(secret.fields.keys)
    if (secret.keys && !singleKey) {
      for (const key of secret.keys) {
        const ref = { name: secret.name, key }
        candidates.push({ name: envNameFor(ref), ref, origin: 'derived', location, place })
      }
    } else {
      // One value: `key:` picks one key of the source, which the whole secret stands for.
      const ref: SecretRef = singleKey
        ? { name: secret.name, key: secret.fields.key as string }
        : { name: secret.name }
      candidates.push({
        name: envNameFor({ name: secret.name }),
        ref,
        origin: 'derived',
        location,
        place,
      })
    }
  }
  for (const site of references) {
    if (site.path[0] !== 'dbt') continue
    candidates.push({
      name: envNameFor(site.ref, { prefix: DBT_SECRET_PREFIX }),
      ref: site.ref,
      origin: 'dbt',
      location: site.location,
      place: formatPath(site.path),
    })
  }

  const errors: ConfigError[] = []
  const byName = new Map<string, Candidate>()
  const env: EnvBinding[] = []
  for (const candidate of candidates) {
    const existing = byName.get(candidate.name)
    if (existing) {
      if (refId(existing.ref) !== refId(candidate.ref)) {
        errors.push(
          new ConfigError(
            `environment variable ${candidate.name} would hold two different secrets: ${formatSecretRef(withoutDefault(existing.ref))} (${existing.place}${at(existing.location)}) and ${formatSecretRef(withoutDefault(candidate.ref))} (${candidate.place}${at(candidate.location)}): rename one of the secrets or keys`,
            { location: candidate.location ?? existing.location },
          ),
        )
      }
      continue
    }
    byName.set(candidate.name, candidate)
    const binding: EnvBinding = {
      name: candidate.name,
      ref: candidate.ref,
      origin: candidate.origin,
    }
    if (candidate.location) binding.location = candidate.location
    env.push(binding)
  }
  return { env, errors }
}

function withoutDefault(ref: SecretRef): SecretRef {
  return { name: ref.name, key: ref.key, version: ref.version }
}

function at(location: SourceLocation | undefined): string {
  return location ? `, line ${location.line}` : ''
}
