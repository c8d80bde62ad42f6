import { Flags } from '@oclif/core'
import { UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'
import { confirmDestructive } from '../../../lib/confirm.js'
import { editManifest } from '../../../lib/manifest-edit.js'
import { auditScopeChange, managerOf } from '../../../lib/scope-admin.js'

interface ScopeDeleted {
  scope: string
  by: string
  manifest: string
  /** grants removed with the scope */
  grantsRemoved: number
  /** declared secrets that belonged to it (kept, with their scope: dropped; --force only) */
  detached: string[]
}

export default class SecretsScopesDelete extends FloeCommand<ScopeDeleted> {
  static override summary = 'Delete a secret scope and its grants from the manifest (managers only)'
  static override description = `Removes scopes.<name> and every grant on it (comments kept) and records it in the audit log. It refuses while declared secrets still belong to the scope: delete them first (floe secrets delete NAME --undeclare), or pass --force to keep them as secrets of no scope (their values stay in the backend). Asks for confirmation on a terminal; elsewhere --yes is required.`
  static override examples = [
    '<%= config.bin %> secrets scopes delete -s snowflake-scope --as user:alice@example.com',
    '<%= config.bin %> secrets scopes delete -s snowflake-scope --yes --force --as user:alice@example.com --json',
  ]
  static override flags = {
    scope: Flags.string({ char: 's', description: 'scope', required: true }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }),
    force: Flags.boolean({
      description: 'delete even though declared secrets belong to it (they are kept, scope-less)',
    }),
  }

  protected async execute(): Promise<Outcome<ScopeDeleted>> {
    const { flags } = await this.parse(SecretsScopesDelete)
    const { model, by } = await managerOf(this.session, flags.scope, 'delete_scope')
    const members = model.scopes.get(flags.scope)!.secrets
    if (members.length && !flags.force)
      throw new UsageError(
        `scope ${flags.scope} still holds ${members.map((s) => `"${s}"`).join(', ')}`,
        {
          hint: `delete them first (floe secrets delete ${members[0]} --undeclare), or keep them without a scope: --force`,
        },
      )
    const grants = model.grants.filter((g) => g.scope === flags.scope)
    await confirmDestructive(`Delete scope ${flags.scope} and its ${grants.length} grant(s)?`, {
      yes: flags.yes,
      json: this.json,
      command: `floe secrets scopes delete -s ${flags.scope}${flags.force ? ' --force' : ''}`,
    })
    const manifest = await this.session.manifest()
    const detached = members.filter((s) => manifest.secrets[s]?.scope === flags.scope)
    const path = await editManifest(this.session, (doc) => {
      // highest index first, so the earlier indices stay valid
      for (const grant of [...grants].sort((a, b) => b.index - a.index))
        doc.deleteIn(['access', grant.index])
      for (const secret of detached) doc.deleteIn(['secrets', secret, 'scope'])
      doc.deleteIn(['scopes', flags.scope])
    })
    await auditScopeChange(
      this.session,
      'scope-delete',
      `${flags.scope} by ${by}; ${grants.length} grant(s) removed${members.length ? `; kept without scope: ${members.join(', ')}` : ''}`,
    )
    return {
      result: {
        scope: flags.scope,
        by,
        manifest: path,
        grantsRemoved: grants.length,
        detached: members,
      },
      human: `${this.paint.ok('✓')} Scope ${flags.scope} deleted from ${path} with ${grants.length} grant(s)${members.length ? `; ${members.join(', ')} kept without a scope` : ''}.`,
    }
  }
}
