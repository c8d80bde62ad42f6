/**
 * Environment variable names for secrets: explicit `env:` entries, then the derived name of
 * every declared key (`env_naming`, naming/env-names.ts), then the dbt name of every reference
 * inside `dbt:` (`DBT_ENV_SECRET_…` by default: dbt scrubs that prefix from its logs). Two
 * different references may never share a name; a name that is not an env identifier is an error.
 */
import { ConfigError, type SourceLocation } from '../errors.js'
import type { EnvBinding, ReferenceSite, SecretDefinition } from '../types.js'
import {
  DEFAULT_ENV_NAMING,
  dbtEnvNameOf,
  envNameOf,
  isEnvName,
  withPrefix,
  type EnvNaming,
} from '../naming/env-names.js'
import { formatSecretRef, parseSecretRef, refId, type SecretRef } from '../uri.js'
import { formatPath } from './paths.js'
import type { SourceDocument } from './yaml-source.js'

/** `kafka_credentials` + `sasl.password` → `KAFKA_CREDENTIALS_SASL_PASSWORD` (default naming). */
export function envNameFor(
  ref: Pick<SecretRef, 'name' | 'key'>,
  options: { prefix?: string } = {},
): string {
  const name = envNameOf(ref)
  return options.prefix ? withPrefix(options.prefix, name) : name
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
  naming: EnvNaming = DEFAULT_ENV_NAMING,
): { env: EnvBinding[]; errors: ConfigError[] } {
  const candidates: Candidate[] = []
  // a one-value secret's own env_naming/env_prefix names nothing unless a dbt reference picks a key
  const idleNaming = new Set<string>()
  const secretNaming = (name: string) => secrets[name]?.envNaming
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
        candidates.push({
          name: envNameOf(ref, naming, secret.envNaming),
          ref,
          origin: 'derived',
          location,
          place,
        })
      }
    } else {
      // One value: `key:` picks one key of the source, which the whole secret stands for.
      if (secret.envNaming) idleNaming.add(secret.name)
      const ref: SecretRef = singleKey
        ? { name: secret.name, key: secret.fields.key as string }
        : { name: secret.name }
      candidates.push({
        name: envNameOf({ name: secret.name }, naming, secret.envNaming),
        ref,
        origin: 'derived',
        location,
        place,
      })
    }
  }
  for (const site of references) {
    if (site.path[0] !== 'dbt') continue
    if (site.ref.key !== undefined) idleNaming.delete(site.ref.name)
    candidates.push({
      name: dbtEnvNameOf(site.ref, naming, secretNaming(site.ref.name)),
      ref: site.ref,
      origin: 'dbt',
      location: site.location,
      place: formatPath(site.path),
    })
  }

  const errors: ConfigError[] = [...idleNaming].map((name) =>
    idleNamingError(secrets[name]!, source),
  )
  const byName = new Map<string, Candidate>()
  const env: EnvBinding[] = []
  for (const candidate of candidates) {
    if (!isEnvName(candidate.name)) {
      errors.push(
        new ConfigError(
          `${candidate.place}: ${formatSecretRef(withoutDefault(candidate.ref))} gives no usable environment variable name (${JSON.stringify(candidate.name)}: letters, digits and _, not starting with a digit)${at(candidate.location)}: bind a name under env: or set env_prefix on the secret`,
          { location: candidate.location },
        ),
      )
      continue
    }
    const existing = byName.get(candidate.name)
    if (existing) {
      if (refId(existing.ref) !== refId(candidate.ref)) {
        errors.push(
          new ConfigError(
            `environment variable ${candidate.name} would hold two different secrets: ${formatSecretRef(withoutDefault(existing.ref))} (${existing.place}${at(existing.location)}) and ${formatSecretRef(withoutDefault(candidate.ref))} (${candidate.place}${at(candidate.location)}): rename one of the secrets or keys, or set env_prefix on one of the secrets`,
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

function idleNamingError(secret: SecretDefinition, source: SourceDocument): ConfigError {
  const field = secret.envNaming?.prefix !== undefined ? 'env_prefix' : 'env_naming'
  const name = envNameOf({ name: secret.name })
  return new ConfigError(
    `secrets.${secret.name}.${field}: ${secret.name} is one value, always named ${name}; ${field} names the keys of a secret with keys: remove it, or bind another name under env: (e.g. env: { MY_NAME: secret://${secret.name} })`,
    { location: source.locate(['secrets', secret.name, field], { nearest: true }) },
  )
}

function withoutDefault(ref: SecretRef): SecretRef {
  return { name: ref.name, key: ref.key, version: ref.version }
}

function at(location: SourceLocation | undefined): string {
  return location ? `, line ${location.line}` : ''
}
