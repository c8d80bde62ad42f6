import { resolveCommand } from './exec-death-signal.js'

/**
 * A pseudo-terminal for the child when floe's output is a terminal, so colours, progress bars
 * and TUIs behave as without floe — while floe still masks what comes out. Node has no pty of its
 * own (node-pty is a native build); util-linux `script` allocates one, runs the command in it and
 * copies its output to a pipe floe reads. Where `script` is absent the child gets pipes.
 */
export interface PtyCommand {
  file: string
  args: string[]
  env: NodeJS.ProcessEnv
}

/** POSIX sh single-quoting: nothing inside '…' is special; a ' is closed, escaped, reopened. */
const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`

/**
 * `script -q -e -c "exec COMMAND" /dev/null`: quiet, the child's exit status as its own, no
 * typescript file. `script` runs the command string with $SHELL, whose quoting may not be sh's
 * (fish): it gets /bin/sh, and the string restores the user's SHELL before exec'ing the command.
 * Returns undefined off Linux and when `script` (or the command) is not on PATH.
 */
export function inPty(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): PtyCommand | undefined {
  if (process.platform !== 'linux') return undefined // BSD script takes other flags
  const script = resolveCommand('script', env)
  // a missing command stays a spawn ENOENT ("command not found"), not a shell's exit 127
  if (!script || !resolveCommand(file, env)) return undefined
  const restoreShell = env.SHELL === undefined ? 'unset SHELL; ' : `SHELL=${shellQuote(env.SHELL)} `
  const command = `${restoreShell}exec ${[file, ...args].map(shellQuote).join(' ')}`
  return {
    file: script,
    args: ['-q', '-e', '-c', command, '/dev/null'],
    env: { ...env, SHELL: '/bin/sh' },
  }
}
