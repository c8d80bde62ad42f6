import { lazyConfigSchema } from '@floe/core'
import type { z as Zod } from 'zod'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'file'

export const fileFormats = ['json', 'yaml', 'dotenv', 'raw', 'dir'] as const
export type FileFormat = (typeof fileFormats)[number]

/** The file provider's own fields of a secret definition. */
function buildConfigSchema(z: typeof Zod) {
  return z
    .strictObject({
      /** a file, or a directory of one-file-per-key (Kubernetes / Docker mounted secrets) */
      path: z.string().min(1, '`path` cannot be empty'),
      /** inferred from the extension, or `dir` for a directory, when omitted */
      format: z.enum(fileFormats).optional(),
      /** the single key this secret is (its value becomes the whole secret) */
      key: z.string().min(1).optional(),
      /** the keys to read; any absent one is NOT_FOUND */
      keys: z.array(z.string().min(1)).min(1).optional(),
      /** strip one trailing newline from raw files and directory entries (default true) */
      trim_newline: z.boolean().optional(),
      /** raw files and directory entries: utf8 text (default) or base64 of the bytes */
      encoding: z.enum(['utf8', 'base64']).optional(),
      /** read files group/world can read (default false: refuse them) */
      allow_insecure_permissions: z.boolean().optional(),
    })
    .refine((c) => !(c.key !== undefined && c.keys !== undefined), {
      message: 'set `key` (one key) or `keys` (several), not both',
    })
}

export type FileConfig = Zod.infer<ReturnType<typeof buildConfigSchema>>

const FIELDS = new Set([
  'path',
  'format',
  'key',
  'keys',
  'trim_newline',
  'encoding',
  'allow_insecure_permissions',
])
const isNonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0
const isOptionalBoolean = (v: unknown) => v === undefined || typeof v === 'boolean'

/**
 * configSchema's checks by hand, for the manifest loader (ProviderModule.vouchesForConfig):
 * true only when configSchema accepts `fields` unchanged; false is "not sure" and the loader
 * runs the schema. test/vouches-for-config.test.ts checks the two agree on random fields.
 */
export function vouchesForConfig(fields: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(fields) !== Object.prototype) return false
  for (const [name, value] of Object.entries(fields))
    if (!FIELDS.has(name) || value === undefined) return false
  const { path, format, key, keys, encoding } = fields
  if (!isNonEmpty(path)) return false
  if (format !== undefined && !(fileFormats as readonly unknown[]).includes(format)) return false
  if (key !== undefined && (keys !== undefined || !isNonEmpty(key))) return false
  if (keys !== undefined && !(Array.isArray(keys) && keys.length > 0 && keys.every(isNonEmpty)))
    return false
  if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'base64') return false
  return (
    isOptionalBoolean(fields.trim_newline) && isOptionalBoolean(fields.allow_insecure_permissions)
  )
}

const schema = lazyConfigSchema(buildConfigSchema, vouchesForConfig)
/** The schema of a file secret's fields (ProviderModule.configSchema), built on first use. */
export const configSchema = schema.configSchema
/** `fields` as a FileConfig: checked by vouchesForConfig when it can, else by configSchema. */
export const parseFileConfig = schema.safeParse
