import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { FloeError, type FloeErrorCode, type Logger, type ProviderContext } from '@floe/core'
import type { ConformanceHarness } from './types.js'

/** Thrown by a check when the provider breaks the contract. */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConformanceError'
  }
}

export function fail(message: string): never {
  throw new ConformanceError(message)
}

export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message)
}

/** A value nobody would type by accident, so finding it in output proves a leak. */
export function canaryValue(): string {
  return `canary-${randomBytes(12).toString('hex')}`
}

/** A backend-safe secret name: lowercase letters, digits and hyphens (valid everywhere). */
export function uniqueName(label: string): string {
  return `cf-${label}-${randomBytes(4).toString('hex')}`
}

interface LogRecord {
  level: string
  message: string
  fields?: Record<string, unknown>
}

/**
 * Per-check state: the provider context (with a logger that records everything) and the
 * canaries seeded so far, so every error, log line and result can be scanned for values.
 */
export class Probe {
  readonly canaries: string[] = []
  readonly logs: LogRecord[] = []
  readonly ctx: ProviderContext

  constructor(readonly harness: ConformanceHarness) {
    const record =
      (level: string) =>
      (message: string, fields?: Record<string, unknown>): void => {
        this.logs.push({ level, message, ...(fields ? { fields } : {}) })
      }
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    }
    this.ctx = { env: process.env, cwd: process.cwd(), logger, ...harness.ctx }
  }

  get provider() {
    return this.harness.provider
  }

  canary(): string {
    const value = canaryValue()
    this.canaries.push(value)
    return value
  }

  /** Fails when any seeded canary (or its random part) appears in `thing`'s renderings. */
  assertNoLeak(thing: unknown, where: string): void {
    const renderings = renderAll(thing)
    for (const canary of this.canaries) {
      const secretPart = canary.slice('canary-'.length)
      for (const text of renderings) {
        if (text.includes(secretPart)) fail(`a secret value leaked into ${where}`)
      }
    }
  }

  /** Scans what the provider logged during the check. */
  assertLogsClean(): void {
    this.assertNoLeak(this.logs, 'the provider log')
  }

  /** Runs `fn`, expecting a FloeError with `code`; scans the error for leaks and returns it. */
  async expectError(
    fn: () => Promise<unknown>,
    code: FloeErrorCode,
    what: string,
  ): Promise<FloeError> {
    let thrown: unknown
    try {
      await fn()
    } catch (error) {
      thrown = error
    }
    ensure(thrown !== undefined, `${what}: expected a ${code} error, but the call succeeded`)
    this.assertNoLeak(thrown, `the error thrown by ${what}`)
    ensure(
      thrown instanceof FloeError,
      `${what}: expected a FloeError with code ${code}, got ${describeThrown(thrown)}`,
    )
    ensure(
      thrown.code === code,
      `${what}: expected code ${code}, got ${thrown.code} (${thrown.message})`,
    )
    return thrown
  }
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}`
  return typeof thrown
}

/** Every way a value could reach a user: message, stack, JSON, inspect, the cause chain. */
function renderAll(thing: unknown): string[] {
  const out: string[] = []
  const seen = new Set<unknown>()
  const visit = (value: unknown, depth: number): void => {
    if (depth > 5 || seen.has(value)) return
    seen.add(value)
    if (typeof value === 'string') {
      out.push(value)
      return
    }
    out.push(inspect(value, { depth: 8, showHidden: false, getters: false }))
    try {
      out.push(JSON.stringify(value) ?? '')
    } catch {
      // circular structures are covered by inspect
    }
    if (value instanceof Error) {
      out.push(value.message, value.stack ?? '', String(value))
      if (value instanceof FloeError) {
        out.push(value.located, JSON.stringify(value.details ?? {}), value.hint ?? '')
      }
      if (value.cause !== undefined) visit(value.cause, depth + 1)
      if (value instanceof AggregateError) for (const e of value.errors) visit(e, depth + 1)
    }
  }
  visit(thing, 0)
  return out
}
