import { REDACTED, SecretValue } from '../secret-value.js'

export interface RedactorOptions {
  /** text that replaces a value (default "[REDACTED]") */
  mask?: string
  /**
   * Values shorter than this are not masked: masking "a" or "1" would shred every log line
   * without protecting anything. Default 3.
   */
  minLength?: number
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The forms a value may take in output: itself, JSON-escaped, base64 (values ≥ 4 chars). */
function formsOf(value: string): string[] {
  const forms = [value]
  const escaped = JSON.stringify(value).slice(1, -1)
  if (escaped !== value) forms.push(escaped)
  if (value.length >= 4) {
    const base64 = Buffer.from(value, 'utf8').toString('base64')
    forms.push(base64)
    const unpadded = base64.replace(/=+$/, '')
    if (unpadded !== base64) forms.push(unpadded)
    const url = unpadded.replace(/\+/g, '-').replace(/\//g, '_')
    if (url !== unpadded) forms.push(url)
  }
  return forms
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

  constructor(options: RedactorOptions = {}) {
    this.mask = options.mask ?? REDACTED
    this.minLength = options.minLength ?? 3
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
    }
    return true
  }

  /** Length of the longest registered form (what a streaming filter must hold back). */
  get maxLength(): number {
    return this.longest
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
