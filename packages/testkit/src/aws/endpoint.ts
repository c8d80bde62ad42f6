/** What `new SecretsManagerClient(…)` / `new SSMClient(…)` need to reach a local endpoint. */
export interface AwsClientConfig {
  endpoint: string
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  maxAttempts: number
}

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
}

/** SDK client config for a local endpoint; retries off (floe's resolver owns retries). */
export function sdkClientConfig(
  url: string,
  region: string,
  credentials: AwsCredentials,
): AwsClientConfig {
  return { endpoint: url, region, credentials: { ...credentials }, maxAttempts: 1 }
}

/** Environment for the AWS CLI, boto3 and the SDKs' default chain. */
export function sdkEnv(
  url: string,
  region: string,
  credentials: AwsCredentials,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  }
}
