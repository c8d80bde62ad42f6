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
 * The SDK could not parse the answer (e.g. the HTML page moto or a proxy sends): its error is
 * a SyntaxError carrying the raw response and a "Deserialization error" message.
 */
export function isUnparsableAnswer(error: unknown): boolean {
  const e = (error ?? {}) as AwsErrorLike
  return (
    e.$response !== undefined &&
    (e.name === 'SyntaxError' || /Deserialization error/i.test(e.message ?? ''))
  )
}

function contentTypeOf(e: AwsErrorLike): string | undefined {
  const type = e.$response?.headers?.['content-type']
  return type ? type.split(';')[0]?.trim() : undefined
}

/**
 * Secrets Manager answers InvalidRequestException for a secret in its recovery window
 * ("marked for deletion" on AWS and floe's emulator, "marked deleted" on moto). For a reader
 * the secret is gone: NOT_FOUND, with how to get it back.
 */
const SCHEDULED_FOR_DELETION = /marked (for )?delet|scheduled for deletion/i

export function restoreHint(secretId: string | undefined): string {
  const id = secretId ?? 'ID'
  return `it is scheduled for deletion: restore it with \`aws secretsmanager restore-secret --secret-id ${id}\`, or wait until its recovery window ends`
}

/** What an AWS failure is about: the secret, the call (`what`), the id for restore hints. */
export type AwsErrorOptions = FloeErrorOptions & { what?: string; secretId?: string }

/**
 * Maps an AWS SDK error (or a BatchGetSecretValue `Errors[]` entry, as `{name, message}`) to
 * floe's typed errors. AWS messages name resources and principals, never secret values.
 */
export function classifyAwsError(error: unknown, options: AwsErrorOptions = {}): FloeError {
  if (error instanceof FloeError) return error
  const e = (error ?? {}) as AwsErrorLike
  const status = e.$metadata?.httpStatusCode
  const unparsable = isUnparsableAnswer(e)
  const name = unparsable ? `HTTP ${status ?? '?'}` : (e.name ?? 'Error')
  const what = options.what ?? (options.secret ? `secret "${options.secret}"` : 'request')
  // a non-JSON answer (an HTML error page) must not surface as the SDK's JSON parser text
  const detail = unparsable
    ? `HTTP ${status ?? '?'} with a ${contentTypeOf(e) ?? 'non-JSON'} body instead of an AWS answer`
    : `${name}${e.message ? `: ${e.message}` : ''}`
  // the SDK's parser error says nothing about AWS: keep it out of the cause chain too
  const base: FloeErrorOptions = { ...options, ...(unparsable ? {} : { cause: error }) }
  delete (base as { what?: string }).what
  delete (base as { secretId?: string }).secretId
  if (NOT_FOUND.has(name)) return new SecretNotFoundError(`${what} not found (${detail})`, base)
  if (name === 'InvalidRequestException' && SCHEDULED_FOR_DELETION.test(e.message ?? '')) {
    return new SecretNotFoundError(`${what} is scheduled for deletion (${detail})`, {
      ...base,
      hint: restoreHint(options.secretId),
    })
  }
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
