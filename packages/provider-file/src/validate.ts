import { z } from 'zod'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'file'

export const fileFormats = ['json', 'yaml', 'dotenv', 'raw', 'dir'] as const
export type FileFormat = (typeof fileFormats)[number]

/** The file provider's own fields of a secret definition. */
export const configSchema = z
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

export type FileConfig = z.infer<typeof configSchema>
