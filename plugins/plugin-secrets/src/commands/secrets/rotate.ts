import { Args, Flags } from '@oclif/core'
import { rotateSecret, type RotationReport } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { declaredSecret } from '../../lib/references.js'
import { rotationValue, timeoutMs } from '../../lib/rotation-input.js'
import { RotationText } from '../../lib/rotation-text.js'
import { valueWithoutFlags } from '../../lib/secret-input.js'

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
    const def = declaredSecret(manifest, args.name)
    const wantsValue = flags.generate || flags['value-file']?.length || flags['from-env-file']
    const text = new RotationText(this.paint, def.name, Boolean(flags['dry-run']))
    const report = await rotateSecret(
      def,
      {
        ...(wantsValue
          ? { value: () => rotationValue(def, flags, (m) => this.warn_(m)) }
          : { fallbackValue: () => valueWithoutFlags(def, 'rotate') }),
        hooksOnly: Boolean(flags['hooks-only']),
        restartDeployments: Boolean(flags['restart-deployments']),
        dryRun: Boolean(flags['dry-run']),
        ...(flags.timeout !== undefined ? { timeoutMs: timeoutMs(flags.timeout) } : {}),
        // piped or in CI a silent wait looks like a hang: say what is being waited for
        ...(process.stdout.isTTY
          ? {}
          : { onProgress: (m: string) => process.stderr.write(this.safe(`… ${m}`) + '\n') }),
      },
      {
        ...(await this.session.writeDeps(def.provider)),
        hooks: () => this.session.registry.hookModules(),
      },
      text.step,
    )
    return text.finish(report, {
      where: this.session.registry.displayName(def.provider),
      verbose: Boolean(flags.verbose),
      rerun: `floe secrets rotate ${def.name} --hooks-only${flags['restart-deployments'] ? ' --restart-deployments' : ''}`,
    })
  }
}
