/**
 * Typed errors shared by every floe package. Dependency-free on purpose: providers, emitters
 * and the CLI classify failures by `code`, never by message text.
 *
 * Messages must never contain a secret value; they name secrets, paths and providers only.
 */

export type FloeErrorCode =
  | 'NOT_FOUND' // the secret/key/version does not exist
  | 'FORBIDDEN' // authenticated but not allowed (never turned into a default)
  | 'INVALID' // the request or stored data is malformed (bad key, bad JSON, bad version)
  | 'UNAVAILABLE' // transient: timeouts, 5xx, throttling, resets — retried
  | 'CONFLICT' // compare-and-set lost
  | 'CONFIG' // manifest / configuration error (file:line:col when known)
  | 'USAGE' // bad command-line usage
  | 'NOT_INSTALLED' // a provider or emitter package is missing
  | 'UNSUPPORTED' // the provider lacks the capability
  | 'REFERENCE' // malformed secret:// reference

export interface SourceLocation {
  file?: string
  line: number // 1-based
  column: number // 1-based
}

export interface FloeErrorOptions {
  provider?: string
  secret?: string
  location?: SourceLocation
  hint?: string
  retryAfterMs?: number
  cause?: unknown
  details?: Record<string, unknown>
}

/** CLI exit codes. */
export const ExitCode = {
  OK: 0,
  CHECK_FAILED: 1,
  USAGE: 2,
  UNAVAILABLE: 3,
  DENIED: 4,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Marks a FloeError of any copy of @floe/core (a provider's own copy, see SecretValue). */
const FLOE_ERROR_BRAND = Symbol.for('floe.FloeError')

export class FloeError extends Error {
  readonly code: FloeErrorCode
  readonly provider?: string
  readonly secret?: string
  readonly location?: SourceLocation
  readonly hint?: string
  readonly retryAfterMs?: number
  readonly details?: Record<string, unknown>

  constructor(code: FloeErrorCode, message: string, options: FloeErrorOptions = {}) {
    const prefix = options.provider ? `[${options.provider}] ` : ''
    super(prefix + message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.provider = options.provider
    this.secret = options.secret
    this.location = options.location
    this.hint = options.hint
    this.retryAfterMs = options.retryAfterMs
    this.details = options.details
  }

  /**
   * `instanceof FloeError` holds for errors of every copy of @floe/core; subclasses keep the
   * ordinary prototype check (classify across copies by `code`).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== FloeError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[FLOE_ERROR_BRAND] === true
    )
  }

  /** Whether the resolver may retry the call that raised this error. */
  get transient(): boolean {
    return this.code === 'UNAVAILABLE'
  }

  get exitCode(): ExitCode {
    return exitCodeFor(this.code)
  }

  /** "file:line:col: message" when a location is known. */
  get located(): string {
    if (!this.location) return this.message
    const { file, line, column } = this.location
    return `${file ? `${file}:` : ''}${line}:${column}: ${this.message}`
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.provider ? { provider: this.provider } : {}),
      ...(this.secret ? { secret: this.secret } : {}),
      ...(this.location ? { location: this.location } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
    }
  }
}
Object.defineProperty(FloeError.prototype, FLOE_ERROR_BRAND, { value: true })

export class SecretNotFoundError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('NOT_FOUND', message, options)
  }
}
export class ForbiddenError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('FORBIDDEN', message, options)
  }
}
export class InvalidSecretError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('INVALID', message, options)
  }
}
export class ProviderUnavailableError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('UNAVAILABLE', message, options)
  }
}
export class ConflictError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('CONFLICT', message, options)
  }
}
export class ConfigError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('CONFIG', message, options)
  }
}
export class UsageError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('USAGE', message, options)
  }
}
export class NotInstalledError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('NOT_INSTALLED', message, options)
  }
}
export class UnsupportedError extends FloeError {
  constructor(message: string, options?: FloeErrorOptions) {
    super('UNSUPPORTED', message, options)
  }
}

/** Error raised by the `secret://` parser; `offset` is the 0-based index of the problem. */
export class SecretReferenceError extends FloeError {
  readonly input: string
  readonly offset: number
  constructor(message: string, input: string, offset: number, options?: FloeErrorOptions) {
    super('REFERENCE', `${message} at offset ${offset}`, options)
    this.input = input
    this.offset = offset
  }
}

/** A run that collected several configuration problems at once. */
export class AggregateConfigError extends FloeError {
  readonly errors: readonly FloeError[]
  constructor(errors: readonly FloeError[], options?: FloeErrorOptions) {
    super(
      'CONFIG',
      `${errors.length} problem${errors.length === 1 ? '' : 's'} found:\n` +
        errors.map((e) => `  ${e.located}`).join('\n'),
      options,
    )
    this.errors = errors
  }
}

export function exitCodeFor(code: FloeErrorCode): ExitCode {
  switch (code) {
    case 'FORBIDDEN':
      return ExitCode.DENIED
    case 'UNAVAILABLE':
      return ExitCode.UNAVAILABLE
    case 'CONFIG':
    case 'USAGE':
    case 'NOT_INSTALLED':
    case 'REFERENCE':
      return ExitCode.USAGE
    default:
      return ExitCode.CHECK_FAILED
  }
}

export function isFloeError(error: unknown, code?: FloeErrorCode): error is FloeError {
  return error instanceof FloeError && (code === undefined || error.code === code)
}

/**
 * Maps an HTTP status from a provider's API to a typed error. Shared so that every HTTP-based
 * provider classifies 401/403/404/409/429/5xx the same way.
 */
export function errorFromHttpStatus(
  status: number,
  message: string,
  options: FloeErrorOptions = {},
): FloeError {
  if (status === 404) return new SecretNotFoundError(message, options)
  if (status === 401 || status === 403) return new ForbiddenError(message, options)
  if (status === 409 || status === 412) return new ConflictError(message, options)
  if (status === 408 || status === 429 || status >= 500)
    return new ProviderUnavailableError(message, options)
  return new InvalidSecretError(message, options)
}

/** Parses an HTTP Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
