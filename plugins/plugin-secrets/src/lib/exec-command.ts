import type { Outcome } from './command-run.js'
import { runExec, type ExecResult } from './exec-run.js'
import type { Progress } from './progress.js'
import type { FloeSession } from './session.js'
import { childArgv, ownArgv } from './own-argv.js'

/** What `floe secrets exec` uses of its command: FloeCommand, or fast-run.ts's CommandRun. */
export interface ExecCommandContext {
  session: FloeSession
  json: boolean
  progress(text: string): Progress
  printWarning(message: string): void
  safe(text: string): string
}

/** exec's parsed flags (commands/secrets/exec.ts). */
export interface ExecFlags {
  mask: boolean
  only?: string[]
  watch?: boolean
  'strict-mask'?: boolean
  'pass-env'?: string[]
  'write-env'?: string
  'reload-signal'?: string
}

/**
 * `floe secrets exec` past its parse: commands/secrets/exec.ts runs it, and so does apps/floe's
 * start-up without oclif (fast-run.ts). rawArgv is the command's own argv, as oclif gave it;
 * after a `--` the child's command line is taken from it as typed, not from the parse.
 */
export async function runExecCommand(
  ctx: ExecCommandContext,
  rawArgv: readonly string[],
  flags: ExecFlags,
  command: string[],
): Promise<Outcome<ExecResult>> {
  const { result, exitCode } = await runExec(
    {
      session: ctx.session,
      json: ctx.json,
      verbose: ownArgv(rawArgv).includes('--verbose'),
      progress: (text) => ctx.progress(text),
      warn: (message) => ctx.printWarning(message),
      safe: (text) => ctx.safe(text),
    },
    {
      command: childArgv(rawArgv) ?? command,
      mask: flags.mask,
      only: flags.only,
      watch: Boolean(flags.watch),
      strictMask: Boolean(flags['strict-mask']),
      passEnv: flags['pass-env'],
      writeEnv: flags['write-env'],
      reloadSignal: flags['reload-signal'],
    },
  )
  // one-shot --json: the envelope is floe's only stdout; --watch --json streamed its events
  return { result, exitCode, silent: !ctx.json || Boolean(flags.watch) }
}
