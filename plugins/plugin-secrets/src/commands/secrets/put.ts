import { Flags } from '@oclif/core'
import {
  buildAccessModel,
  definitionForScopeKey,
  SecretValue,
  UsageError,
  writeSecret,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { readSecretInput } from '../../lib/secret-input.js'
import { declareSecret, planManifestEdit } from '../../lib/manifest-edit.js'

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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
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
    const manifest = await this.session.manifest()
    const model = buildAccessModel(manifest)
    const scope = model.scopes.get(flags.scope)
    if (!scope)
      throw new UsageError(`scope "${flags.scope}" is not declared`, {
        hint: `floe secrets scopes create -s ${flags.scope}`,
      })
    if (flags.provider && scope.provider && flags.provider !== scope.provider)
      throw new UsageError(
        `scope ${scope.name} keeps new keys in ${scope.provider}, not ${flags.provider}`,
        { hint: `drop --provider, or put the key into another scope` },
      )
    const def = definitionForScopeKey(
      manifest,
      scope,
      flags.key,
      this.session.registry,
      flags.provider,
    )
    const declared = Boolean(manifest.secrets[def.name])
    // checked before the write: a declaration the loader would reject must not strand a value
    const declaration = declared
      ? undefined
      : await planManifestEdit(this.session, (doc) => {
          declareSecret(
            doc,
            def.name,
            { provider: def.provider, scope: scope.name, fields: def.fields },
            this.namedFields(def.provider),
          )
          // --provider on a scope that named none: the scope remembers it for the next keys
          if (!scope.provider && def.provider !== manifest.config.defaultProvider)
            doc.setIn(['scopes', scope.name, 'provider'], def.provider)
        })
    if (!flags.file && process.stdin.isTTY)
      throw new UsageError('no value: give -f FILE or pipe the value on stdin')
    const value = async (): Promise<SecretValue> =>
      flags.file
        ? ((await readSecretInput(def.name, { fromFile: [flags.file] }, (m) =>
            this.warn_(m),
          )) as SecretValue)
        : new SecretValue(await readStdin(), def.name)
    const result = await writeSecret(
      def,
      value,
      { action: 'put', scope: scope.name },
      await this.session.writeDeps(def.provider),
    )
    await declaration?.write()
    return {
      result: {
        ...(declaration ? { declaredIn: declaration.path } : {}),
        scope: scope.name,
        key: flags.key,
        secret: def.name,
        provider: def.provider,
        created: result.created,
        ...(result.version ? { version: result.version } : {}),
      },
      human: `${this.paint.ok('✓')} ${result.created ? 'Created' : 'Updated'} ${flags.key} in scope ${scope.name} (${this.session.registry.displayName(def.provider)}${result.version ? `, version ${result.version}` : ''}).${declaration ? `\nDeclared secrets.${def.name} in ${declaration.path}: floe secrets get ${def.name}` : ''}`,
    }
  }

  /** the fields the scope's location names (the rest were borrowed from siblings) */
  private namedFields(provider: string): string[] {
    const naming = this.session.registry.metadataOf?.(provider)?.scopeKey
    return naming ? [naming.field, ...Object.keys(naming.copy ?? {})] : []
  }
}
