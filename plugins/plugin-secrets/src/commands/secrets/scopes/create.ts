import { Flags } from '@oclif/core'
import { parsePrincipal, scopeKeyFields, UsageError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'
import { appendGrant, editManifest } from '../../../lib/manifest-edit.js'

interface ScopeCreated {
  scope: string
  manager: string
  manifest: string
  /** the command to run next */
  next: string
}

export default class SecretsScopesCreate extends FloeCommand<ScopeCreated> {
  static override summary = 'Declare a secret scope in the manifest, with you as its manager'
  static override description = `floe has no server: a scope lives in the manifest. This adds scopes.<name> (keeping the file's comments and layout) and a manager grant for the creating principal. Then put secrets into it with 'floe secrets put -s <name> -k KEY -f FILE' and compile the grants with 'floe secrets access emit'.`
  static override examples = [
    '<%= config.bin %> secrets scopes create -s snowflake-scope --as user:alice@example.com',
    '<%= config.bin %> secrets scopes create -s snowflake-scope --provider vault --vault-prefix secret/data/scopes/snowflake --namespace floe-jobs',
  ]
  static override flags = {
    scope: Flags.string({ char: 's', description: 'scope name', required: true }),
    description: Flags.string({ description: 'what the scope holds' }),
    provider: Flags.string({ description: 'provider that stores new keys put into the scope' }),
    'vault-prefix': Flags.string({ description: 'location: Vault KV path prefix' }),
    'aws-prefix': Flags.string({ description: 'location: AWS name prefix' }),
    namespace: Flags.string({ description: 'location: Kubernetes namespace' }),
  }

  protected async execute(): Promise<Outcome<ScopeCreated>> {
    const { flags } = await this.parse(SecretsScopesCreate)
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(flags.scope))
      throw new UsageError(`invalid scope name "${flags.scope}"`, {
        hint: 'letters, digits, "_", "." and "-"',
      })
    const manager = this.session.principal
    if (!manager)
      throw new UsageError('who is creating the scope? The creator becomes its manager', {
        hint: 'pass --as user:you@example.com or set FLOE_PRINCIPAL',
      })
    parsePrincipal(manager)
    const scope: Record<string, unknown> = {}
    if (flags.description) scope.description = flags.description
    if (flags.provider) scope.provider = flags.provider
    const location: Record<string, unknown> = {}
    if (flags['vault-prefix']) location.vault = flags['vault-prefix']
    if (flags['aws-prefix']) location.aws = { prefix: flags['aws-prefix'] }
    if (flags.namespace) location.kubernetes = { namespace: flags.namespace }
    if (Object.keys(location).length) scope.location = location
    const path = await editManifest(this.session, (doc) => {
      if (doc.hasIn(['scopes', flags.scope]))
        throw new UsageError(`scope "${flags.scope}" already exists`)
      if (!doc.has('scopes')) doc.set('scopes', doc.createNode({}))
      doc.setIn(['scopes', flags.scope], doc.createNode(scope))
      appendGrant(doc, { principal: manager, role: 'manager', scope: flags.scope })
    })
    const next = await this.nextStep(flags.scope, flags.provider, location)
    return {
      result: { scope: flags.scope, manager, manifest: path, next },
      human: `${this.paint.ok('✓')} Scope ${flags.scope} added to ${path}; ${manager} is its manager.\nNext: ${next}`,
    }
  }

  /**
   * The put command that works as printed: plain when the scope (or default_provider) says
   * where new keys go, else with --provider naming an installed provider that can name keys
   * of a scope with this location.
   */
  private async nextStep(
    scope: string,
    provider: string | undefined,
    location: Record<string, unknown>,
  ): Promise<string> {
    const put = `floe secrets put -s ${scope} -k KEY -f FILE`
    if (provider || (await this.session.manifest()).config.defaultProvider) return put
    const registry = this.session.registry
    const usable = registry.names().filter((name) => {
      const naming = registry.metadataOf?.(name)?.scopeKey
      return naming !== undefined && scopeKeyFields(naming, location, 'KEY', scope) !== undefined
    })
    if (!usable.length)
      return 'install a provider that stores scope keys (e.g. floe providers add vault), then put with --provider'
    return `${put} --provider ${usable.includes('vault') ? 'vault' : usable[0]}`
  }
}
