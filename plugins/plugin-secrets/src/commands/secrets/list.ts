import { Flags } from '@oclif/core'
import { UsageError, UnsupportedError, usesCluster, type LoadedManifest } from '@floe/core'
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
    'Without --remote, lists the secrets the manifest declares. With --remote (implied by --namespace), asks the provider for the names it holds (optionally under a namespace or prefix). --namespace alone lists the Kubernetes Secrets of that namespace when the manifest runs through a cluster (plugins.secrets.type k8s or external-secrets) or uses the kubernetes provider. Secrets the manifest declares come first, in manifest order; the rest follow by name.'
  static override examples = [
    '<%= config.bin %> secrets list',
    '<%= config.bin %> secrets list --json',
    '<%= config.bin %> secrets list --namespace=floe-jobs',
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
      description:
        'namespace / folder to list (Kubernetes namespace, Vault path, …); implies --remote',
    }),
    prefix: Flags.string({ description: 'only names starting with this prefix' }),
  }

  protected async execute(): Promise<
    Outcome<{ secrets: DeclaredRow[] } | { provider: string; secrets: RemoteRow[] }>
  > {
    const { flags } = await this.parse(SecretsList)
    const manifest = await this.session.manifest()
    const color = useColor()

    if (!flags.remote && flags.namespace === undefined) {
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
      flags.provider ??
      (flags.namespace !== undefined && runsOnKubernetes(manifest, used)
        ? 'kubernetes'
        : used.length === 1
          ? used[0]
          : manifest.config.defaultProvider)
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
    sortDeclaredFirst(secrets, Object.keys(manifest.secrets))
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

/** A namespace is a Kubernetes namespace when the manifest's secrets end up in a cluster. */
function runsOnKubernetes(manifest: LoadedManifest, used: string[]): boolean {
  return usesCluster(manifest) || used.includes('kubernetes')
}

/** Declared names first in manifest order (what the team reads top to bottom), then by name. */
function sortDeclaredFirst(rows: RemoteRow[], declared: string[]): void {
  const rank = new Map(declared.map((name, i) => [name, i]))
  rows.sort((a, b) => {
    const ra = rank.get(a.name) ?? Infinity
    const rb = rank.get(b.name) ?? Infinity
    return ra !== rb ? ra - rb : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  })
}
