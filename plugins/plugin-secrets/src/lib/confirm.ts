import { createInterface } from 'node:readline/promises'
import { UsageError } from '@floe/core'

/**
 * Asks before a destructive command (`delete`, `scopes delete`): `--yes` skips the question;
 * on a terminal the answer must be y/yes; anywhere else (CI, a pipe, --json) nobody can
 * answer, so `--yes` is required rather than assumed.
 */
export async function confirmDestructive(
  question: string,
  options: { yes: boolean; json: boolean; command: string },
): Promise<void> {
  if (options.yes) return
  if (options.json || !process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(`${question} Nobody can answer here (no terminal)`, {
      hint: `confirm with --yes: ${options.command} --yes`,
    })
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase()
    if (answer !== 'y' && answer !== 'yes') throw new UsageError('cancelled: nothing changed')
  } finally {
    rl.close()
  }
}
