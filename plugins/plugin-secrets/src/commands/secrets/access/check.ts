import { Flags } from '@oclif/core'
import {
  ACTIONS,
  buildAccessModel,
  checkScopeAccess,
  checkSecretAccess,
  ExitCode,
  parsePrincipal,
  UsageError,
  type AccessDecision,
  type Action,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'
import { renderTable, useColor } from '../../../lib/output.js'

export default class SecretsAccessCheck extends FloeCommand<{ decisions: AccessDecision[] }> {
  static override summary = 'Who can read or write what, and which grant says so'
  static override description = `Evaluates the manifest's scopes: and access: locally, with the scope roles: reader reads values; writer also creates, updates, deletes and lists; manager also edits grants and deletes the scope. Exit 1 when --expect-allowed is given and something is denied.`
  static override examples = [
    '<%= config.bin %> secrets access check',
    '<%= config.bin %> secrets access check --principal workspace:prod',
    '<%= config.bin %> secrets access check --principal user:alice@example.com --secret snowflake-password --action write',
  ]
  static override flags = {
    principal: Flags.string({
      description: 'principal to check (default: every principal with a grant)',
      multiple: true,
    }),
    secret: Flags.string({ description: 'check a secret (through the scopes that hold it)' }),
    scope: Flags.string({ description: 'check one scope' }),
    action: Flags.string({
      description: 'action to check (default: all)',
      options: [...ACTIONS],
      multiple: true,
    }),
    'expect-allowed': Flags.boolean({ description: 'exit 1 if any checked action is denied' }),
  }

  protected async execute(): Promise<Outcome<{ decisions: AccessDecision[] }>> {
    const { flags } = await this.parse(SecretsAccessCheck)
    const manifest = await this.session.manifest()
    const model = await buildAccessModel(manifest)
    if (!model.enabled)
      throw new UsageError('the manifest declares no scopes: or access:', {
        hint: 'see "Access control" in the @floe/core README',
      })
    if (flags.secret && !manifest.secrets[flags.secret])
      throw new UsageError(`secret "${flags.secret}" is not declared`)
    if (flags.scope && !model.scopes.has(flags.scope))
      throw new UsageError(`scope "${flags.scope}" is not declared`)
    const principals =
      flags.principal?.map((p) => parsePrincipal(p).text) ??
      [...new Set(model.grants.map((g) => g.principal.text))].sort()
    const actions =
      (flags.action as Action[] | undefined) ??
      (flags.secret ? (['read', 'list', 'write'] as Action[]) : [...ACTIONS])
    const decisions: AccessDecision[] = []
    for (const principal of principals) {
      for (const action of actions) {
        if (flags.secret) decisions.push(checkSecretAccess(model, principal, action, flags.secret))
        else
          for (const scope of flags.scope ? [flags.scope] : [...model.scopes.keys()].sort())
            decisions.push(checkScopeAccess(model, principal, action, scope))
      }
    }
    const denied = decisions.some((d) => !d.allowed)
    const human = renderTable(
      ['PRINCIPAL', flags.secret ? 'SECRET' : 'SCOPE', 'ACTION', 'ALLOWED', 'WHY'],
      decisions.map((d) => [
        d.principal,
        flags.secret ?? d.scope ?? '-',
        d.action,
        d.allowed ? 'yes' : 'no',
        d.reason,
      ]),
      useColor(),
    )
    return {
      result: { decisions },
      human,
      exitCode: flags['expect-allowed'] && denied ? ExitCode.CHECK_FAILED : ExitCode.OK,
    }
  }
}
