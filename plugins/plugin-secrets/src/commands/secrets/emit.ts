import { Args, Flags, type Interfaces } from '@oclif/core'
import { UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import {
  emittedStdout,
  emittedSummary,
  writeEmittedFiles,
  writtenText,
  type EmittedFileSummary,
} from '../../lib/emit-output.js'
import { checkEmitterOptions, parseOptions } from '../../lib/options.js'

interface EmitResultJson {
  target: string
  package: string
  files: EmittedFileSummary[]
  outputDir?: string
}

export default class SecretsEmit extends FloeCommand<EmitResultJson> {
  static override summary =
    'Generate engine configuration from the manifest (duckdb, dbt, k8s, vault-policy, …)'
  static override description = `Dispatches to the emitter package for TARGET (@floe/emit-duckdb, @floe/emit-dbt, @floe/emit-k8s, or any installed package that declares an emitter). Emitted files reference secrets, never values — unless --include-values is given to an emitter that supports it, in which case files are written 0600 and never to stdout.`
  static override examples = [
    '<%= config.bin %> secrets emit dbt -o ./profiles',
    '<%= config.bin %> secrets emit k8s -o deploy/k8s',
    '<%= config.bin %> secrets emit k8s --option dbt_profiles=profiles.yml > secrets.yaml',
    '<%= config.bin %> secrets emit duckdb',
  ]
  static override args: Interfaces.ArgInput = {
    target: Args.string({
      description: 'emitter name: duckdb, dbt, k8s, vault-policy, …',
      required: true,
    }),
  }
  static override flags = {
    output: Flags.string({ char: 'o', description: 'directory to write into (default: stdout)' }),
    option: Flags.string({ description: 'emitter option key=value (repeatable)', multiple: true }),
    'include-values': Flags.boolean({
      description: 'write resolved values into the output (emitters that support it; files 0600)',
    }),
  }

  /** Which emitter to run and its `key=value` options (overridden by `access emit`). */
  protected async emitArguments(): Promise<{ target: string; options: string[] }> {
    const { args, flags } = await this.parse(SecretsEmit)
    return { target: String(args.target), options: flags.option ?? [] }
  }

  protected async execute(): Promise<Outcome<EmitResultJson>> {
    const { flags } = (await this.parse(this.constructor as typeof SecretsEmit)) as {
      flags: { output?: string; 'include-values'?: boolean }
    }
    const { target, options: optionPairs } = await this.emitArguments()
    const manifest = await this.session.manifest()
    const emitter = await this.session.emitter(target)
    const given = parseOptions(optionPairs)
    checkEmitterOptions(emitter, given, (m) => this.warn_(m))
    const options: Record<string, unknown> = {
      ...given,
      includeValues: Boolean(flags['include-values']),
    }
    if (flags['include-values']) {
      this.warn_(
        '--include-values writes secret values into files: keep them out of git and delete them after use',
      )
      if (!flags.output)
        throw new UsageError('--include-values needs -o DIR: values are never written to stdout')
    }
    const emitted = await emitter.emit({
      manifest,
      logger: this.session.logger,
      options,
      ...(flags['include-values'] ? { resolver: await this.session.resolver() } : {}),
    })
    for (const w of emitted.warnings) this.warn_(w)
    const files = emittedSummary(emitted)
    const result = { target, package: emitter.packageName, files }
    if (!flags.output) {
      const human = emittedStdout(emitted)
      return { result, human: this.json ? undefined : human }
    }
    const outputDir = await writeEmittedFiles(emitted, flags.output, emitter.packageName)
    return { result: { ...result, outputDir }, human: writtenText(files, flags.output) }
  }
}
