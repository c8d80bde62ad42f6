import { Transform, type TransformCallback } from 'node:stream'
import { ByteMatcher } from './byte-matcher.js'
import type { Redactor } from './redactor.js'

export interface MaskingTransformOptions {
  /**
   * After this long without new input, bytes held back for a possible value are released
   * (a prompt without a newline must appear before the user types). Default 30 ms; 0 = never.
   */
  idleFlushMs?: number
}

interface Interval {
  start: number
  end: number
}

/**
 * Masks the redactor's values (every form it registers: raw, JSON-escaped, base64, each line of
 * a multi-line value…) in a byte stream — a child's stdout/stderr under `floe secrets exec`.
 * Works on bytes and never decodes, so binary output and any UTF-8 pass through byte-exact.
 * A value may arrive split across chunks: only the bytes that could still begin one are held
 * back (at most the longest form − 1, plus a masked run that may still grow), and released after
 * `idleFlushMs` without input. Overlapping occurrences are masked as one run.
 */
export function createMaskingTransform(
  redactor: Redactor,
  options: MaskingTransformOptions = {},
): Transform {
  const idleFlushMs = options.idleFlushMs ?? 30
  const mask = Buffer.from(redactor.mask)
  let version = -1
  let matcher: ByteMatcher | undefined
  let state = 0
  /** absolute offset of the first byte not yet passed on; `held` starts there */
  let emitted = 0
  /** absolute offset of the next byte to scan */
  let scanned = 0
  let held: Buffer = Buffer.alloc(0)
  let open: Interval | undefined
  /** finished masked runs inside `held` (a longer form may still merge them) */
  let closed: Interval[] = []
  let idle: NodeJS.Timeout | undefined

  /** Passes on data[emitted, upTo) with the runs ending by upTo as masks; keeps the rest. */
  const render = (data: Buffer, upTo: number): Buffer[] => {
    const parts: Buffer[] = []
    let cursor = emitted
    const done = closed.filter((run) => run.end <= upTo)
    closed = closed.filter((run) => run.end > upTo)
    for (const run of done) {
      if (run.start > cursor) parts.push(data.subarray(cursor - emitted, run.start - emitted))
      parts.push(mask)
      cursor = run.end
    }
    if (upTo > cursor) parts.push(data.subarray(cursor - emitted, upTo - emitted))
    return parts
  }

  const process = (chunk: Buffer, final: boolean): Buffer[] => {
    if (redactor.version !== version) {
      // New values since the last chunk (exec --watch): rescan what is held with the new set.
      version = redactor.version
      const forms = redactor.forms()
      matcher = forms.length ? new ByteMatcher(forms.map((f) => Buffer.from(f))) : undefined
      state = 0
      open = undefined
      closed = []
      scanned = emitted
      chunk = held.length ? Buffer.concat([held, chunk]) : chunk
      held = Buffer.alloc(0)
    }
    const data = held.length ? Buffer.concat([held, chunk]) : chunk
    if (!matcher) {
      emitted += data.length
      scanned = emitted
      held = Buffer.alloc(0)
      return data.length ? [data] : []
    }
    const base = scanned
    state = matcher.scan(chunk, state, (end, length) => {
      const stop = base + end
      let start = Math.max(stop - length, emitted)
      // A longer form can end here yet start before runs already seen: they become one run.
      while (closed.length && closed[closed.length - 1]!.end > start)
        start = Math.min(start, closed.pop()!.start)
      if (open && start < open.end) {
        open.start = Math.min(open.start, start)
        open.end = Math.max(open.end, stop)
      } else {
        if (open) closed.push(open)
        open = { start, end: stop }
      }
    })
    scanned += chunk.length
    let upTo = final ? scanned : scanned - matcher.depth[state]!
    if (open && (final || open.end <= upTo)) {
      closed.push(open)
      open = undefined
    }
    if (open) upTo = Math.min(upTo, open.start)
    for (const run of closed) if (run.start < upTo && run.end > upTo) upTo = run.start
    const parts = render(data, upTo)
    held = upTo < scanned ? Buffer.from(data.subarray(upTo - emitted)) : Buffer.alloc(0)
    emitted = upTo
    return parts
  }

  /** Releases what is held: a pending masked run as the mask, the rest as it is. */
  const release = (): Buffer[] => {
    if (!held.length) return []
    if (open) closed.push(open)
    open = undefined
    const parts = render(held, scanned)
    held = Buffer.alloc(0)
    emitted = scanned
    return parts
  }

  const push = (stream: Transform, parts: Buffer[]) => {
    if (parts.length === 1) stream.push(parts[0])
    else if (parts.length) stream.push(Buffer.concat(parts))
  }

  const transform = new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      clearTimeout(idle)
      push(this, process(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, false))
      if (held.length && idleFlushMs > 0) {
        idle = setTimeout(() => push(transform, release()), idleFlushMs)
        idle.unref()
      }
      callback()
    },
    flush(callback: TransformCallback) {
      clearTimeout(idle)
      push(this, process(Buffer.alloc(0), true))
      callback()
    },
    destroy(error, callback) {
      clearTimeout(idle)
      callback(error)
    },
  })
  return transform
}
