import {
  ConflictError,
  errorFromHttpStatus,
  FloeError,
  ForbiddenError,
  parseRetryAfter,
  ProviderUnavailableError,
  type FloeErrorOptions,
} from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
])

/** The Status object of an API error, parsed from ApiException.body (a raw JSON string). */
export interface ApiStatus {
  code: number
  reason?: string
  message?: string
  /** details.name: set when a named object is missing, absent when the resource type is unknown */
  name?: string
}

export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (!error || typeof error !== 'object' || typeof (error as { code?: unknown }).code !== 'number')
    return undefined
  const { code, body } = error as { code: number; body?: unknown }
  if (code < 100) return undefined
  let parsed: unknown = body
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = undefined
    }
  }
  const status =
    parsed && typeof parsed === 'object'
      ? (parsed as { reason?: unknown; message?: unknown; details?: { name?: unknown } })
      : {}
  return {
    code,
    ...(typeof status.reason === 'string' ? { reason: status.reason } : {}),
    ...(typeof status.message === 'string' ? { message: status.message } : {}),
    ...(typeof status.details?.name === 'string' ? { name: status.details.name } : {}),
  }
}

/**
 * Maps a client-node failure to floe's typed errors. Only the API server's Status message is
 * quoted (it names objects, never data); the raw exception text is not.
 */
export function toFloeError(
  error: unknown,
  what: string,
  options: FloeErrorOptions = {},
): FloeError {
  if (error instanceof FloeError) return error
  const opts = { provider: PROVIDER_NAME, ...options }
  const status = apiStatusOf(error)
  if (status) {
    const detail = status.message ? `: ${status.message}` : ''
    if (status.code === 409 && status.reason === 'AlreadyExists')
      return new ConflictError(`${what}: already exists${detail}`, opts)
    if (status.code === 409)
      return new ConflictError(`${what}: the object changed since it was read${detail}`, opts)
    if (status.code === 401)
      return new ForbiddenError(`${what}: unauthorized (credentials rejected)`, {
        ...opts,
        hint: 'check the kubeconfig user / service account token',
      })
    const headers = (error as { headers?: Record<string, string> }).headers ?? {}
    const retryAfterMs = parseRetryAfter(headers['retry-after'])
    return errorFromHttpStatus(
      status.code,
      `${what}: HTTP ${status.code}${status.reason ? ` ${status.reason}` : ''}${detail}`,
      {
        ...opts,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    )
  }
  const rawCode = (error as { code?: unknown } | undefined)?.code
  const code = typeof rawCode === 'string' ? rawCode : ''
  const name = error instanceof Error ? error.name : 'Error'
  if (NETWORK_CODES.has(code) || name === 'FetchError' || name === 'AbortError')
    return new ProviderUnavailableError(`${what}: API server unreachable (${code || name})`, {
      ...opts,
      cause: error,
    })
  return new ProviderUnavailableError(`${what}: request failed (${name})`, {
    ...opts,
    cause: error,
  })
}
