import { z } from 'zod'
import { awsConnectionFields } from '@floe/aws-common'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'aws_parameter_store'

export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]

/** The aws_parameter_store fields of a secret definition. */
export const configSchema = z.strictObject({
  /** parameter name, e.g. /production/database/password (no `:selector`: use ?version=) */
  name: z
    .string()
    .min(1, 'name cannot be empty')
    .max(2048)
    .refine((n) => !n.includes(':') || n.startsWith('arn:'), {
      message: 'name must not carry a `:version` selector; use `version:` or secret://x?version=',
    }),
  /** type used when floe creates the parameter (default SecureString) */
  type: z.enum(PARAMETER_TYPES).optional(),
  /** decrypt SecureString values (default true; false returns the ciphertext) */
  with_decryption: z.boolean().optional(),
  /** KMS key for SecureString parameters floe writes (default alias/aws/ssm) */
  kms_key_id: z.string().min(1).optional(),
  /** a version number or label to read (`name:3`, `name:stable`) */
  version: z
    .union([z.number().int().positive(), z.string().regex(/^[a-zA-Z0-9_.-]{1,100}$/)])
    .optional(),
  /** expected keys of a JSON value */
  keys: z.array(z.string().min(1)).optional(),
  key: z.string().min(1).optional(),
  ...awsConnectionFields,
})

export type ParameterStoreConfig = z.infer<typeof configSchema>
