import { createRequire } from 'node:module'
import { z } from 'zod'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { DEFAULT_REQUEST_HANDLER } from './request-handler.js'

/** `auth:` of both AWS providers, so they authenticate identically (see README.md). */
export const awsAuthSchema = z.discriminatedUnion('type', [
  /** the SDK's default chain: env vars, shared config/SSO, web identity, ECS/EC2 metadata */
  z.strictObject({ type: z.literal('default') }),
  /** EC2 instance profile (IMDS), or the ECS task role when the container endpoint is set */
  z.strictObject({ type: z.literal('instance_profile') }),
  /** access keys, usually interpolated: `access_key_id: ${env:AWS_ACCESS_KEY_ID}` */
  z.strictObject({
    type: z.literal('static'),
    access_key_id: z.string().min(1, 'access_key_id cannot be empty'),
    secret_access_key: z.string().min(1, 'secret_access_key cannot be empty'),
    session_token: z.string().min(1).optional(),
  }),
  /** STS AssumeRole from the default chain's identity */
  z.strictObject({
    type: z.literal('assume_role'),
    role_arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'role_arn must be an IAM role ARN'),
    session_name: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/)
      .optional(),
    external_id: z.string().min(2).optional(),
    duration_seconds: z.number().int().min(900).max(43_200).optional(),
    /** STS endpoint (a VPC endpoint, or the sandbox); default: AWS_ENDPOINT_URL_STS / AWS */
    sts_endpoint: z.url().optional(),
  }),
  /** a named profile of ~/.aws/config and ~/.aws/credentials */
  z.strictObject({ type: z.literal('profile'), profile: z.string().min(1) }),
])

export type AwsAuth = z.infer<typeof awsAuthSchema>
/** what the SDK clients' `credentials` option accepts (an identity or a provider of one) */
export type AwsCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider

const require = createRequire(import.meta.url)

/**
 * Turns `auth:` into what the SDK's `credentials` option takes. `undefined` means "let the SDK
 * use its default chain". @aws-sdk/credential-providers is loaded only when needed.
 */
export function resolveAwsCredentials(
  auth: AwsAuth | undefined,
  options: {
    region?: string
    env?: NodeJS.ProcessEnv
    /** identity that calls sts:AssumeRole (default: the SDK's default chain) */
    sourceCredentials?: AwsCredentials
  } = {},
): AwsCredentials | undefined {
  if (!auth || auth.type === 'default') return undefined
  if (auth.type === 'static') {
    return {
      accessKeyId: auth.access_key_id,
      secretAccessKey: auth.secret_access_key,
      ...(auth.session_token ? { sessionToken: auth.session_token } : {}),
    }
  }
  const providers =
    require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers')
  switch (auth.type) {
    case 'instance_profile': {
      const env = options.env ?? process.env
      const inContainer =
        env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI !== undefined ||
        env.AWS_CONTAINER_CREDENTIALS_FULL_URI !== undefined
      return inContainer ? providers.fromContainerMetadata() : providers.fromInstanceMetadata()
    }
    case 'assume_role':
      return providers.fromTemporaryCredentials({
        params: {
          RoleArn: auth.role_arn,
          RoleSessionName: auth.session_name ?? 'floe',
          ...(auth.external_id ? { ExternalId: auth.external_id } : {}),
          ...(auth.duration_seconds ? { DurationSeconds: auth.duration_seconds } : {}),
        },
        ...(options.sourceCredentials ? { masterCredentials: options.sourceCredentials } : {}),
        clientConfig: {
          ...(options.region ? { region: options.region } : {}),
          ...(auth.sts_endpoint ? { endpoint: auth.sts_endpoint } : {}),
          // the resolver owns retries, as for the service clients
          maxAttempts: 1,
          requestHandler: DEFAULT_REQUEST_HANDLER,
        },
      })
    case 'profile':
      return providers.fromIni({ profile: auth.profile })
  }
}
