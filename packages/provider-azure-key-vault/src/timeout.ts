/**
 * Request timeouts. The SDK sends every request without one (a hung vault, proxy or authority
 * host would hang floe forever), and @azure/identity's token requests through MSAL take no
 * timeout from their caller at all.
 */
import type { GetTokenOptions, TokenCredential, TokenCredentialOptions } from '@azure/identity'

/** Per-request timeout when `timeoutMs` is not given; `timeoutMs: 0` turns it off. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** A request the timeout gave up on; the provider maps it to UNAVAILABLE (retryable). */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError'

  constructor(
    target: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `${target} did not answer within ${timeoutMs} ms (the request timeout: createAzureKeyVaultProvider({ timeoutMs }) changes it, 0 turns it off)`,
      options,
    )
  }
}

/** the SDK aborts a timed-out request with an AbortError; floe passes no abort signal of its own */
export const isAbortError = (error: unknown): boolean =>
  (error as { name?: unknown } | null)?.name === 'AbortError'

type PipelinePolicy = NonNullable<TokenCredentialOptions['additionalPolicies']>[number]['policy']

/**
 * Options for the credentials floe builds: their identity client gets a timeout on each request
 * it sends (OpenID discovery, token) so a hung authority's socket is closed, not left open.
 */
export function tokenRequestOptions(timeoutMs: number): TokenCredentialOptions {
  if (!(timeoutMs > 0)) return {}
  const policy: PipelinePolicy = {
    name: 'floeRequestTimeout',
    sendRequest: (request, next) => {
      // a request's own shorter timeout (the managed-identity probe's 1 s) stays
      if (!(request.timeout > 0)) request.timeout = timeoutMs
      return next(request)
    },
  }
  return { additionalPolicies: [{ policy, position: 'perCall' }] }
}

/**
 * Bounds each getToken as a whole: MSAL's failure after an aborted request reads as a credential
 * problem (CredentialUnavailableError, which floe reports as FORBIDDEN), and credentials floe did
 * not build (options.credential, ManagedIdentityCredential's own client) take no policy.
 */
export function withTokenTimeout(credential: TokenCredential, timeoutMs: number): TokenCredential {
  if (!(timeoutMs > 0)) return credential
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RequestTimeoutError('the Entra token request', timeoutMs)),
          timeoutMs,
        )
      })
      return Promise.race([credential.getToken(scopes, options), timedOut]).finally(() =>
        clearTimeout(timer),
      )
    },
  }
}
