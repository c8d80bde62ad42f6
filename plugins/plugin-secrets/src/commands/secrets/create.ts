import { Args, Flags } from '@oclif/core'
import { ConflictError, SecretValue, UnsupportedError, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { readSecretInput } from '../../lib/secret-input.js'

interface CreateResult {
  secret: string
  provider: string
  keys: string[]
  version?: string
}

export default class SecretsCreate extends FloeCommand<CreateResult> {
  static override summary = 'Create a declared secret at its provider, from files'
  static override description =
    'Values come from files (or an env file), never from the command line — unless --from-literal, which warns. Refuses to overwrite an existing secret (use rotate).'
  static override examples = [
    '<%= config.bin %> secrets create salesforce-credentials --from-file client_id=./id.txt --from-file client_secret=./secret.txt',
    '<%= config.bin %> secrets create snowflake-credentials --from-env-file ./snowflake.env',
    '<%= config.bin %> secrets create api_key --from-file ./api-key.txt',
  ]
  static override args = {
    name: Args.string({ description: 'secret name declared in the manifest', required: true }),
  }
  static override flags = {
    'from-file': Flags.string({
      description: 'key=path (repeatable), or a bare path for a single-value secret',
      multiple: true,
    }),
    'from-env-file': Flags.string({ description: 'a dotenv file: each KEY=value becomes a key' }),
    'from-literal': Flags.string({
      description: 'key=value (repeatable; warns: values end up in shell history)',
      multiple: true,
    }),
  }

  protected async execute(): Promise<Outcome<CreateResult>> {
    const { args, flags } = await this.parse(SecretsCreate)
    const manifest = await this.session.manifest()
    const def = manifest.secrets[args.name]
    if (!def)
      throw new UsageError(`secret "${args.name}" is not declared in ${manifest.path}`, {
        hint: 'declare it under secrets: first, with its provider',
      })
    const data = await readSecretInput(
      args.name,
      {
        fromFile: flags['from-file'],
        fromEnvFile: flags['from-env-file'],
        fromLiteral: flags['from-literal'],
      },
      (m) => this.warn_(m),
    )
    const values = data instanceof SecretValue ? [data] : Object.values(data)
    for (const v of values) this.session.redactor.add(v)
    const keys = data instanceof SecretValue ? [] : Object.keys(data)
    const missingKeys = (def.keys ?? []).filter((k) => !keys.includes(k))
    if (def.keys?.length && missingKeys.length) {
      this.warn_(
        `the manifest expects key${missingKeys.length === 1 ? '' : 's'} ${missingKeys.join(', ')} which ${missingKeys.length === 1 ? 'is' : 'are'} not given`,
      )
    }
    const provider = await this.session.registry.provider(def.provider)
    if (!provider.put)
      throw new UnsupportedError(
        `provider "${def.provider}" is read-only: create the secret with its own tools`,
        { provider: def.provider },
      )
    const audit = await this.session.audit()
    try {
      const result = await provider.put(
        { secret: def.name, config: def.fields, data, createOnly: true },
        await this.session.providerContext(),
      )
      audit?.append({ action: 'create', secret: def.name, provider: def.provider, outcome: 'ok' })
      return {
        result: {
          secret: def.name,
          provider: def.provider,
          keys,
          ...(result.version ? { version: result.version } : {}),
        },
        human: `${this.paint.ok('✓')} Created ${def.name} in ${this.session.registry.displayName(def.provider)}${keys.length ? ` (${keys.length} key${keys.length === 1 ? '' : 's'})` : ''}${result.version ? `, version ${result.version}` : ''}.`,
      }
    } catch (error) {
      audit?.append({
        action: 'create',
        secret: def.name,
        provider: def.provider,
        outcome: (error as { code?: string }).code ?? 'error',
      })
      if ((error as { code?: string }).code === 'CONFLICT') {
        throw new ConflictError((error as Error).message, {
          secret: def.name,
          // a provider that knows better (e.g. "scheduled for deletion: restore it") keeps its hint
          hint:
            (error as { hint?: string }).hint ??
            `it already exists: use 'floe secrets rotate ${def.name} --value-file FILE' to change it`,
          cause: error,
        })
      }
      throw error
    }
  }
}
