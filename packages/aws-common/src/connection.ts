import { z } from 'zod'
import { awsAuthSchema, type AwsAuth } from './auth.js'

/** The definition fields that say where and as whom to call AWS, shared by both providers. */
export const awsConnectionFields = {
  /** defaults to the SDK's region resolution (AWS_REGION, profile) */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'region must look like us-east-1')
    .optional(),
  /** custom endpoint (VPC endpoint, LocalStack, floe-sandbox); default: AWS_ENDPOINT_URL or AWS */
  endpoint: z.url().optional(),
  auth: awsAuthSchema.optional(),
}

/** Where and as whom to call an AWS service, from a secret definition. */
export interface AwsConnection {
  region?: string
  endpoint?: string
  auth?: AwsAuth
}

/** The connection part of a parsed definition (absent fields stay absent). */
export function connectionOf(config: AwsConnection): AwsConnection {
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.auth ? { auth: config.auth } : {}),
  }
}
