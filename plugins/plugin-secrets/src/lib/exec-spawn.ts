import type { ChildProcess } from 'node:child_process'
import type { Redactor } from '@floe/core'
import { withDeathSignal } from './exec-death-signal.js'
import { pipeMasked } from './exec-output.js'
import { inPty } from './exec-pty.js'

// node:child_process (and the net, dgram… it loads) at first use: `floe secrets validate`
// shares this bundle and starts no process (issue 17)
const childProcesses = () => process.getBuiltinModule('node:child_process')

export interface ChildSpawnOptions {
  command: [string, ...string[]]
  /** mask the child's output (default on; --no-mask passes floe's stdio through) */
  mask: boolean
  /**
   * --json: floe's stdout carries only its JSON (envelope, --watch events), so the child's
   * stdout goes to floe's stderr — a consumer can parse stdout whatever the child prints
   */
  json: boolean
  redactor: Redactor
  /** the child gets its own process group (no terminal: floe forwards every signal itself) */
  ownGroup: boolean
}

/**
 * Starts the child of `floe secrets exec`: masked through pipes, or through a pseudo-terminal
 * (util-linux `script`) when the output it goes to is a terminal, so the child sees a TTY;
 * unmasked with floe's own stdio. Always under setpriv --pdeathsig where available.
 */
export function createChildSpawner(
  options: ChildSpawnOptions,
): (env: NodeJS.ProcessEnv) => ChildProcess {
  const [file, ...args] = options.command
  const out = options.json ? process.stderr : process.stdout
  return (env) => {
    const pty = options.mask && out.isTTY ? inPty(file, args, env) : undefined
    const target = pty ?? { file, args, env }
    const guarded = withDeathSignal(target.file, target.args, target.env)
    const child = childProcesses().spawn(guarded.file, guarded.args, {
      env: target.env,
      stdio: options.mask
        ? ['inherit', 'pipe', pty ? 'inherit' : 'pipe']
        : ['inherit', options.json ? 2 : 'inherit', 'inherit'],
      detached: options.ownGroup,
    })
    if (options.mask) {
      const readerGone = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGPIPE')
      }
      // under a pty the child's stdout and stderr are one terminal stream: it goes where stdout goes
      pipeMasked(child.stdout!, out, options.redactor, readerGone)
      if (!pty) pipeMasked(child.stderr!, process.stderr, options.redactor, readerGone)
    }
    return child
  }
}
