import { Flags } from '@oclif/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { runList, type ListResult } from '../../lib/list-run.js'

export default class SecretsList extends FloeCommand<ListResult> {
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

  protected async execute(): Promise<Outcome<ListResult>> {
    const { flags } = await this.parse(SecretsList)
    return runList(this.session, flags, (text) => this.progress(text))
  }
}
