import { Flags } from '@oclif/core'
import { parsePrincipal, ROLES, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'
import { editManifest } from '../../../lib/manifest-edit.js'
import { auditScopeChange, managerOf } from '../../../lib/scope-admin.js'

interface Revoked {
  principal: string
  role: string
  scope: string
  by: string
  manifest: string
}

export default class SecretsAccessRevoke extends FloeCommand<Revoked> {
  static override summary = 'Revoke a role on a scope (managers only): the inverse of access grant'
  static override description = `Removes the grant from access: in the manifest (comments kept) and records it in the audit log. Only a manager of the scope may change its grants (--as or FLOE_PRINCIPAL). The last manager of a scope cannot revoke their own manager role: delete the scope instead (floe secrets scopes delete). Recompile with 'floe secrets access emit' so the backends drop the access too.`
  static override examples = [
    '<%= config.bin %> secrets access revoke --principal workspace:prod --role reader --scope snowflake-scope --as user:alice@example.com',
    '<%= config.bin %> secrets access revoke --principal workspace:prod --role reader -s snowflake-scope --json',
  ]
  static override flags = {
    principal: Flags.string({ description: 'who loses the role', required: true }),
    role: Flags.string({ description: 'role', required: true, options: [...ROLES] }),
    scope: Flags.string({ char: 's', description: 'scope', required: true }),
  }

  protected async execute(): Promise<Outcome<Revoked>> {
    const { flags } = await this.parse(SecretsAccessRevoke)
    const { model, by } = await managerOf(this.session, flags.scope, 'manage_grants')
    const principal = parsePrincipal(flags.principal).text
    const grant = model.grants.find(
      (g) => g.scope === flags.scope && g.principal.text === principal && g.role === flags.role,
    )
    if (!grant) {
      const held = model.grants
        .filter((g) => g.scope === flags.scope && g.principal.text === principal)
        .map((g) => g.role)
      throw new UsageError(`${principal} does not hold ${flags.role} on ${flags.scope}`, {
        hint: held.length
          ? `it holds ${held.join(', ')}: revoke that with --role ${held[0]}`
          : `see who holds what: floe secrets scopes list`,
      })
    }
    const managers = model.grants.filter((g) => g.scope === flags.scope && g.role === 'manager')
    if (flags.role === 'manager' && managers.length === 1)
      throw new UsageError(`${principal} is the last manager of ${flags.scope}`, {
        hint: `grant another manager first, or delete the scope: floe secrets scopes delete -s ${flags.scope}`,
      })
    const path = await editManifest(this.session, (doc) => doc.deleteIn(['access', grant.index]))
    await auditScopeChange(
      this.session,
      'access-revoke',
      `${principal} ${flags.role} on ${flags.scope} by ${by}`,
    )
    return {
      result: { principal, role: flags.role, scope: flags.scope, by, manifest: path },
      human: `${this.paint.ok('✓')} ${principal} is no longer ${flags.role} on ${flags.scope} (revoked by ${by}).\nRecompile the backends' access: floe secrets access emit`,
    }
  }
}
