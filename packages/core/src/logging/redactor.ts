import { REDACTED, SecretValue } from '../secret-value.js'

export interface RedactorOptions {
  /** text that replaces a value (default "[REDACTED]") */
  mask?: string
  /**
   * Values shorter than this are not masked: masking "a" or "1" would shred every log line
   * without protecting anything — and cannot be masked in any meaningful way (exec warns by
   * name, --strict-mask refuses). Default 3 (MIN_MASKABLE_LENGTH).
   */
  minLength?: number
}

/** Values shorter than this are never masked (see RedactorOptions.minLength). */
export const MIN_MASKABLE_LENGTH = 3

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The forms a value may take in output: itself, JSON-escaped, base64 (padded, unpadded,
 * URL-safe), URL-encoded, and — for a multi-line value such as a PEM key — each of its lines
 * trimmed of indentation and CR, since a program may re-indent it, use CRLF or print one line.
 * Forms shorter than the redactor's minimum are left out by `add`.
 */
export function formsOf(value: string): string[] {
  const forms = new Set([value])
  forms.add(JSON.stringify(value).slice(1, -1))
  const base64 = Buffer.from(value, 'utf8').toString('base64')
  const unpadded = base64.replace(/=+$/, '')
  forms.add(base64).add(unpadded).add(unpadded.replace(/\+/g, '-').replace(/\//g, '_'))
  forms.add(encodeURIComponent(value))
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) forms.add(line.trim())
  }
  return [...forms]
}

/**
 * Masks known secret values in free text. Shared by the logger, error reporting and the
 * `exec` output filter, so that a value resolved once is masked everywhere.
 */
export class Redactor {
  readonly mask: string
  readonly minLength: number
  private readonly patterns = new Set<string>()
  private readonly values = new Set<string>()
  private compiled: RegExp | undefined
  private longest = 0
  private changes = 0

  constructor(options: RedactorOptions = {}) {
    this.mask = options.mask ?? REDACTED
    this.minLength = options.minLength ?? MIN_MASKABLE_LENGTH
  }

  /** Registers a value (and its escaped/encoded forms). Returns whether it will be masked. */
  add(value: SecretValue | string): boolean {
    const plain = value instanceof SecretValue ? value.reveal() : value
    if (plain.length < this.minLength) return false
    if (this.values.has(plain)) return true
    this.values.add(plain)
    for (const form of formsOf(plain)) {
      if (form.length < this.minLength || this.patterns.has(form)) continue
      this.patterns.add(form)
      this.longest = Math.max(this.longest, form.length)
      this.compiled = undefined
      this.changes++
    }
    return true
  }

  /** Length of the longest registered form (what a streaming filter must hold back). */
  get maxLength(): number {
    return this.longest
  }

  /** Changes whenever a form is added (streaming filters rebuild their matcher then). */
  get version(): number {
    return this.changes
  }

  /** Every registered form, as masked in output. */
  forms(): string[] {
    return [...this.patterns]
  }

  get size(): number {
    return this.patterns.size
  }

  /**
   * A global regex matching any registered form, longest alternatives first, so that at a
   * given position the longest value wins (a value containing another is masked whole).
   */
  pattern(): RegExp | undefined {
    if (this.patterns.size === 0) return undefined
    if (!this.compiled) {
      const sorted = [...this.patterns].sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
      this.compiled = new RegExp(sorted.map(escapeRegExp).join('|'), 'g')
    }
    this.compiled.lastIndex = 0
    return this.compiled
  }

  redact(text: string): string {
    const re = this.pattern()
    if (!re) return text
    return text.replace(re, this.mask)
  }

  /** Redacts a value of any shape: strings, SecretValues, arrays, plain objects, errors. */
  redactValue(value: unknown, seen = new WeakSet<object>()): unknown {
    if (value instanceof SecretValue) return REDACTED
    if (typeof value === 'string') return this.redact(value)
    if (value === null || typeof value !== 'object') return value
    if (seen.has(value)) return '[Circular]'
    seen.add(value)
    if (value instanceof Error) {
      return {
        name: value.name,
        message: this.redact(value.message),
        ...('code' in value && typeof value.code === 'string' ? { code: value.code } : {}),
      }
    }
    if (value instanceof Date) return value.toISOString()
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, seen))
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v, seen)
    return out
  }
}
