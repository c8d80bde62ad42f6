import type Lockfile from 'proper-lockfile'
import { FloeError } from '../errors.js'
import { requireFromCore } from '../require-from-core.js'

let lockfileModule: typeof Lockfile | undefined
/**
 * proper-lockfile (with graceful-fs, retry and signal-exit) is only needed to write the audit
 * log: loaded on first append, so commands that never audit do not pay for it at start.
 */
const lockfile = (): typeof Lockfile =>
  (lockfileModule ??= requireFromCore('proper-lockfile') as typeof Lockfile)

const WAIT_MS = 10_000
/** a lock older than this (its holder died without releasing it) is taken over */
const STALE_MS = 10_000
const sleeper = new Int32Array(new SharedArrayBuffer(4))

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

/**
 * Runs `fn` while holding `<log>.lock`, so appends from every floe process (two `exec`s, two
 * rotates) are serialized and each one chains onto the record the previous one wrote.
 *
 * proper-lockfile rather than a hand-made O_EXCL file: its lock is a mkdir (atomic on local
 * and network file systems), it detects stale locks by mtime and removes its locks when the
 * process exits. Appends are synchronous (they run in exit paths), and its lockSync does not
 * retry, so the retry loop with a blocking sleep lives here.
 */
export function withAuditLock<T>(logPath: string, fn: () => T): T {
  const deadline = Date.now() + WAIT_MS
  let release: () => void
  for (let attempt = 0; ; attempt += 1) {
    try {
      release = lockfile().lockSync(logPath, {
        lockfilePath: `${logPath}.lock`,
        realpath: false,
        stale: STALE_MS,
        // held for milliseconds; a lost lock is reported by the next writer's chain check
        onCompromised: () => {},
      })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error
      if (Date.now() > deadline) {
        throw new FloeError(
          'UNAVAILABLE',
          `audit log ${logPath} stayed locked by another process for ${WAIT_MS / 1000} s`,
          { hint: `if no floe process is running, remove the directory ${logPath}.lock` },
        )
      }
      sleepSync(Math.min(5 + attempt * 5, 50) + Math.floor(Math.random() * 10))
    }
  }
  try {
    return fn()
  } finally {
    release()
  }
}
