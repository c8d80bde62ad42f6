import type { FloeError } from '../errors.js'
import { errorFor } from './memory-helpers.js'
import type { FailNextOptions, MemoryOperation, ScriptedFailure } from './memory-types.js'

interface ScriptEntry {
  kind: ScriptedFailure
  remaining: number
  options: FailNextOptions
}

/** The failures a test scripted with `failNext`, consumed in the order they were added. */
export class FailureScript {
  private readonly entries: ScriptEntry[] = []

  constructor(private readonly provider: string) {}

  add(kind: ScriptedFailure, times: number, options: FailNextOptions): void {
    this.entries.push({ kind, remaining: times, options })
  }

  /**
   * Consumes one pending failure of `operation`: a whole-call one when `secret` is undefined,
   * else one scripted for that secret (returned as that request's outcome).
   */
  take(operation: MemoryOperation, secret?: string): FloeError | undefined {
    const entry = this.entries.find(
      (e) =>
        (e.options.operation ?? 'fetch') === operation &&
        (secret === undefined ? !e.options.secret : e.options.secret === secret),
    )
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) this.entries.splice(this.entries.indexOf(entry), 1)
    return errorFor(entry.kind, this.provider, secret, entry.options.retryAfterMs)
  }
}
