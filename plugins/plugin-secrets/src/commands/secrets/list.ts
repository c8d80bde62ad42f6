import { Flags } from '@oclif/core'
import { UsageError, UnsupportedError } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { age, renderTable, useColor } from '../../lib/output.js'

interface DeclaredRow {
  name: string
  provider: string
  keys: string[]
  kind: 'static' | 'dynamic'
  group?: string
}

interface RemoteRow {
  name: string
  type?: string
  keys?: number
  createdAt?: string
}

export default class SecretsList extends FloeCommand<
  { secrets: DeclaredRow[] } | { provider: string; secrets: RemoteRow[] }
> {
  static override summary = 'List declared secrets (names, providers, keys — never values)'
  static override description =
    'Without --remote, lists the secrets the manifest declares. With --remote, asks the provider for the names it holds (optionally under a namespace or prefix).'
  static override examples = [
    '<%= config.bin %> secrets list',
    '<%= config.bin %> secrets list --json',
    '<%= config.bin %> secrets list --remote --provider kubernetes --namespace floe-jobs',
    '<%= config.bin %> secrets list --remote --provider aws_parameter_store --prefix /production/',
  ]
  static override flags = {
    remote: Flags.boolean({
      description: 'list names held by the provider instead of the manifest',
    }),
    provider: Flags.string({
      description:
        'provider to list with --remote (default: the only one used, or _config.default_provider)',
    }),
    namespace: Flags.string({
      description: 'namespace / folder to list (Kubernetes namespace, Vault path, …)',
    }),
    prefix: Flags.string({ description: 'only names starting with this prefix' }),
  }

  protected async execute(): Promise<
    Outcome<{ secrets: DeclaredRow[] } | { provider: string; secrets: RemoteRow[] }>
  > {
    const { flags } = await this.parse(SecretsList)
    const manifest = await this.session.manifest()
    const color = useColor()

    if (!flags.remote) {
      const secrets: DeclaredRow[] = Object.values(manifest.secrets).map((def) => ({
        name: def.name,
        provider: def.provider,
        keys: def.keys ?? [],
        kind: def.kind,
        ...(def.group ? { group: def.group } : {}),
      }))
      const human = secrets.length
        ? renderTable(
            ['NAME', 'PROVIDER', 'KEYS', 'KIND'],
            secrets.map((s) => [
              s.name,
              s.provider,
              s.keys.length ? s.keys.join(',') : '-',
              s.kind,
            ]),
            color,
          )
        : 'No secrets declared in the manifest.'
      return { result: { secrets }, human }
    }

    const used = [...new Set(Object.values(manifest.secrets).map((d) => d.provider))]
    const providerName =
      flags.provider ?? (used.length === 1 ? used[0] : manifest.config.defaultProvider)
    if (!providerName) {
      throw new UsageError(
        `--remote needs --provider: the manifest uses ${used.join(', ') || 'no provider'}`,
        {
          hint: `e.g. floe secrets list --remote --provider ${used[0] ?? 'kubernetes'}`,
        },
      )
    }
    const provider = await this.session.provider(providerName)
    if (!provider.list) {
      throw new UnsupportedError(`provider "${providerName}" cannot list secrets`, {
        provider: providerName,
      })
    }
    // Connection settings (region, address, project…) come from the first definition using it.
    const sample = Object.values(manifest.secrets).find((d) => d.provider === providerName)
    const progress = this.progress(`Listing secrets at ${providerName}…`)
    const secrets: RemoteRow[] = []
    try {
      for await (const item of provider.list(
        { prefix: flags.prefix, namespace: flags.namespace, config: sample?.fields },
        await this.session.providerContext(),
      )) {
        secrets.push({
          name: item.name,
          ...(item.type ? { type: item.type } : {}),
          ...(item.keys !== undefined ? { keys: item.keys } : {}),
          ...(item.createdAt ? { createdAt: item.createdAt.toISOString() } : {}),
        })
      }
    } finally {
      progress.stop()
    }
    const human = secrets.length
      ? renderTable(
          ['NAME', 'TYPE', 'AGE'],
          secrets.map((s) => [s.name, s.type ?? '-', age(s.createdAt)]),
          color,
        )
      : `No secrets found at ${providerName}${flags.namespace ? ` in ${flags.namespace}` : ''}.`
    return { result: { provider: providerName, secrets }, human }
  }
}
