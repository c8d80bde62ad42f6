import { Args, Flags } from '@oclif/core'
import {
  ExitCode,
  SecretValue,
  UnsupportedError,
  UsageError,
  type HookStep,
  type SecretDefinition,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { currentMetadata } from '../../lib/current-version.js'
import { generateValue, readSecretInput, type SecretData } from '../../lib/secret-input.js'

interface RotateResult {
  secret: string
  provider: string
  dryRun: boolean
  valueChanged: boolean
  version?: string
  previousVersion?: string
  steps: HookStep[]
  complete: boolean
}

export default class SecretsRotate extends FloeCommand<RotateResult> {
  static override summary =
    'Rotate a secret: update it at the source, trigger the sync, restart what uses it'
  static override description = `Writes a new value with compare-and-set (the write fails instead of overwriting a concurrent change), then runs the platform hooks of installed packages (e.g. @floe/provider-kubernetes: trigger the External Secrets sync, restart the Deployments that use the secret).

Without --generate or --value-file the provider's own rotation runs (e.g. an AWS rotation Lambda). If a step fails after the value changed, the report says exactly what changed; re-run with --hooks-only to finish the remaining steps safely.`
  static override examples = [
    '<%= config.bin %> secrets rotate snowflake-credentials --generate --key password --restart-deployments',
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
      description: 'restart the workloads that use the secret (via installed platform hooks)',
    }),
    'dry-run': Flags.boolean({ description: 'print the plan, change nothing' }),
    'hooks-only': Flags.boolean({
      description: 'do not change the value; re-run the sync/restart steps',
    }),
  }

  protected async execute(): Promise<Outcome<RotateResult>> {
    const { args, flags } = await this.parse(SecretsRotate)
    const manifest = await this.session.manifest()
    const def = manifest.secrets[args.name]
    if (!def) throw new UsageError(`secret "${args.name}" is not declared in ${manifest.path}`)
    const provider = await this.session.registry.provider(def.provider)
    const ctx = await this.session.providerContext()
    const where = this.session.registry.displayName(def.provider)
    const dryRun = Boolean(flags['dry-run'])
    const steps: HookStep[] = []
    const lines = [`Rotating secret: ${def.name}${dryRun ? ' (dry run)' : ''}`]
    const mark = (step: HookStep): void => {
      steps.push(step)
      lines.push(`${step.ok ? this.paint.ok('✓') : this.paint.bad('✗')} ${step.message}`)
    }
    const result: RotateResult = {
      secret: def.name,
      provider: def.provider,
      dryRun,
      valueChanged: false,
      steps,
      complete: false,
    }
    const audit = await this.session.audit()

    if (!flags['hooks-only']) {
      const wantsValue = flags.generate || flags['value-file']?.length || flags['from-env-file']
      if (!wantsValue) {
        if (!provider.rotate) {
          throw new UnsupportedError(`${where} has no built-in rotation for "${def.name}"`, {
            provider: def.provider,
            hint: `give the new value: floe secrets rotate ${def.name} --generate${def.keys?.length ? ` --key ${def.keys[0]}` : ''} (or --value-file FILE)`,
          })
        }
        if (dryRun) mark({ ok: true, message: `Would start ${where}'s own rotation` })
        else {
          const rotated = await provider.rotate({ secret: def.name, config: def.fields }, ctx)
          result.valueChanged = true
          result.version = rotated.version
          result.previousVersion = rotated.previousVersion
          for (const message of rotated.steps.length
            ? rotated.steps
            : [`Secret rotated in ${where}`])
            mark({ ok: true, message })
        }
      } else {
        if (!provider.put)
          throw new UnsupportedError(
            `${where} is read-only for floe: rotate "${def.name}" with its own tools, then run --hooks-only`,
            { provider: def.provider },
          )
        const current = await currentMetadata(
          provider,
          { secret: def.name, config: def.fields },
          ctx,
        )
        if (current === undefined && provider.describe) {
          throw new UsageError(`secret "${def.name}" does not exist at ${where}`, {
            hint: `create it first: floe secrets create ${def.name} --from-file …`,
          })
        }
        const data = await this.newData(def, flags)
        if (dryRun) {
          const what =
            data instanceof SecretValue
              ? 'the value'
              : `key${Object.keys(data).length === 1 ? '' : 's'} ${Object.keys(data).join(', ')}`
          mark({
            ok: true,
            message: `Would update ${what} of ${def.name} in ${where}${current?.version ? ` (compare-and-set on version ${current.version})` : ''}`,
          })
        } else {
          try {
            const put = await provider.put(
              { secret: def.name, config: def.fields, data, expectedVersion: current?.version },
              ctx,
            )
            result.valueChanged = true
            result.version = put.version
            result.previousVersion = put.previousVersion ?? current?.version
            mark({
              ok: true,
              message: `Secret updated in ${where}${put.version ? ` (version ${put.version})` : ''}`,
            })
            audit?.append({
              action: 'rotate',
              secret: def.name,
              provider: def.provider,
              outcome: 'ok',
              ...(put.version ? { detail: `version ${put.version}` } : {}),
            })
          } catch (error) {
            audit?.append({
              action: 'rotate',
              secret: def.name,
              provider: def.provider,
              outcome: (error as { code?: string }).code ?? 'error',
            })
            throw error
          }
        }
      }
    }

    let hookFailed = false
    for (const hook of await this.session.registry.hookModules()) {
      try {
        for await (const step of hook.afterRotate({
          secret: def,
          manifest,
          restartDeployments: Boolean(flags['restart-deployments']),
          dryRun,
          ctx,
        })) {
          mark(step)
          if (!step.ok) hookFailed = true
        }
      } catch (error) {
        hookFailed = true
        mark({
          ok: false,
          message: `${hook.name}: ${error instanceof Error ? error.message : String(error)}`,
        })
      }
    }

    result.complete = !hookFailed
    if (dryRun) lines.push('Dry run: nothing was changed.')
    else if (!hookFailed) lines.push('Rotation complete.')
    else {
      lines.push(
        result.valueChanged
          ? `Rotation incomplete: the new value IS stored in ${where}${result.version ? ` (version ${result.version})` : ''}; the steps marked ✗ did not finish. Re-run: floe secrets rotate ${def.name} --hooks-only${flags['restart-deployments'] ? ' --restart-deployments' : ''}`
          : `Rotation incomplete: the value was not changed; the steps marked ✗ failed.`,
      )
    }
    return {
      result,
      human: lines.join('\n'),
      exitCode: hookFailed ? ExitCode.CHECK_FAILED : ExitCode.OK,
      status: hookFailed ? 'failed' : 'ok',
    }
  }

  private async newData(
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
    let fresh: SecretData
    // A definition with `key:` (e.g. a _groups member) owns one key of a shared secret: write
    // that key; the provider merges it into the version it compares against.
    const ownKey = typeof def.fields.key === 'string' ? def.fields.key : undefined
    if (flags.generate) {
      fresh = new SecretValue(generateValue(flags.length ?? 32, Boolean(flags.symbols)), def.name)
      if (ownKey && !flags.key) {
        this.session.redactor.add(fresh)
        return { [ownKey]: fresh }
      }
      if (flags.key) fresh = { [flags.key]: fresh }
      else if (def.keys?.length) {
        throw new UsageError(
          `"${def.name}" has keys (${def.keys.join(', ')}): say which one to generate with --key`,
        )
      }
    } else {
      fresh = await readSecretInput(
        def.name,
        { fromFile: flags['value-file'], fromEnvFile: flags['from-env-file'] },
        (m) => this.warn_(m),
      )
      if (ownKey && !flags.key && fresh instanceof SecretValue) {
        this.session.redactor.add(fresh)
        return { [ownKey]: fresh }
      }
      if (flags.key && fresh instanceof SecretValue) fresh = { [flags.key]: fresh }
    }
    for (const v of fresh instanceof SecretValue ? [fresh] : Object.values(fresh))
      this.session.redactor.add(v)
    if (fresh instanceof SecretValue) return fresh
    // Keep the keys that are not being replaced: read the current value (never printed).
    const resolver = await this.session.resolver()
    const report = await resolver.resolve([{ name: def.name }])
    const whole = report.valueOf({ name: def.name })
    if (report.failures.length || !whole)
      throw (
        report.failures[0]?.error ?? new UsageError(`cannot read the current keys of "${def.name}"`)
      )
    let currentKeys: Record<string, string> = {}
    try {
      const parsed: unknown = JSON.parse(whole.reveal())
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        currentKeys = parsed as Record<string, string>
    } catch {
      throw new UsageError(`"${def.name}" is a single value: rotate it without --key`)
    }
    const merged: Record<string, SecretValue> = {}
    for (const [k, v] of Object.entries(currentKeys))
      merged[k] = new SecretValue(typeof v === 'string' ? v : JSON.stringify(v), `${def.name}/${k}`)
    for (const v of Object.values(merged)) this.session.redactor.add(v)
    return { ...merged, ...fresh }
  }
}
