import {
  ConfigError,
  ConflictError,
  FloeError,
  InvalidSecretError,
  ProviderUnavailableError,
  SecretNotFoundError,
  errorFromHttpStatus,
} from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
])

const TLS_CODES =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/

/** HTTP status of a node-vault ApiResponseError, when the error is one. */
export function vaultStatus(error: unknown): number | undefined {
  const status = (error as { response?: { statusCode?: unknown } } | null)?.response?.statusCode
  return typeof status === 'number' ? status : undefined
}

/** Vault's own error text ("permission denied"), without the multierror decoration. */
export function vaultMessage(error: unknown): string {
  const body = (error as { response?: { body?: { errors?: unknown } } } | null)?.response?.body
  const errors = Array.isArray(body?.errors) ? body.errors.map(String) : []
  const text = errors
    .map((e: string) => e.replace(/^\d+ errors? occurred:\s*/, '').replace(/\s*\*\s*/g, ' '))
    .join('; ')
    .trim()
  return text.slice(0, 300)
}

/**
 * Classifies a node-vault / axios failure. 403 is FORBIDDEN (never NOT_FOUND); connection
 * failures, timeouts, 5xx and 429 are UNAVAILABLE; a check-and-set mismatch is CONFLICT.
 */
export function vaultError(
  error: unknown,
  context: { secret?: string; action: string; address?: string },
): FloeError {
  if (error instanceof FloeError) return error
  // No `cause`: axios errors carry the request (token header, written values).
  const status = vaultStatus(error)
  const base = {
    provider: PROVIDER_NAME,
    ...(context.secret ? { secret: context.secret } : {}),
    ...(status !== undefined ? { details: { status } } : {}),
  }
  if (status !== undefined) {
    const detail = vaultMessage(error)
    const message = `${context.action}: HTTP ${status}${detail ? ` (${detail})` : ''}`
    if (status === 400 && /check-and-set/.test(detail)) return new ConflictError(message, base)
    if (status === 400 && /lease not found|invalid lease/.test(detail)) {
      return new SecretNotFoundError(message, base)
    }
    if (status === 403) {
      return errorFromHttpStatus(403, message, {
        ...base,
        hint: 'the Vault token lacks a capability on this path; see `floe secrets emit vault-policy`',
      })
    }
    return errorFromHttpStatus(status, message, base)
  }
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && TLS_CODES.test(code)) {
    // retrying cannot fix a certificate Vault's client does not trust
    return new ConfigError(
      `${context.action}: TLS verification of Vault${context.address ? ` at ${context.address}` : ''} failed (${code})`,
      {
        ...base,
        hint: 'set vault.ca_cert (or VAULT_CACERT) to the CA that signed Vault’s certificate',
      },
    )
  }
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || /^E[A-Z]+$/.test(code))) {
    return new ProviderUnavailableError(
      `${context.action}: cannot reach Vault${context.address ? ` at ${context.address}` : ''} (${code})`,
      base,
    )
  }
  if ((error as { isAxiosError?: unknown } | null)?.isAxiosError) {
    return new ProviderUnavailableError(`${context.action}: request to Vault failed`, base)
  }
  const text = error instanceof Error ? error.message : String(error)
  return new InvalidSecretError(`${context.action}: ${text.slice(0, 200)}`, base)
}
