import { Flags } from '@oclif/core'
import { parsePrincipal, ROLES, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'
import { appendGrant, editManifest } from '../../../lib/manifest-edit.js'
import { auditScopeChange, managerOf } from '../../../lib/scope-admin.js'

interface Granted {
  principal: string
  role: string
  scope: string
  by: string
  manifest: string
}

export default class SecretsAccessGrant extends FloeCommand<Granted> {
  static override summary = 'Grant a role on a scope (managers only), recorded in the manifest'
  static override description = `Assigns a role: a workspace needs the reader role before its jobs may use the scope's secrets. Only a manager of the scope may change its grants; you say who you are with --as or FLOE_PRINCIPAL. The grant is added to access: in the manifest (comments kept); compile it with 'floe secrets access emit'.`
  static override examples = [
    '<%= config.bin %> secrets access grant --principal workspace:prod --role reader --scope snowflake-scope --as user:alice@example.com',
  ]
  static override flags = {
    principal: Flags.string({ description: 'who receives the role', required: true }),
    role: Flags.string({ description: 'role', required: true, options: [...ROLES] }),
    scope: Flags.string({ char: 's', description: 'scope', required: true }),
  }

  protected async execute(): Promise<Outcome<Granted>> {
    const { flags } = await this.parse(SecretsAccessGrant)
    const { model, by } = await managerOf(this.session, flags.scope, 'manage_grants')
    const principal = parsePrincipal(flags.principal).text
    if (
      model.grants.some(
        (g) => g.scope === flags.scope && g.principal.text === principal && g.role === flags.role,
      )
    ) {
      throw new UsageError(`${principal} already holds ${flags.role} on ${flags.scope}`)
    }
    const path = await editManifest(this.session, (doc) =>
      appendGrant(doc, { principal, role: flags.role, scope: flags.scope }),
    )
    await auditScopeChange(
      this.session,
      'access-grant',
      `${principal} ${flags.role} on ${flags.scope} by ${by}`,
    )
    return {
      result: { principal, role: flags.role, scope: flags.scope, by, manifest: path },
      human: `${this.paint.ok('✓')} ${principal} is now ${flags.role} on ${flags.scope} (granted by ${by}).`,
    }
  }
}
