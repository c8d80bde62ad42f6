import { buildAccessModel } from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'
import { renderTable, useColor } from '../../../lib/output.js'

interface ScopeRow {
  scope: string
  description?: string
  /** where new keys go: the scope's provider, else default_provider */
  provider?: string
  secrets: string[]
  grants: { principal: string; role: string }[]
}

export default class SecretsScopesList extends FloeCommand<{ scopes: ScopeRow[] }> {
  static override summary = 'List the secret scopes: their secrets and who holds which role'
  static override description = `Reads scopes: and access: from the manifest (no backend is called, no value is read). SECRETS are the declared secrets that belong to the scope (listed by name, explicit or by pattern or by a secret's scope:); GRANTS are role assignments.`
  static override examples = [
    '<%= config.bin %> secrets scopes list',
    '<%= config.bin %> secrets scopes list --json',
  ]

  protected async execute(): Promise<Outcome<{ scopes: ScopeRow[] }>> {
    await this.parse(SecretsScopesList)
    const manifest = await this.session.manifest()
    const model = await buildAccessModel(manifest)
    const scopes: ScopeRow[] = [...model.scopes.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((scope) => {
        const provider = scope.provider ?? manifest.config.defaultProvider
        return {
          scope: scope.name,
          ...(scope.description ? { description: scope.description } : {}),
          ...(provider ? { provider } : {}),
          secrets: scope.secrets,
          grants: model.grants
            .filter((g) => g.scope === scope.name)
            .map((g) => ({ principal: g.principal.text, role: g.role })),
        }
      })
    const human = scopes.length
      ? renderTable(
          ['SCOPE', 'PROVIDER', 'SECRETS', 'GRANTS'],
          scopes.map((s) => [
            s.scope,
            s.provider ?? '-',
            s.secrets.join(', ') || '-',
            s.grants.map((g) => `${g.principal} (${g.role})`).join(', ') || '-',
          ]),
          !this.json && useColor(),
        )
      : 'No scopes declared. Create one: floe secrets scopes create -s NAME --as user:you@example.com'
    return { result: { scopes }, human }
  }
}
