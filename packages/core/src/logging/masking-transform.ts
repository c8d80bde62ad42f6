import { Transform, type TransformCallback } from 'node:stream'
import { MaskedRuns } from './masked-runs.js'
import type { Redactor } from './redactor.js'

export interface MaskingTransformOptions {
  /**
   * After this long without new input, held bytes that cannot begin a value are released (a
   * masked run that could still have grown, as its mask). Bytes that could begin a value are
   * never released on a timer — a child that pauses in the middle of printing one (a slow pipe,
   * a loaded machine) would otherwise print it in clear. Default 30 ms; 0 = never.
   */
  idleFlushMs?: number
}

/**
 * A masked run still open at the end of the input is held so a later overlapping occurrence can
 * merge into it; past this size it is released as one mask (a second occurrence continuing it
 * then shows as a second mask — nothing leaks, and the held bytes stay bounded).
 */
const MAX_HELD_BYTES = 1 << 20

/** Below this a JavaScript loop beats the native call's overhead (dense masks: short pieces). */
const NATIVE_COPY_FROM = 64

/** Copies source[from, to) to out at `at`; returns the position after it. */
function copyInto(out: Buffer, at: number, source: Buffer, from: number, to: number): number {
  if (to - from >= NATIVE_COPY_FROM) return at + source.copy(out, at, from, to)
  for (let i = from; i < to; i++) out[at++] = source[i]!
  return at
}

/**
 * Masks the redactor's values (every form it registers: raw, JSON-escaped, base64, each line of
 * a multi-line value…) in a byte stream — a child's stdout/stderr under `floe secrets exec`.
 * Works on bytes and never decodes, so binary output and any UTF-8 pass through byte-exact.
 * A value may arrive split across chunks: only the bytes that could still begin one are held
 * back (at most the longest form − 1, plus a masked run that may still grow) until more input
 * or the end decides them; a held masked run is released after `idleFlushMs` without input, a
 * possible start of a value never is. A prompt without a newline therefore appears at once
 * unless its last bytes are the first bytes of a masked value. Overlapping occurrences are
 * masked as one run.
 *
 * Throughput: a chunk without values is passed on as a view of itself (no copy); the held bytes
 * (usually none) are the only thing re-scanned with the next chunk.
 */
export function createMaskingTransform(
  redactor: Redactor,
  options: MaskingTransformOptions = {},
): Transform {
  const idleFlushMs = options.idleFlushMs ?? 30
  const mask = Buffer.from(redactor.mask)
  const maskText = mask.toString('latin1')
  let version = -1
  let runs: MaskedRuns | undefined
  let held: Buffer = Buffer.alloc(0)
  let idle: NodeJS.Timeout | undefined

  /** data[0, upTo) with each run (all end by upTo) replaced by the mask, in one buffer. */
  const render = (data: Buffer, found: number[], count: number, upTo: number): Buffer => {
    if (!count) return data.subarray(0, upTo)
    const text = runs?.text
    if (text !== undefined) {
      // latin1 is one char per byte, so this is byte-exact; one native join and encode instead
      // of a copy per piece (dense output has a value every few dozen bytes)
      const gaps = new Array<string>(count / 2 + 1)
      let cursor = 0
      for (let r = 0; r < count; r += 2) {
        gaps[r / 2] = text.slice(cursor, found[r])
        cursor = found[r + 1]!
      }
      gaps[count / 2] = text.slice(cursor, upTo)
      return Buffer.from(gaps.join(maskText), 'latin1')
    }
    let size = upTo
    for (let r = 0; r < count; r += 2) size += mask.length - (found[r + 1]! - found[r]!)
    const out = Buffer.allocUnsafe(size)
    let at = 0
    let cursor = 0
    for (let r = 0; r < count; r += 2) {
      at = copyInto(out, at, data, cursor, found[r]!)
      at = copyInto(out, at, mask, 0, mask.length)
      cursor = found[r + 1]!
    }
    copyInto(out, at, data, cursor, upTo)
    return out
  }

  /** Masks what is held plus `chunk`; passes on all that no further input can change. */
  const process = (chunk: Buffer, final: boolean): Buffer => {
    // nothing held and nothing new: no matcher to build (a child that printed nothing ends
    // without compiling one; it costs ≈ 10 ms for 50 values)
    if (!chunk.length && !held.length) return chunk
    if (redactor.version !== version) {
      // New values since the last chunk (exec --watch): held bytes are rescanned with them.
      version = redactor.version
      const forms = [...new Set(redactor.forms())].map((f) => Buffer.from(f))
      runs = forms.length
        ? new MaskedRuns(forms, chunk.length ? chunk : held, redactor.mask)
        : undefined
    }
    const data = held.length ? Buffer.concat([held, chunk]) : chunk
    held = Buffer.alloc(0)
    if (!runs) return data
    if (runs.canReplace) {
      let upTo = final ? data.length : data.length - runs.pendingPrefix(data)
      if (upTo < data.length) upTo = runs.cutBefore(data, upTo)
      if (upTo < data.length) held = Buffer.from(data.subarray(upTo))
      return runs.replace(data, upTo)
    }
    const found = runs.find(data)
    let upTo = final ? data.length : data.length - runs.pendingPrefix(data)
    let count = found.length
    // a run reaching into the pending bytes may still grow: hold it whole
    while (count && found[count - 1]! > upTo) {
      upTo = Math.min(upTo, found[count - 2]!)
      count -= 2
    }
    if (data.length - upTo > MAX_HELD_BYTES) {
      upTo = data.length
      count = found.length
    }
    if (upTo < data.length) held = Buffer.from(data.subarray(upTo))
    return render(data, found, count, upTo)
  }

  /** Whether the last bytes of `bytes` could begin a value and are not inside a masked run. */
  const couldBeginValue = (bytes: Buffer): boolean => {
    if (!runs) return false
    const pending = runs.pendingPrefix(bytes)
    if (pending === 0) return false
    const found = runs.find(bytes)
    const start = found[found.length - 2]
    const end = found[found.length - 1]
    return !(start !== undefined && start <= bytes.length - pending && end === bytes.length)
  }

  const push = (stream: Transform, out: Buffer) => {
    if (out.length) stream.push(out)
  }

  const transform = new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      clearTimeout(idle)
      push(this, process(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, false))
      if (held.length && idleFlushMs > 0) {
        idle = setTimeout(() => {
          // a possible start of a value stays held: releasing it would print the value in clear
          // if the rest comes later
          if (couldBeginValue(held)) return
          push(transform, process(Buffer.alloc(0), true))
        }, idleFlushMs)
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
