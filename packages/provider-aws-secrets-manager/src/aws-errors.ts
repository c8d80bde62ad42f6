import {
  ConfigError,
  ConflictError,
  FloeError,
  ForbiddenError,
  InvalidSecretError,
  parseRetryAfter,
  ProviderUnavailableError,
  SecretNotFoundError,
  type FloeErrorOptions,
} from '@floe/core'

/** The parts of an AWS SDK v3 error floe reads (ServiceException, or a network error). */
interface AwsErrorLike {
  name?: string
  message?: string
  code?: string
  $fault?: 'client' | 'server'
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
  $retryable?: { throttling?: boolean }
}

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ParameterNotFound',
  'ParameterVersionNotFound',
])
const FORBIDDEN = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'DecryptionFailure',
  'KMSAccessDeniedException',
  'InvalidKeyId',
])
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ThrottledException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
])
const SERVER = new Set([
  'InternalServiceError',
  'InternalServiceErrorException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
])
const CONFLICT = new Set(['ResourceExistsException', 'ParameterAlreadyExists'])
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
])

/**
 * Maps an AWS SDK error (or a BatchGetSecretValue `Errors[]` entry, as `{name, message}`) to
 * floe's typed errors. AWS messages name resources and principals, never secret values.
 */
export function classifyAwsError(
  error: unknown,
  options: FloeErrorOptions & { what?: string } = {},
): FloeError {
  if (error instanceof FloeError) return error
  const e = (error ?? {}) as AwsErrorLike
  const name = e.name ?? 'Error'
  const status = e.$metadata?.httpStatusCode
  const what = options.what ?? (options.secret ? `secret "${options.secret}"` : 'request')
  const detail = `${name}${e.message ? `: ${e.message}` : ''}`
  const base: FloeErrorOptions = { ...options, cause: error }
  delete (base as { what?: string }).what
  if (NOT_FOUND.has(name)) return new SecretNotFoundError(`${what} not found (${detail})`, base)
  if (FORBIDDEN.has(name) || /not authorized|access denied/i.test(e.message ?? '')) {
    return new ForbiddenError(`access to ${what} denied (${detail})`, {
      ...base,
      hint:
        options.hint ??
        'check the IAM policy of the identity floe runs as (see the provider README)',
    })
  }
  if (THROTTLED.has(name) || e.$retryable?.throttling || status === 429) {
    const retryAfterMs = parseRetryAfter(e.$response?.headers?.['retry-after'])
    return new ProviderUnavailableError(`${what}: throttled by AWS (${detail})`, {
      ...base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    })
  }
  if (SERVER.has(name) || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return new ProviderUnavailableError(`${what}: AWS service error (${detail})`, base)
  }
  if (CONFLICT.has(name)) return new ConflictError(`${what} already exists (${detail})`, base)
  if (status === undefined) {
    const code = e.code ?? ''
    if (
      NETWORK.has(code) ||
      NETWORK.has(name) ||
      name === 'TimeoutError' ||
      name === 'AbortError' ||
      /socket hang up|ECONNRE/.test(e.message ?? '')
    ) {
      return new ProviderUnavailableError(`${what}: cannot reach AWS (${code || name})`, base)
    }
    if (/region is missing/i.test(e.message ?? '')) {
      return new ConfigError(`no AWS region for ${what}`, {
        ...base,
        hint: 'set `region:` on the secret, or AWS_REGION in the environment',
      })
    }
    if (name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) {
      return new ForbiddenError(`no AWS credentials for ${what} (${detail})`, {
        ...base,
        hint: 'configure `auth:` or the SDK default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, instance role)',
      })
    }
    return new InvalidSecretError(`${what}: request failed (${detail})`, base)
  }
  return new InvalidSecretError(`${what}: request rejected (${detail})`, base)
}
