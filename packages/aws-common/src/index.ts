export { awsAuthSchema, resolveAwsCredentials, type AwsAuth, type AwsCredentials } from './auth.js'
export { awsConnectionFields, connectionOf, type AwsConnection } from './connection.js'
export { AwsClients, type AwsClientConfigLike, type AwsClientsOptions } from './clients.js'
export {
  classifyAwsError,
  isUnparsableAnswer,
  restoreHint,
  type AwsErrorOptions,
} from './errors.js'
export { awsPages } from './pages.js'
export { awsCheck, awsListings } from './provider-methods.js'
export { DEFAULT_REQUEST_HANDLER, requestHandlerFor } from './request-handler.js'
export { lazySdk, quietNodeVersionWarning } from './sdk.js'
