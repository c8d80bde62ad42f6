import { Command, Flags, type Interfaces } from '@oclif/core'
import { ExitCode } from '@floe/core'
import { FloeSession } from './session.js'
import { painter, useColor, type Envelope, type Painter } from './output.js'
import type { Progress } from './progress.js'
import { CommandRun, type Outcome } from './command-run.js'
import { ownArgv } from './own-argv.js'

export { toFloeError, type Outcome } from './command-run.js'

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

  /** Output, warnings and errors of this run: the part of a command oclif has no say in. */
  private readonly io = new CommandRun()

  protected get session(): FloeSession {
    return this.io.session as FloeSession
  }

  protected get json(): boolean {
    return this.io.json
  }

  protected get paint(): Painter {
    return this.io.paint
  }

  protected get warnings(): string[] {
    return this.io.warnings
  }

  protected abstract execute(): Promise<Outcome<T>>

  /** Sets up output and the session from the global flags; parse errors surface in run(). */
  private async setUp(): Promise<void> {
    this.io.json = ownArgv(this.argv).includes('--json')
    this.io.paint = painter(!this.io.json && useColor())
    const { flags } = await this.parse(this.constructor as typeof FloeCommand)
    this.io.session = new FloeSession({
      manifest: flags.manifest,
      cliDir: this.config.root,
      dataDir: this.config.dataDir,
      verbose: Boolean(flags.verbose),
      principal: flags.as ?? (process.env.FLOE_PRINCIPAL || undefined),
    })
  }

  async run(): Promise<void> {
    const code = await this.io.run(
      () => this.setUp(),
      () => this.execute(),
    )
    if (code !== ExitCode.OK) this.exit(code)
  }

  /** Scrubs every value this session resolved from text about to be printed. */
  protected safe(text: string): string {
    return this.io.safe(text)
  }

  protected warn_(message: string): void {
    this.io.warnings.push(message)
  }

  protected printWarning(message: string): void {
    this.io.printWarning(message)
  }

  protected progress(text: string): Progress {
    return this.io.progress(text)
  }

  protected emitJson(envelope: Envelope<unknown>): void {
    this.io.emitJson(envelope)
  }
}
