import { ExitCode, FloeError, isFloeError, type SourceLocation } from '@floe/core'
import type { FloeSession } from './session.js'
import { painter, type Envelope, type Painter } from './output.js'
import { startProgress, type Progress } from './progress.js'

export interface Outcome<T> {
  result: T
  /** human output for stdout (already redacted by the base class before printing) */
  human?: string
  exitCode?: ExitCode
  warnings?: string[]
  /** 'failed' when a check failed (exit 1) but the command itself worked */
  status?: 'ok' | 'failed'
  /** the command already wrote its own output (get --reveal, exec) */
  silent?: boolean
}

/**
 * One run of a `floe secrets` command without oclif: the `--json` envelope, warnings, errors
 * with their exit codes, and the session redactor over everything printed. FloeCommand
 * (base-command.ts) runs every command through it, and apps/floe's start-up runs validate and
 * exec through it directly, without loading oclif (apps/floe/src/hot-path.ts).
 */
export class CommandRun {
  session: FloeSession | undefined
  json = false
  paint: Painter = painter(false)
  readonly warnings: string[] = []

  /** Runs setUp (output and session) then execute; the exit code to end the process with. */
  async run<T>(setUp: () => Promise<void>, execute: () => Promise<Outcome<T>>): Promise<ExitCode> {
    let code: ExitCode = ExitCode.OK
    try {
      await setUp()
      const outcome = await execute()
      const warnings = [
        ...this.warnings,
        ...this.notInstalledWarnings(),
        ...this.omittedWarnings(),
        ...(outcome.warnings ?? []),
      ]
      code = outcome.exitCode ?? ExitCode.OK
      if (outcome.silent) {
        // output already written by the command itself; warnings still go to stderr
        if (!this.json) for (const warning of warnings) this.printWarning(warning)
      } else if (this.json) {
        const status = outcome.status ?? (code === ExitCode.OK ? 'ok' : 'failed')
        this.emitJson({ status, result: outcome.result, warnings, ...this.skipped() })
      } else {
        for (const warning of warnings) this.printWarning(warning)
        if (outcome.human) process.stdout.write(this.safe(outcome.human) + '\n')
      }
    } catch (error) {
      code = this.reportError(error)
    } finally {
      try {
        await this.session?.close()
      } catch (error) {
        process.stderr.write(`warning: cleanup failed: ${this.safe(String(error))}\n`)
      }
    }
    return code
  }

  /** Scrubs every value this session resolved from text about to be printed. */
  safe(text: string): string {
    return this.session ? this.session.redactor.redact(text) : text
  }

  /** One line per secret whose provider is missing: where it is declared and what to run. */
  private notInstalledWarnings(): string[] {
    return (this.session?.notInstalled() ?? []).map(
      (n) =>
        `${locatedAt(n.location)}secret ${n.secret}: provider "${n.provider}" is not installed (package ${n.package}); run \`${n.hint}\``,
    )
  }

  /** One line per optional provider field left out because its `${VAR}` is not set. */
  private omittedWarnings(): string[] {
    return (this.session?.omittedFields() ?? []).map(
      (o) => `${locatedAt(o.location)}secret ${o.secret}: ${o.message}`,
    )
  }

  private skipped(): Pick<Envelope<unknown>, 'skipped'> {
    const missing = this.session?.notInstalled() ?? []
    return missing.length ? { skipped: missing } : {}
  }

  printWarning(message: string): void {
    process.stderr.write(this.safe(`${this.paint.warn('warning:')} ${message}`) + '\n')
  }

  progress(text: string): Progress {
    return startProgress(text, !this.json)
  }

  emitJson(envelope: Envelope<unknown>): void {
    process.stdout.write(this.safe(JSON.stringify(envelope, null, 2)) + '\n')
  }

  private reportError(error: unknown): ExitCode {
    const floe = toFloeError(error)
    if (this.json) {
      this.emitJson({
        status: 'error',
        result: null,
        warnings: [...this.warnings, ...this.notInstalledWarnings()],
        ...this.skipped(),
        error: floe.toJSON() as Envelope<unknown>['error'],
      })
    } else {
      for (const warning of [...this.warnings, ...this.notInstalledWarnings()])
        this.printWarning(warning)
      const lines = [`${this.paint.bad('Error:')} ${floe.located}`]
      if (floe.hint) lines.push(`${this.paint.dim('hint:')} ${floe.hint}`)
      process.stderr.write(this.safe(lines.join('\n')) + '\n')
    }
    return floe.exitCode
  }
}

/** oclif parse errors and unknown failures become typed errors with the right exit code. */
export function toFloeError(error: unknown): FloeError {
  if (isFloeError(error)) return error
  if (error instanceof Error) {
    const oclifParse =
      /Nonexistent flag|Unexpected argument|Missing required|Expected --|flag|argument/i
    if (error.name === 'CLIError' || oclifParse.test(error.message)) {
      return new FloeError('USAGE', error.message.split('\n')[0] ?? error.message, {
        hint: 'see --help for usage',
      })
    }
    return new FloeError('INVALID', error.message)
  }
  return new FloeError('INVALID', String(error))
}

/** `file:line:col: ` before a warning about a manifest line ('' when it has no position). */
function locatedAt(location: SourceLocation | undefined): string {
  if (!location) return ''
  return `${location.file ? `${location.file}:` : ''}${location.line}:${location.column}: `
}
