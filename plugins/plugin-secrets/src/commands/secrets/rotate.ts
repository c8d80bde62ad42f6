import { Args, Flags } from '@oclif/core'
import {
  ExitCode,
  rotateSecret,
  SecretValue,
  UsageError,
  valueForKey,
  type RotationReport,
  type SecretData,
  type SecretDefinition,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { generateValue, readSecretInput, valueWithoutFlags } from '../../lib/secret-input.js'

export default class SecretsRotate extends FloeCommand<RotationReport> {
  static override summary =
    'Rotate a secret: update it at the source, trigger the sync, restart what uses it'
  static override description = `Writes a new value with compare-and-set (the write fails instead of overwriting a concurrent change), then runs the platform hooks of installed packages (e.g. @floe/provider-kubernetes: trigger the External Secrets sync, restart the Deployments that use the secret).

With no value flag (--generate, --value-file, --from-env-file) the new value comes from, in order: the provider's own rotation when it has one for the secret (e.g. an AWS rotation Lambda); the manifest's \`rotation.generate: {KEY: {length, charset}}\`; a hidden prompt per key when run in a terminal; otherwise it is a usage error naming the flags. Output is one line per step; --verbose adds the versions, --json the whole report.

If a step fails after the value changed, the report says exactly what changed; re-run with --hooks-only to finish the remaining steps safely.`
  static override examples = [
    '<%= config.bin %> secrets rotate snowflake-credentials --restart-deployments',
    '<%= config.bin %> secrets rotate snowflake-credentials --generate --key password --restart-deployments',
    '<%= config.bin %> secrets rotate snowflake-credentials --generate --key password --restart-deployments --timeout 30s',
    '<%= config.bin %> secrets rotate api_key --value-file ./new-key.txt',
    '<%= config.bin %> secrets rotate snowflake-credentials --generate --key password --dry-run',
    '<%= config.bin %> secrets rotate snowflake-credentials --hooks-only --restart-deployments',
  ]
  static override args = {
    name: Args.string({ description: 'secret name declared in the manifest', required: true }),
  }
  static override flags = {
    generate: Flags.boolean({
      description: 'generate a random value',
      exclusive: ['value-file', 'from-env-file', 'hooks-only'],
    }),
    length: Flags.integer({
      description: 'length of the generated value (default 32)',
      dependsOn: ['generate'],
    }),
    symbols: Flags.boolean({
      description: 'include symbols in the generated value',
      dependsOn: ['generate'],
    }),
    key: Flags.string({
      description: 'key of a multi-key secret to replace (other keys are kept)',
    }),
    'value-file': Flags.string({
      description: 'file holding the new value (key=path or a bare path; repeatable)',
      multiple: true,
      exclusive: ['hooks-only'],
    }),
    'from-env-file': Flags.string({
      description: 'dotenv file with the new keys',
      exclusive: ['hooks-only'],
    }),
    'restart-deployments': Flags.boolean({
      description:
        'restart, one at a time and each waited for, only the workloads that read a changed key (via installed platform hooks; Kubernetes: Deployments)',
    }),
    'dry-run': Flags.boolean({ description: 'print the plan, change nothing' }),
    timeout: Flags.string({
      description:
        'how long each wait may take: the ExternalSecret sync (default 2m), then each Deployment rollout (default 5m); e.g. 30s, 2m, 500ms; progress lines go to stderr when stdout is not a terminal',
    }),
    'hooks-only': Flags.boolean({
      description: 'do not change the value; re-run the sync/restart steps',
    }),
  }

  protected async execute(): Promise<Outcome<RotationReport>> {
    const { args, flags } = await this.parse(SecretsRotate)
    const manifest = await this.session.manifest()
    const def = manifest.secrets[args.name]
    if (!def) throw new UsageError(`secret "${args.name}" is not declared in ${manifest.path}`)
    const where = this.session.registry.displayName(def.provider)
    const wantsValue = flags.generate || flags['value-file']?.length || flags['from-env-file']
    const lines = [`Rotating secret: ${def.name}${flags['dry-run'] ? ' (dry run)' : ''}`]
    const report = await rotateSecret(
      def,
      {
        ...(wantsValue
          ? { value: () => this.newValue(def, flags) }
          : { fallbackValue: () => valueWithoutFlags(def, 'rotate') }),
        hooksOnly: Boolean(flags['hooks-only']),
        restartDeployments: Boolean(flags['restart-deployments']),
        dryRun: Boolean(flags['dry-run']),
        ...(flags.timeout !== undefined ? { timeoutMs: timeoutMs(flags.timeout) } : {}),
        // piped or in CI a silent wait looks like a hang: say what is being waited for
        ...(process.stdout.isTTY
          ? {}
          : {
              onProgress: (message: string) =>
                process.stderr.write(this.safe(`… ${message}`) + '\n'),
            }),
      },
      {
        ...(await this.session.writeDeps(def.provider)),
        hooks: () => this.session.registry.hookModules(),
      },
      (step) => lines.push(`${step.ok ? this.paint.ok('✓') : this.paint.bad('✗')} ${step.message}`),
    )
    if (flags.verbose && report.version)
      lines.splice(
        2,
        0,
        this.paint.dim(
          `  version ${report.version}${report.previousVersion ? ` (previous ${report.previousVersion})` : ''}`,
        ),
      )
    if (report.dryRun) lines.push('Dry run: nothing was changed.')
    else if (report.complete) lines.push('Rotation complete.')
    else if (report.valueChanged)
      lines.push(
        `Rotation incomplete: the new value IS stored in ${where}${report.version ? ` (version ${report.version})` : ''}; the steps marked ✗ did not finish. Re-run: floe secrets rotate ${def.name} --hooks-only${flags['restart-deployments'] ? ' --restart-deployments' : ''}`,
      )
    else lines.push('Rotation incomplete: the value was not changed; the steps marked ✗ failed.')
    return {
      result: report,
      human: lines.join('\n'),
      exitCode: report.complete ? ExitCode.OK : ExitCode.CHECK_FAILED,
      status: report.complete ? 'ok' : 'failed',
    }
  }

  /** The new value from the flags: generated, or read from files (merged by writeSecret). */
  private async newValue(
    def: SecretDefinition,
    flags: {
      generate?: boolean
      length?: number
      symbols?: boolean
      key?: string
      'value-file'?: string[]
      'from-env-file'?: string
    },
  ): Promise<SecretData> {
    if (flags.generate) {
      const fresh = new SecretValue(
        generateValue(flags.length ?? 32, Boolean(flags.symbols)),
        def.name,
      )
      const data = valueForKey(def, fresh, flags.key)
      if (data instanceof SecretValue && def.keys?.length)
        throw new UsageError(
          `"${def.name}" has keys (${def.keys.join(', ')}): say which one to generate with --key`,
        )
      return data
    }
    const fresh = await readSecretInput(
      def.name,
      { fromFile: flags['value-file'], fromEnvFile: flags['from-env-file'] },
      (m) => this.warn_(m),
    )
    return fresh instanceof SecretValue ? valueForKey(def, fresh, flags.key) : fresh
  }
}

/** `30s`, `2m`, `500ms`, `1h`, or bare seconds → ms; anything else is a usage error. */
function timeoutMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim())
  if (!match || Number(match[1]) <= 0)
    throw new UsageError(`--timeout ${value}: expected a duration such as 30s, 2m or 500ms`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000
  return Number(match[1]) * unit
}
