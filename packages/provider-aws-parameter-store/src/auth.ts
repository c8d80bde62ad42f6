// One AWS auth implementation for both AWS providers: Parameter Store uses the Secrets Manager
// package's schema, credential resolution and error mapping (no SDK is loaded by importing them).
export {
  awsAuthSchema,
  classifyAwsError,
  resolveAwsCredentials,
  type AwsAuth,
  type AwsCredentials,
} from '@floe/provider-aws-secrets-manager'
