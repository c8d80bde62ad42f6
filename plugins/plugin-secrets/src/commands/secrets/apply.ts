import { Args, Flags } from '@oclif/core'
import { UnsupportedError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { parseOptions } from '../../lib/options.js'

/** What an emitter that can apply (today: @floe/emit-duckdb) returns. */
interface ApplyOutput {
  result: unknown
  human: string
  warnings?: string[]
  ok?: boolean
}

export default class SecretsApply extends FloeCommand<unknown> {
  static override summary = 'Apply secrets to an engine (duckdb): resolve, create, verify'
  static override description = `Resolves the references of the manifest's duckdb: section, opens the database, installs/loads the configured extensions, creates the secrets (temporary unless persistent: true), drops the ones removed from the manifest, verifies them through duckdb_secrets() and runs any -c statements in the same session.`
  static override examples = [
    '<%= config.bin %> secrets apply duckdb --dry-run',
    '<%= config.bin %> secrets apply duckdb -c "SELECT name, type, persistent FROM duckdb_secrets()"',
    '<%= config.bin %> secrets apply duckdb --database analytics.duckdb --json',
  ]
  static override args = {
    target: Args.string({ description: 'engine: duckdb', required: true, options: ['duckdb'] }),
  }
  static override flags = {
    command: Flags.string({
      char: 'c',
      description: 'SQL to run after the secrets exist (repeatable)',
      multiple: true,
    }),
    database: Flags.string({
      description: 'database file (default: duckdb.database from the manifest, else in-memory)',
    }),
    'secret-directory': Flags.string({
      description: 'DuckDB secret_directory for persistent secrets',
    }),
    'dry-run': Flags.boolean({ description: 'print the redacted plan, change nothing' }),
    option: Flags.string({ description: 'emitter option key=value (repeatable)', multiple: true }),
  }

  protected async execute(): Promise<Outcome<unknown>> {
    const { args, flags } = await this.parse(SecretsApply)
    const manifest = await this.session.manifest()
    const emitter = (await this.session.emitter(args.target)) as {
      apply?: (input: Record<string, unknown>) => Promise<ApplyOutput>
      packageName: string
    }
    if (typeof emitter.apply !== 'function') {
      throw new UnsupportedError(
        `${emitter.packageName} cannot apply secrets; use floe secrets emit ${args.target}`,
      )
    }
    const dryRun = Boolean(flags['dry-run'])
    const progress = this.progress(dryRun ? 'Planning…' : `Applying secrets to ${args.target}…`)
    let output: ApplyOutput
    try {
      output = await emitter.apply({
        manifest,
        resolver: dryRun ? undefined : await this.session.resolver(),
        redactor: this.session.redactor,
        logger: this.session.logger,
        database: flags.database,
        secretDirectory: flags['secret-directory'],
        statements: flags.command ?? [],
        dryRun,
        options: parseOptions(flags.option ?? []),
      })
    } finally {
      progress.stop()
    }
    return {
      result: output.result,
      human: output.human,
      warnings: output.warnings ?? [],
      exitCode: output.ok === false ? 1 : 0,
      status: output.ok === false ? 'failed' : 'ok',
    }
  }
}
