import { Args, Flags } from '@oclif/core'
import { SecretValue, writeSecret } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { declaredSecret } from '../../lib/references.js'
import { readSecretInput, valueWithoutFlags } from '../../lib/secret-input.js'

interface CreateResult {
  secret: string
  provider: string
  keys: string[]
  version?: string
}

export default class SecretsCreate extends FloeCommand<CreateResult> {
  static override summary =
    'Create a declared secret at its provider, from files, a generator or a prompt'
  static override description =
    "Values come from files (or an env file), never from the command line — unless --from-literal, which warns. With no value flag: the manifest's `rotation.generate` when it covers every key, else a hidden prompt per key in a terminal, else a usage error naming the flags. Refuses to overwrite an existing secret (use rotate)."
  static override examples = [
    '<%= config.bin %> secrets create salesforce-credentials',
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
    const def = declaredSecret(manifest, args.name, {
      hint: 'declare it under secrets: first, with its provider',
    })
    const given =
      flags['from-file']?.length || flags['from-env-file'] || flags['from-literal']?.length
    const data = given
      ? await readSecretInput(
          args.name,
          {
            fromFile: flags['from-file'],
            fromEnvFile: flags['from-env-file'],
            fromLiteral: flags['from-literal'],
          },
          (m) => this.warn_(m),
        )
      : await valueWithoutFlags(def, 'create')
    const keys = data instanceof SecretValue ? [] : Object.keys(data)
    const missingKeys = (def.keys ?? []).filter((k) => !keys.includes(k))
    if (def.keys?.length && missingKeys.length) {
      this.warn_(
        `the manifest expects key${missingKeys.length === 1 ? '' : 's'} ${missingKeys.join(', ')} which ${missingKeys.length === 1 ? 'is' : 'are'} not given`,
      )
    }
    const written = await writeSecret(
      def,
      data,
      { action: 'create', createOnly: true },
      await this.session.writeDeps(def.provider),
    )
    return {
      result: {
        secret: def.name,
        provider: def.provider,
        keys,
        ...(written.version ? { version: written.version } : {}),
      },
      human: `${this.paint.ok('✓')} Created ${def.name} in ${this.session.registry.displayName(def.provider)}${keys.length ? ` (${keys.length} key${keys.length === 1 ? '' : 's'})` : ''}${written.version ? `, version ${written.version}` : ''}.`,
    }
  }
}
