import {
  FloeError,
  ForbiddenError,
  ProviderUnavailableError,
  errorFromHttpStatus,
  parseRetryAfter,
  type FloeErrorOptions,
} from '@floe/core'
import { RequestTimeoutError } from './timeout.js'
import { PROVIDER_NAME } from './validate.js'

interface RestErrorLike {
  name?: string
  statusCode?: number
  code?: string
  message?: string
  details?: {
    error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } }
  }
  response?: { headers?: { get(name: string): string | undefined } }
}

/** the service's inner error code, e.g. SecretDisabled, ForbiddenByRbac */
export function innerCode(error: unknown): string | undefined {
  const details = (error as RestErrorLike | null)?.details?.error
  return details?.innerError?.code ?? details?.innererror?.code
}

/**
 * Maps a Key Vault / Entra failure to a typed floe error (messages carry names and service
 * text only — Key Vault never echoes values). 429 keeps the Retry-After for the resolver.
 */
export function classifyAzureError(error: unknown, what: string, secret?: string): FloeError {
  if (error instanceof FloeError) return error
  const e = (error ?? {}) as RestErrorLike
  const opts: FloeErrorOptions = {
    provider: PROVIDER_NAME,
    ...(secret ? { secret } : {}),
    cause: error,
  }
  const text = e.message ?? String(error)
  if (error instanceof RequestTimeoutError) {
    return new ProviderUnavailableError(`${what}: ${text}`, {
      ...opts,
      details: { timeoutMs: error.timeoutMs },
    })
  }
  // @azure/identity: CredentialUnavailableError, AuthenticationError, AuthenticationRequiredError…
  if (
    typeof e.name === 'string' &&
    /^(\w*Authentication\w*|CredentialUnavailable)Error$/.test(e.name)
  ) {
    return new ForbiddenError(`${what}: could not get an Entra token (${text.split('\n')[0]})`, {
      ...opts,
      hint: 'check auth.type and its settings (managed identity, service principal, `az login`)',
    })
  }
  if (typeof e.statusCode === 'number') {
    const status = e.statusCode
    if (status === 403 && innerCode(error) === 'SecretDisabled') {
      return new ForbiddenError(`${what} is disabled`, {
        ...opts,
        hint: 'enable the secret version in Key Vault, or reference another version',
      })
    }
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfter(e.response?.headers?.get('retry-after'))
        : undefined
    const reason = status === 429 ? 'throttled by Key Vault' : (e.code ?? `HTTP ${status}`)
    return errorFromHttpStatus(status, `${what}: ${reason} (${text.split('\n')[0]})`, {
      ...opts,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(status === 403
        ? {
            hint: 'grant the "Key Vault Secrets User" role (or a get/list access policy) to the caller',
          }
        : {}),
    })
  }
  // no HTTP status: connection refused/reset, DNS, TLS — transient
  return new ProviderUnavailableError(
    `${what}: ${e.code ?? 'request failed'} (${text.split('\n')[0]})`,
    opts,
  )
}
