/** The manifest's top-level `env_naming:` (already schema-checked) → EnvNaming with defaults. */
import { DEFAULT_ENV_NAMING, type EnvNaming, type EnvNamingScheme } from './env-names.js'

export type EnvNamingInput =
  EnvNamingScheme | { scheme?: EnvNamingScheme; dbt_prefix?: string } | undefined

export function parseEnvNaming(input: EnvNamingInput): EnvNaming {
  if (input === undefined) return DEFAULT_ENV_NAMING
  if (typeof input === 'string') return { ...DEFAULT_ENV_NAMING, scheme: input }
  return {
    scheme: input.scheme ?? DEFAULT_ENV_NAMING.scheme,
    dbtPrefix: input.dbt_prefix ?? DEFAULT_ENV_NAMING.dbtPrefix,
  }
}
