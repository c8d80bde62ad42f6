import { Args, Flags } from '@oclif/core'
import { deleteSecret, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { confirmDestructive } from '../../lib/confirm.js'
import { DeleteText } from '../../lib/delete-text.js'
import { planManifestEdit, undeclareSecret } from '../../lib/manifest-edit.js'
import { declaredSecret } from '../../lib/references.js'

interface DeleteResultJson {
  secret: string
  provider: string
  /** false when the backend held nothing under that name (or --manifest-only) */
  deleted: boolean
  version?: string
  expectedVersion?: string
  /** the manifest the declaration was removed from (--undeclare) */
  undeclaredFrom?: string
}

export default class SecretsDelete extends FloeCommand<DeleteResultJson> {
  static override summary = 'Delete a declared secret at its provider (every version)'
  static override description = `Deletes the value at the secret's provider, if the provider can delete (otherwise a clear error naming it). The writer role on the secret's scope is checked first (--as / FLOE_PRINCIPAL). With --expected-version the delete happens only while the secret is at that version (compare-and-set; refused for a provider without versions). The manifest declaration stays unless --undeclare (comments kept; refused before anything is deleted when something still references the secret). Asks for confirmation on a terminal; elsewhere --yes is required. Never reads or prints the value; recorded in the audit log.`
  static override examples = [
    '<%= config.bin %> secrets delete snowflake-user',
    '<%= config.bin %> secrets delete snowflake-user --yes --undeclare --as user:alice@example.com',
    '<%= config.bin %> secrets delete api_key --yes --expected-version 7 --json',
    '<%= config.bin %> secrets delete legacy-token --undeclare --manifest-only --yes',
  ]
  static override args = {
    name: Args.string({ description: 'secret name declared in the manifest', required: true }),
  }
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }),
    'expected-version': Flags.string({
      description: 'delete only while the secret is at this version (compare-and-set)',
    }),
    undeclare: Flags.boolean({ description: 'also remove the declaration from the manifest' }),
    'manifest-only': Flags.boolean({
      description: 'remove the declaration only; leave the backend alone (needs --undeclare)',
      dependsOn: ['undeclare'],
    }),
  }

  protected async execute(): Promise<Outcome<DeleteResultJson>> {
    const { args, flags } = await this.parse(SecretsDelete)
    const manifest = await this.session.manifest()
    const def = declaredSecret(manifest, args.name, {
      hint: 'floe secrets list shows the declared secrets',
    })
    if (flags['manifest-only'] && flags['expected-version'])
      throw new UsageError('--expected-version needs a backend delete; drop --manifest-only')
    const deps = await this.session.writeDeps(def.provider)
    const expectedVersion = flags['expected-version']
    const options = {
      ...(def.scope ? { scope: def.scope } : {}),
      ...(expectedVersion ? { expectedVersion } : {}),
    }
    const manifestOnly = Boolean(flags['manifest-only'])
    const where = this.session.registry.displayName(def.provider)
    const text = new DeleteText(this.paint, def.name, where, manifest.path, manifestOnly)
    // the checks (access, provider, version, manifest) all run before anything changes
    const planned = manifestOnly
      ? undefined
      : await deleteSecret(def, { ...options, dryRun: true }, deps)
    const undeclare = flags.undeclare
      ? await planManifestEdit(this.session, (doc) => undeclareSecret(doc, def.name))
      : undefined
    await confirmDestructive(text.question(planned?.version, Boolean(undeclare)), {
      yes: flags.yes,
      json: this.json,
      command: `floe secrets delete ${def.name}${flags.undeclare ? ' --undeclare' : ''}`,
    })
    const result = manifestOnly ? { deleted: false } : await deleteSecret(def, options, deps)
    await undeclare?.write()
    const version = 'version' in result ? result.version : undefined
    return {
      result: {
        secret: def.name,
        provider: def.provider,
        deleted: result.deleted,
        ...(version ? { version } : {}),
        ...(expectedVersion ? { expectedVersion } : {}),
        ...(undeclare ? { undeclaredFrom: undeclare.path } : {}),
      },
      human: text.report({ deleted: result.deleted, version }, undeclare?.path),
    }
  }
}
