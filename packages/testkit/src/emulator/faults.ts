/**
 * Protocol-agnostic fault injection and call accounting shared by every emulator (HTTP and
 * gRPC). A fault is scripted per operation and per call number, so a test can say "throttle
 * the first two BatchGetSecretValue calls" and then read the call log to see the backoff.
 */

export type FaultKind = 'latency' | 'error' | 'throttle' | 'reset' | 'timeout'

export interface FaultSpec {
  /** operation name as the emulator reports it (e.g. 'BatchGetSecretValue'); '*' = any */
  operation?: string
  kind: FaultKind
  /** 1-based call numbers of that operation the fault applies to; omitted = every call */
  calls?: number[]
  /** apply to the next N matching calls only */
  times?: number
  /** latency / timeout duration in ms (timeout: hold the request, never answer) */
  ms?: number
  /**
   * 'reset' and 'timeout' only: carry the operation out first, then lose the answer (drop the
   * connection, or hold it past the client's timeout) — a write that landed although the
   * client saw it fail
   */
  afterApply?: boolean
  /** HTTP status for 'error' (default 500) */
  status?: number
  /** Retry-After seconds for 'throttle' */
  retryAfterSeconds?: number
  /**
   * 'error' only: send this raw body (with `contentType`) instead of the service's own error
   * shape, e.g. the HTML page a proxy or moto answers for an operation it lacks
   */
  body?: string
  contentType?: string
}

export interface CallRecord {
  operation: string
  /** 1-based count of this operation at the time of the call */
  n: number
  at: number
  /** fault applied to the call, if any */
  fault?: FaultKind
  /** free-form detail the emulator records (request path, ids…) — never secret values */
  detail?: Record<string, unknown>
}

interface ActiveFault extends FaultSpec {
  remaining: number
}

export class FaultPlan {
  private faults: ActiveFault[] = []

  add(spec: FaultSpec): this {
    this.faults.push({ ...spec, remaining: spec.times ?? Number.POSITIVE_INFINITY })
    return this
  }

  clear(): void {
    this.faults = []
  }

  /** Latency faults are returned separately: they combine with a failure fault. */
  match(operation: string, n: number): { latencyMs: number; failure?: FaultSpec } {
    let latencyMs = 0
    let failure: FaultSpec | undefined
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue
      if (fault.operation && fault.operation !== '*' && fault.operation !== operation) continue
      if (fault.calls && !fault.calls.includes(n)) continue
      if (fault.kind === 'latency') {
        latencyMs += fault.ms ?? 0
        fault.remaining -= 1
      } else if (!failure) {
        failure = fault
        fault.remaining -= 1
      }
    }
    return { latencyMs, failure }
  }
}

export class CallLog {
  readonly records: CallRecord[] = []
  private counts = new Map<string, number>()

  next(operation: string, detail?: Record<string, unknown>): CallRecord {
    const n = (this.counts.get(operation) ?? 0) + 1
    this.counts.set(operation, n)
    const record: CallRecord = { operation, n, at: Date.now(), ...(detail ? { detail } : {}) }
    this.records.push(record)
    return record
  }

  count(operation?: string): number {
    if (operation === undefined) return this.records.length
    return this.counts.get(operation) ?? 0
  }

  /** operation → count, for assertions like `toEqual({ BatchGetSecretValue: 10 })` */
  byOperation(): Record<string, number> {
    return Object.fromEntries(this.counts)
  }

  reset(): void {
    this.records.length = 0
    this.counts.clear()
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
