import type { Readable } from 'node:stream'
import { createMaskingTransform, type Redactor } from '@floe/core'

/**
 * Copies a child's stdout/stderr to floe's, masking values on the way. When floe's reader goes
 * away (`floe secrets exec -- yes | head -1`), floe's write fails with EPIPE. Without floe in
 * between the child's own write would raise SIGPIPE, so floe sends it that (`readerGone`) and
 * closes the child's pipe: the child ends as it would have (exit 141, or its own EPIPE handling
 * if it ignores SIGPIPE) instead of blocking forever on a pipe nobody drains.
 */
export function pipeMasked(
  source: Readable,
  target: NodeJS.WritableStream,
  redactor: Redactor,
  readerGone: () => void,
): void {
  const masker = createMaskingTransform(redactor)
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') return
    masker.unpipe()
    masker.destroy()
    readerGone()
    source.destroy()
  }
  target.on('error', onError)
  masker.once('close', () => target.off('error', onError))
  source.pipe(masker).pipe(target, { end: false })
}
