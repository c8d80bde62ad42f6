import { inspect } from 'node:util'

export const REDACTED = '[REDACTED]'

const revealed = new WeakMap<SecretValue, string>()

/**
 * Marks a SecretValue of any copy of @floe/core: a provider installed by `floe providers add`
 * brings its own copy, and its values must still be recognised (redacted, revealed) by the
 * CLI's copy, where a plain `instanceof` would say no. Symbol.for is shared across copies.
 */
const SECRET_VALUE_BRAND = Symbol.for('floe.SecretValue')

/**
 * A resolved secret. The plain text is kept outside the object (a WeakMap), so neither
 * enumeration, JSON.stringify, String(), template literals nor util.inspect can reach it:
 * only an explicit `reveal()` does. Every place that needs the text must call it by name,
 * which keeps the few legitimate sinks (ARCHITECTURE.md, "Masking") greppable.
 */
export class SecretValue {
  /** Which secret this came from, e.g. "kafka/password" (a name, never a value). */
  readonly source: string

  constructor(value: string, source = 'secret') {
    revealed.set(this, value)
    this.source = source
    Object.freeze(this)
  }

  reveal(): string {
    return revealed.get(this) as string
  }

  get length(): number {
    return this.reveal().length
  }

  get isEmpty(): boolean {
    return this.reveal().length === 0
  }

  equals(other: SecretValue | string): boolean {
    return this.reveal() === (typeof other === 'string' ? other : other.reveal())
  }

  map(fn: (plain: string) => string, source = this.source): SecretValue {
    return new SecretValue(fn(this.reveal()), source)
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [Symbol.toPrimitive](): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return `SecretValue(${this.source}: ${REDACTED})`
  }

  static isSecretValue(value: unknown): value is SecretValue {
    return value instanceof SecretValue
  }

  /** `instanceof SecretValue` holds for values of every copy of @floe/core (see the brand). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[SECRET_VALUE_BRAND] === true
    )
  }
}

Object.defineProperty(SecretValue.prototype, SECRET_VALUE_BRAND, { value: true })

/** Helper for providers: wrap a plain string, tagging it with where it came from. */
export function secretValue(value: string, source?: string): SecretValue {
  return new SecretValue(value, source)
}
