import { Command, Flags, type Interfaces } from '@oclif/core'
import { ExitCode, FloeError, isFloeError, type SourceLocation } from '@floe/core'
import { FloeSession } from './session.js'
import { painter, useColor, type Envelope, type Painter } from './output.js'
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

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof FloeCommand)['baseFlags'] & T['flags']
>

/**
 * Every `floe secrets` command: `-m/--manifest`, `--json` with the `{status, result, warnings}`
 * envelope, documented exit codes, errors that say what to do next, and a last pass of the
 * session redactor over everything printed.
 */
export abstract class FloeCommand<T = unknown> extends Command {
  static override baseFlags = {
    manifest: Flags.string({
      char: 'm',
      description:
        'path to the manifest (default: floe.yaml or manifest.yaml here or above; env FLOE_MANIFEST)',
      helpGroup: 'GLOBAL',
    }),
    json: Flags.boolean({
      description: 'print a JSON envelope {status, result, warnings} on stdout',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({
      description: 'debug logs on stderr (never values)',
      helpGroup: 'GLOBAL',
    }),
    as: Flags.string({
      description:
        'run as this principal (e.g. workspace:prod): secrets outside its granted scopes are refused (env FLOE_PRINCIPAL)',
      helpGroup: 'GLOBAL',
    }),
  }

  static override enableJsonFlag = false

  protected session!: FloeSession
  protected json = false
  protected paint!: Painter
  protected warnings: string[] = []

  protected abstract execute(): Promise<Outcome<T>>

  /** Sets up output and the session from the global flags; parse errors surface in run(). */
  private async setUp(): Promise<void> {
    this.json = this.argv.includes('--json')
    this.paint = painter(!this.json && useColor())
    const { flags } = await this.parse(this.constructor as typeof FloeCommand)
    this.session = new FloeSession({
      manifest: flags.manifest,
      cliDir: this.config.root,
      dataDir: this.config.dataDir,
      verbose: Boolean(flags.verbose),
      principal: flags.as ?? (process.env.FLOE_PRINCIPAL || undefined),
    })
  }

  async run(): Promise<void> {
    let code: ExitCode = ExitCode.OK
    try {
      await this.setUp()
      const outcome = await this.execute()
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
        this.writeStderr(`warning: cleanup failed: ${this.safe(String(error))}`)
      }
    }
    if (code !== ExitCode.OK) this.exit(code)
  }

  /** Scrubs every value this session resolved from text about to be printed. */
  protected safe(text: string): string {
    return this.session ? this.session.redactor.redact(text) : text
  }

  protected warn_(message: string): void {
    this.warnings.push(message)
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

  protected printWarning(message: string): void {
    process.stderr.write(this.safe(`${this.paint.warn('warning:')} ${message}`) + '\n')
  }

  protected progress(text: string): Progress {
    return startProgress(text, !this.json)
  }

  protected emitJson(envelope: Envelope<unknown>): void {
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

  private writeStderr(text: string): void {
    process.stderr.write(text + '\n')
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
