import { Transform, type TransformCallback } from 'node:stream'
import { createChunkMasker } from './chunk-masker.js'
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
  const masker = createChunkMasker(redactor, {
    ...options,
    onIdleRelease: (out) => transform.push(out),
  })
  const push = (stream: Transform, out: Buffer) => {
    if (out.length) stream.push(out)
  }
  const transform = new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      push(this, masker.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))
      callback()
    },
    flush(callback: TransformCallback) {
      push(this, masker.end())
      callback()
    },
    destroy(error, callback) {
      masker.close()
      callback(error)
    },
  })
  return transform
}
