import { SecretValue } from '../secret-value.js'
import type { Logger } from '../types.js'
import { Redactor } from './redactor.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface LoggerOptions {
  level?: LogLevel
  /** receives one finished line (no trailing newline); default writes to stderr */
  write?: (line: string) => void
  /** JSON lines instead of `LEVEL message key=value` text */
  json?: boolean
  /** share one redactor between the logger, the resolver and `exec` masking */
  redactor?: Redactor
  /** fields added to every line */
  bindings?: Record<string, unknown>
  /** clock for the JSON `time` field */
  now?: () => Date
}

export interface RedactingLogger extends Logger {
  readonly redactor: Redactor
  readonly level: LogLevel
  /** masks this value in every later line */
  registerSecret(value: SecretValue | string): void
  child(bindings: Record<string, unknown>): RedactingLogger
  isEnabled(level: LogLevel): boolean
}

function formatField(value: unknown): string {
  if (typeof value === 'string') return /[\s="]/.test(value) ? JSON.stringify(value) : value
  return JSON.stringify(value) ?? String(value)
}

/**
 * A logger that can not print a value: SecretValue arguments render as [REDACTED] and every
 * registered value (in any field, nested or not, and in the message) is masked.
 */
export function createLogger(options: LoggerOptions = {}): RedactingLogger {
  const redactor = options.redactor ?? new Redactor()
  const level = options.level ?? 'info'
  const write = options.write ?? ((line: string) => void process.stderr.write(line + '\n'))
  const bindings = options.bindings ?? {}
  const now = options.now ?? (() => new Date())

  const emit = (
    lineLevel: Exclude<LogLevel, 'silent'>,
    message: unknown,
    fields?: Record<string, unknown>,
  ) => {
    if (rank[lineLevel] < rank[level]) return
    const text = message instanceof SecretValue ? message.toString() : String(message)
    const merged = redactor.redactValue({ ...bindings, ...fields }) as Record<string, unknown>
    let line: string
    if (options.json) {
      line = JSON.stringify({ level: lineLevel, time: now().toISOString(), msg: text, ...merged })
    } else {
      const rendered = Object.entries(merged)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatField(v)}`)
      line = [lineLevel.toUpperCase().padEnd(5), text, ...rendered].join(' ')
    }
    // Last pass over the whole line catches values that only appear once fields are joined.
    write(redactor.redact(line))
  }

  return {
    redactor,
    level,
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    registerSecret: (value) => void redactor.add(value),
    isEnabled: (l) => rank[l] >= rank[level] && l !== 'silent',
    child: (extra) =>
      createLogger({ ...options, redactor, level, bindings: { ...bindings, ...extra } }),
  }
}

/** A logger that drops everything (the default when a caller passes none). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}
