import { lazyConfigSchema } from '@floe/core'
import type { z as Zod } from 'zod'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'env'

/**
 * The env provider's own fields of a secret definition. `default` is a shared policy field the
 * manifest loader normally strips; it is accepted here too so a definition validated on its own
 * still passes — the resolver, not this provider, applies it.
 */
function buildConfigSchema(z: typeof Zod) {
  const variableName = z
    .string()
    .min(1, 'an environment variable name cannot be empty')
    .refine((name) => !name.includes('=') && !name.includes('\0'), {
      message: 'an environment variable name cannot contain "=" or NUL',
    })

  return z
    .strictObject({
      /** one variable → a single-value secret */
      variable: variableName.optional(),
      /** key → variable name → a key/value secret */
      variables: z.record(z.string().min(1), variableName).optional(),
      /** .env file(s) read for values, relative to the manifest directory */
      env_file: z.string().min(1).optional(),
      env_files: z.array(z.string().min(1)).min(1).optional(),
      /** let env-file values win over the process environment (default: the environment wins) */
      override: z.boolean().optional(),
      /** expected keys, informational (group definitions use `key:`) */
      key: z.string().min(1).optional(),
      keys: z.array(z.string().min(1)).optional(),
      default: z.string().optional(),
    })
    .refine((c) => (c.variable === undefined) !== (c.variables === undefined), {
      message: 'set exactly one of `variable` (one value) or `variables` (key → variable map)',
    })
    .refine((c) => !(c.env_file !== undefined && c.env_files !== undefined), {
      message: 'set `env_file` or `env_files`, not both',
    })
    .refine(
      (c) => c.variables === undefined || Object.keys(c.variables).length > 0,
      'a `variables` map needs at least one key',
    )
}

export type EnvConfig = Zod.infer<ReturnType<typeof buildConfigSchema>>

const schema = lazyConfigSchema(buildConfigSchema, vouchesForConfig)
/** The schema of an env secret's fields (ProviderModule.configSchema), built on first use. */
export const configSchema = schema.configSchema
/** `fields` as an EnvConfig: checked by vouchesForConfig when it can, else by configSchema. */
export const parseEnvConfig = schema.safeParse

export function envFilesOf(config: EnvConfig): string[] {
  if (config.env_files) return config.env_files
  return config.env_file ? [config.env_file] : []
}

const FIELDS = new Set([
  'variable',
  'variables',
  'env_file',
  'env_files',
  'override',
  'key',
  'keys',
  'default',
])
const isVariableName = (v: unknown) =>
  typeof v === 'string' && v.length > 0 && !v.includes('=') && !v.includes('\0')
const isNonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype

/**
 * configSchema's checks by hand, for the manifest loader (ProviderModule.vouchesForConfig):
 * true only when configSchema accepts `fields` unchanged; false is "not sure" and the loader
 * runs the schema. test/vouches-for-config.test.ts checks the two agree on random fields.
 */
export function vouchesForConfig(fields: Record<string, unknown>): boolean {
  if (!isPlainObject(fields)) return false
  for (const [name, value] of Object.entries(fields))
    if (!FIELDS.has(name) || value === undefined) return false
  const { variable, variables, env_file, env_files, override, key, keys } = fields
  if ((variable === undefined) === (variables === undefined)) return false
  if (variable !== undefined && !isVariableName(variable)) return false
  if (variables !== undefined) {
    if (!isPlainObject(variables)) return false
    const entries = Object.entries(variables)
    if (!entries.length || !entries.every(([k, v]) => k.length > 0 && isVariableName(v)))
      return false
  }
  if (env_file !== undefined && (env_files !== undefined || !isNonEmpty(env_file))) return false
  if (
    env_files !== undefined &&
    !(Array.isArray(env_files) && env_files.length > 0 && env_files.every(isNonEmpty))
  )
    return false
  if (override !== undefined && typeof override !== 'boolean') return false
  if (key !== undefined && !isNonEmpty(key)) return false
  if (keys !== undefined && !(Array.isArray(keys) && keys.every(isNonEmpty))) return false
  if (fields.default !== undefined && typeof fields.default !== 'string') return false
  return true
}
