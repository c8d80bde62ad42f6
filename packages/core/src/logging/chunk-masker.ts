import { MaskedRuns } from './masked-runs.js'
import type { MaskingTransformOptions } from './masking-transform.js'
import type { Redactor } from './redactor.js'

export interface ChunkMaskerOptions extends MaskingTransformOptions {
  /** receives what the idle timer releases (see idleFlushMs) */
  onIdleRelease?: (out: Buffer) => void
  /**
   * The caller does not use a chunk again once write() returned: its memory may hold the output
   * (which then is a view of it), so masking allocates nothing per chunk.
   */
  overwriteInput?: boolean
  /**
   * With overwriteInput: this many bytes before each chunk, in its ArrayBuffer, are the masker's
   * too (the caller reads into a buffer at this offset). What it held back from the previous
   * chunk is put there, in front of the chunk, instead of into a new concatenation of both.
   */
  headroom?: number
}

/** The masking of a byte stream, one chunk at a time (see createMaskingTransform). */
export interface ChunkMasker {
  /** `chunk` (after what was held) masked, up to what more input could still change. */
  write(chunk: Buffer): Buffer
  /** Everything still held, masked: the end of the input. */
  end(): Buffer
  /** Stops the idle timer (the output went away). */
  close(): void
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
 * The masking behind createMaskingTransform, without a stream: exec's output copy drives it
 * from its own reads and writes. What write() and end() return must be passed on in order; the
 * idle timer's releases (onIdleRelease) come between them, in order too.
 */
export function createChunkMasker(
  redactor: Redactor,
  options: ChunkMaskerOptions = {},
): ChunkMasker {
  const idleFlushMs = options.idleFlushMs ?? 30
  const overwriteInput = options.overwriteInput ?? false
  const headroom = overwriteInput ? (options.headroom ?? 0) : 0
  const release = options.onIdleRelease ?? (() => {})
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

  /** held + chunk in one buffer: in the chunk's headroom when there is room, else a new one */
  const withHeld = (chunk: Buffer): Buffer => {
    if (!chunk.length || held.length > headroom || chunk.byteOffset < held.length)
      return Buffer.concat([held, chunk])
    const data = Buffer.from(
      chunk.buffer,
      chunk.byteOffset - held.length,
      held.length + chunk.length,
    )
    data.set(held)
    return data
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
    const data = held.length ? withHeld(chunk) : chunk
    // a concatenation is always ours to overwrite; the caller's chunk only when it says so
    const overwrite = overwriteInput || data !== chunk
    held = Buffer.alloc(0)
    if (!runs) return data
    if (runs.canReplace) {
      let upTo = final ? data.length : data.length - runs.pendingPrefix(data)
      if (upTo < data.length) upTo = runs.cutBefore(data, upTo)
      if (upTo < data.length) held = Buffer.from(data.subarray(upTo))
      return runs.replace(data, upTo, overwrite)
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

  return {
    write(chunk) {
      clearTimeout(idle)
      const out = process(chunk, false)
      if (held.length && idleFlushMs > 0) {
        idle = setTimeout(() => {
          // a possible start of a value stays held: releasing it would print the value in clear
          // if the rest comes later
          if (couldBeginValue(held)) return
          const released = process(Buffer.alloc(0), true)
          if (released.length) release(released)
        }, idleFlushMs)
        idle.unref()
      }
      return out
    },
    end() {
      clearTimeout(idle)
      return process(Buffer.alloc(0), true)
    },
    close() {
      clearTimeout(idle)
    },
  }
}
