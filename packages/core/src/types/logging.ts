/** The redacting logger interface every package logs through. Types only. */

/** Redacting logger: implementations must run every argument through `redact` (see logger.ts). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}
