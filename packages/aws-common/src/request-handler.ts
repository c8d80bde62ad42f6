/**
 * HTTP settings of the SDK clients floe builds. The SDK's default has no request timeout, and
 * a `requestTimeout` alone only logs a warning: `throwOnRequestTimeout` turns a hung call into
 * an error (UNAVAILABLE → retry → fallback) instead of a hung floe.
 */
export const DEFAULT_REQUEST_HANDLER = {
  connectionTimeout: 5_000,
  requestTimeout: 30_000,
  throwOnRequestTimeout: true,
} as const

/** Merges options given as a plain object over the defaults; a handler instance is kept as is. */
export function requestHandlerFor<T>(configured: T | undefined): T {
  if (configured === undefined || configured === null) return DEFAULT_REQUEST_HANDLER as T
  if (typeof configured === 'object' && Object.getPrototypeOf(configured) === Object.prototype) {
    return { ...DEFAULT_REQUEST_HANDLER, ...configured }
  }
  return configured
}
