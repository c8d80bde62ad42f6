import { Flags } from '@oclif/core'
import {
  declaredSecrets,
  listRemoteSecrets,
  remoteListProvider,
  type DeclaredSecretRow,
  type RemoteSecretRow,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { age, renderTable, useColor } from '../../lib/output.js'

type DeclaredRow = DeclaredSecretRow
type RemoteRow = RemoteSecretRow

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
      const secrets = declaredSecrets(manifest)
      const human = secrets.length
        ? renderTable(
            ['NAME', 'PROVIDER', 'KEYS', 'KIND'],
            secrets.map((s) => [s.name, s.provider, s.keys.join(',') || '-', s.kind]),
            color,
          )
        : 'No secrets declared in the manifest.'
      return { result: { secrets }, human }
    }

    const providerName = remoteListProvider(manifest, flags)
    const provider = await this.session.provider(providerName)
    const progress = this.progress(`Listing secrets at ${providerName}…`)
    let secrets: RemoteRow[]
    try {
      secrets = await listRemoteSecrets({
        manifest,
        providerName,
        provider,
        ctx: await this.session.providerContext(),
        ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
        ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
      })
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
