import yoctoSpinner from 'yocto-spinner'

export interface Progress {
  update(text: string): void
  stop(): void
}

const silent: Progress = { update: () => undefined, stop: () => undefined }

/**
 * A spinner on stderr, only when stderr is a TTY and output is not JSON: progress must never
 * pollute stdout or piped output. Progress text names secrets, never values.
 */
export function startProgress(text: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent
  const spinner = yoctoSpinner({ text, stream: process.stderr }).start()
  return {
    update: (next) => {
      spinner.text = next
    },
    stop: () => {
      spinner.stop()
    },
  }
}
