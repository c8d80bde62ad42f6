import type { Socket } from 'node:net'
import type { Readable, Writable } from 'node:stream'
import { createChunkMasker, createMaskingTransform, type Redactor } from '@floe/core'

// node:net at first use: `floe secrets validate` shares this bundle and reads no pipe (issue 17)
const net = () => process.getBuiltinModule('node:net')

/**
 * Each read of the child's pipe goes into one of a few reused buffers of this size. Node's own
 * reads are 64 KiB, each into a new buffer: with 200 MB of output, allocating (and faulting in)
 * those buffers cost more than masking them.
 */
const READ_BYTES = 256 * 1024
/**
 * Room before each read in its buffer: bytes the masker held back from the previous read (a
 * possible start of a value) go there, so that both are one buffer without a copy of the read.
 */
const HEADROOM = 4096
/** Past this many bytes waiting to be written to floe's output, the child's pipe is not read. */
const MAX_QUEUED_BYTES = 1 << 20

/**
 * Copies a child's stdout/stderr to floe's, masking values on the way. When floe's reader goes
 * away (`floe secrets exec -- yes | head -1`), floe's write fails with EPIPE. Without floe in
 * between the child's own write would raise SIGPIPE, so floe sends it that (`readerGone`) and
 * closes the child's pipe: the child ends as it would have (exit 141, or its own EPIPE handling
 * if it ignores SIGPIPE) instead of blocking forever on a pipe nobody drains.
 *
 * `source` (the child's pipe as ChildProcess made it) closes only once everything read from it
 * has been written to `target`: the child's 'close', which exec waits for, means its output is
 * out.
 */
export function pipeMasked(
  source: Readable,
  target: NodeJS.WritableStream,
  redactor: Redactor,
  readerGone: () => void,
): void {
  const handle = (source as { _handle?: { useUserBuffer?: unknown } | null })._handle
  if (source instanceof net().Socket && typeof handle?.useUserBuffer === 'function')
    copyPooled(source, handle, target, redactor, readerGone)
  else pipeThrough(source, target, redactor, readerGone)
}

/** The child's pipe read into reused buffers, masked in place, written without copies. */
function copyPooled(
  source: Socket,
  handle: object,
  target: NodeJS.WritableStream,
  redactor: Redactor,
  readerGone: () => void,
): void {
  // `reader` reads the pipe from now on; `source` keeps only its place in ChildProcess's count
  // of open stdio streams, and is destroyed (without a handle: no close of the pipe) at the end
  ;(source as unknown as { _handle: unknown })._handle = null
  const free: Buffer[] = []
  let writing = 0
  let ended = false
  let done = false
  const finish = () => {
    if (done || !ended || writing) return
    done = true
    target.off('error', onError)
    source.destroy()
  }
  /** Writes `out`; `buffer` (the read it lies in) is reused once the write is done. */
  const write = (out: Buffer, buffer?: Buffer) => {
    writing++
    target.write(out, () => {
      writing--
      if (buffer) free.push(buffer)
      finish()
    })
  }
  const masker = createChunkMasker(redactor, {
    overwriteInput: true,
    headroom: HEADROOM,
    onIdleRelease: write,
  })
  const reader = new (net().Socket)({
    handle,
    readable: true,
    writable: false,
    onread: {
      buffer: () => free.pop() ?? Buffer.allocUnsafeSlow(HEADROOM + READ_BYTES).subarray(HEADROOM),
      callback: (bytes: number, buffer: Buffer) => {
        const out = masker.write(buffer.subarray(0, bytes))
        if (out.length && out.buffer === buffer.buffer) write(out, buffer)
        else {
          if (out.length) write(out)
          free.push(buffer)
        }
        if (((target as Writable).writableLength ?? 0) <= MAX_QUEUED_BYTES) return true
        target.once('drain', () => reader.resume())
        return false
      },
    },
  } as ConstructorParameters<typeof Socket>[0])
  const end = () => {
    if (ended) return
    ended = true
    const out = masker.end()
    if (out.length) write(out)
    finish()
  }
  reader.on('end', end)
  reader.on('error', end)
  reader.on('close', end)
  function onError(error: NodeJS.ErrnoException) {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') return
    masker.close()
    readerGone()
    reader.destroy()
    ended = true
    writing = 0
    finish()
  }
  target.on('error', onError)
  reader.resume()
}

/** Any other readable: through the masking transform. */
function pipeThrough(
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
