import { Flags } from '@oclif/core'
import { writeSecret } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { putTarget, putValue } from '../../lib/put-target.js'

interface PutResultJson {
  scope: string
  key: string
  secret: string
  provider: string
  version?: string
  created: boolean
  /** the manifest file the new key was declared in (a key the manifest did not declare yet) */
  declaredIn?: string
}

export default class SecretsPut extends FloeCommand<PutResultJson> {
  static override summary = "Put a value into a scope's backend location (from a file or stdin)"
  static override description = `The value comes from a file (-f) or stdin, never from argv, so it stays out of shell history. The writer role on the scope is checked locally first (--as / FLOE_PRINCIPAL), then the value is written through the scope's provider with compare-and-set. A key the manifest does not declare yet is declared under secrets: (comments and layout kept), so 'floe secrets get KEY' works next; it goes to the scope's provider (or default_provider, or --provider) at the scope's location (or the provider's default prefix for the scope).`
  static override examples = [
    '<%= config.bin %> secrets put -s snowflake-scope -k snowflake-password -f snowflake_password.txt --as user:alice@example.com',
    'pass show snowflake | <%= config.bin %> secrets put -s snowflake-scope -k snowflake-password',
    '<%= config.bin %> secrets put -s snowflake-scope -k snowflake-user -f snowflake_user.txt --provider vault',
  ]
  static override flags = {
    scope: Flags.string({ char: 's', description: 'scope', required: true }),
    key: Flags.string({ char: 'k', description: 'secret key within the scope', required: true }),
    file: Flags.string({ char: 'f', description: 'file holding the value (default: stdin)' }),
    provider: Flags.string({
      description: 'provider for a new key when the scope names none (default: default_provider)',
    }),
  }

  protected async execute(): Promise<Outcome<PutResultJson>> {
    const { flags } = await this.parse(SecretsPut)
    const { scope, def, declaration } = await putTarget(this.session, flags)
    const value = putValue(def.name, flags.file, (m) => this.warn_(m))
    const result = await writeSecret(
      def,
      value,
      { action: 'put', scope },
      await this.session.writeDeps(def.provider),
    )
    await declaration?.write()
    return {
      result: {
        ...(declaration ? { declaredIn: declaration.path } : {}),
        scope,
        key: flags.key,
        secret: def.name,
        provider: def.provider,
        created: result.created,
        ...(result.version ? { version: result.version } : {}),
      },
      human: `${this.paint.ok('✓')} ${result.created ? 'Created' : 'Updated'} ${flags.key} in scope ${scope} (${this.session.registry.displayName(def.provider)}${result.version ? `, version ${result.version}` : ''}).${declaration ? `\nDeclared secrets.${def.name} in ${declaration.path}: floe secrets get ${def.name}` : ''}`,
    }
  }
}
