/**
 * The one rule for the environment variable a `secret://name/key` reference becomes. exec,
 * emit-dbt (env_var('…') in profiles.yml) and emit-k8s (ExternalSecret secretKey, envFrom)
 * all call it, so the pod, the profile and `floe secrets exec` agree on every name.
 *
 * - `secret_key` (default): `<SECRET>_<KEY>`: `snowflake-credentials` + `password` →
 *   `SNOWFLAKE_CREDENTIALS_PASSWORD`.
 * - `key`: `<KEY>`: `snowflake-credentials` + `SNOWFLAKE_ACCOUNT` → `SNOWFLAKE_ACCOUNT`.
 * - a secret's `env_prefix` replaces the scheme's prefix (`<SECRET>_` or nothing):
 *   `env_prefix: SNOWFLAKE` + `account` → `SNOWFLAKE_ACCOUNT` (a `_` is added when missing).
 * - never doubled: leading words of the key that repeat the prefix's leading words are dropped
 *   (`snowflake-credentials` + `snowflake_account` → `SNOWFLAKE_CREDENTIALS_ACCOUNT`), keeping at
 *   least one word of the key.
 * - a reference without a key (a one-value secret) is named after the secret in both schemes.
 * - dbt references get the dbt prefix (default `DBT_ENV_SECRET_`, which dbt scrubs from its
 *   logs) in front, unless the name already starts with it.
 * - a name starting with a digit gets a leading `_`.
 */
import type { SecretRef } from '../uri.js'

export type EnvNamingScheme = 'key' | 'secret_key'
export const ENV_NAMING_SCHEMES: readonly EnvNamingScheme[] = ['key', 'secret_key']

/** dbt scrubs the values of env vars with this prefix from its logs. */
export const DBT_SECRET_PREFIX = 'DBT_ENV_SECRET_'

/** The manifest's top-level `env_naming:`, with defaults applied. */
export interface EnvNaming {
  scheme: EnvNamingScheme
  /** put in front of every name a dbt profile reads; '' for plain names */
  dbtPrefix: string
}

/** A secret's own `env_naming:` / `env_prefix:`, overriding the manifest's. */
export interface SecretEnvNaming {
  scheme?: EnvNamingScheme
  prefix?: string
}

export const DEFAULT_ENV_NAMING: EnvNaming = { scheme: 'secret_key', dbtPrefix: DBT_SECRET_PREFIX }

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isEnvName(name: string): boolean {
  return ENV_NAME_PATTERN.test(name)
}

type Ref = Pick<SecretRef, 'name' | 'key'>

/** The env var a reference becomes outside dbt (exec, envFrom, Secret keys). */
export function envNameOf(
  ref: Ref,
  naming: EnvNaming = DEFAULT_ENV_NAMING,
  secret: SecretEnvNaming = {},
): string {
  if (ref.key === undefined) return leadingDigitSafe(upperSnake(ref.name))
  const scheme = secret.scheme ?? naming.scheme
  const prefix = joinable(secret.prefix ?? (scheme === 'key' ? '' : upperSnake(ref.name)))
  return leadingDigitSafe(prefix + withoutRepeatedWords(words(ref.key), words(prefix)).join('_'))
}

/** The env var a dbt profile reads for a reference: the dbt prefix + envNameOf. */
export function dbtEnvNameOf(
  ref: Ref,
  naming: EnvNaming = DEFAULT_ENV_NAMING,
  secret: SecretEnvNaming = {},
): string {
  return withPrefix(naming.dbtPrefix, envNameOf(ref, naming, secret))
}

/** `prefix + name` unless `name` already starts with `prefix`. */
export function withPrefix(prefix: string, name: string): string {
  return name.startsWith(prefix) ? name : leadingDigitSafe(prefix + name)
}

/** A prefix ends in `_` so it reads as its own word: `SNOWFLAKE` → `SNOWFLAKE_`. */
function joinable(prefix: string): string {
  return prefix === '' || prefix.endsWith('_') ? prefix : `${prefix}_`
}

function withoutRepeatedWords(key: string[], prefix: string[]): string[] {
  let drop = 0
  while (drop < key.length - 1 && drop < prefix.length && key[drop] === prefix[drop]) drop++
  return key.slice(drop)
}

function words(text: string): string[] {
  return upperSnake(text).split('_').filter(Boolean)
}

function leadingDigitSafe(name: string): string {
  return /^[0-9]/.test(name) ? `_${name}` : name
}

const snakeCache = new Map<string, string>()

/** `sasl.password` → `SASL_PASSWORD`, `privateKey` → `PRIVATE_KEY`. */
export function upperSnake(text: string): string {
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
