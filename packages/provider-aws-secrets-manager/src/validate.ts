import { z } from 'zod'
import { awsConnectionFields } from '@floe/aws-common'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'aws_secrets_manager'

/** Secrets Manager version ids are UUIDs (ClientRequestToken); anything else is a stage label. */
export const VERSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The aws_secrets_manager fields of a secret definition. */
export const configSchema = z
  .strictObject({
    /** secret name or ARN, e.g. production/mongodb/connection */
    secret_id: z.string().min(1, 'secret_id cannot be empty').max(2048),
    /** staging label to read (default AWSCURRENT) */
    version_stage: z.string().min(1).max(256).optional(),
    /** exact version id (a UUID) */
    version_id: z.string().min(32).max(64).optional(),
    /** expected keys of a JSON secret (informational; checked by `floe secrets validate`) */
    keys: z.array(z.string().min(1)).optional(),
    key: z.string().min(1).optional(),
    ...awsConnectionFields,
    /** rotation Lambda for `floe secrets rotate` (else the one already configured on the secret) */
    rotation_lambda_arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:lambda:/, 'rotation_lambda_arn must be a Lambda ARN')
      .optional(),
  })
  .refine((c) => !(c.version_stage !== undefined && c.version_id !== undefined), {
    message: 'set `version_stage` or `version_id`, not both',
  })

export type SecretsManagerConfig = z.infer<typeof configSchema>
