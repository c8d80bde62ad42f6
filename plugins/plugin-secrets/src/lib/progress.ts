import type { Spinner } from 'yocto-spinner'

export interface Progress {
  update(text: string): void
  stop(): void
}

const silent: Progress = { update: () => undefined, stop: () => undefined }

/**
 * A spinner on stderr, only when stderr is a TTY and output is not JSON: progress must never
 * pollute stdout or piped output. Progress text names secrets, never values.
 *
 * The spinner module is imported here, when one is shown, not when the CLI starts: it appears
 * once that import resolves, and never if the work is already done by then.
 */
export function startProgress(text: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent
  let current = text
  let stopped = false
  let spinner: Spinner | undefined
  import('yocto-spinner').then(
    ({ default: yoctoSpinner }) => {
      if (!stopped) spinner = yoctoSpinner({ text: current, stream: process.stderr }).start()
    },
    () => undefined, // no spinner is not worth failing a command for
  )
  return {
    update: (next) => {
      current = next
      if (spinner) spinner.text = next
    },
    stop: () => {
      stopped = true
      spinner?.stop()
    },
  }
}
