export * from './emulator.js'
export type { AwsDenyRule } from './access.js'
export { AwsServiceError } from './errors.js'
export type { RotationLambda, RotationRecord, StoredSecretVersion } from './secrets-manager.js'
export type { ParameterType, StoredParameterVersion } from './ssm.js'
export { preferNodeBuildsOfAwsSdk } from './sdk-resolution.js'
export type { IssuedSession } from './access.js'
export {
  findMotoServer,
  MotoUnavailableError,
  startMotoServer,
  type MotoServer,
  type MotoServerOptions,
} from './moto.js'
export { AWS_BACKENDS, startAwsBackend, type AwsBackend, type AwsBackendKind } from './backends.js'
export type { AwsClientConfig } from './endpoint.js'
