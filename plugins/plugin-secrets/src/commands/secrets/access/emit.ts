import { Flags } from '@oclif/core'
import SecretsEmit from '../emit.js'

/** `floe secrets access emit --target T` = `floe secrets emit access --option target=T`. */
export default class SecretsAccessEmit extends SecretsEmit {
  static override summary = "Compile scopes and grants to a backend's own access control"
  static override description = `Vault: one HCL policy per (scope, role) plus auth-role bindings. Kubernetes: Role + RoleBinding per (scope, role) with resourceNames. AWS: IAM policy documents (ARNs or the floe:scope tag). GCP: IAM bindings. Azure: role assignments at secret scope. Output is deterministic; dispatched to @floe/emit-access.`
  static override examples = [
    '<%= config.bin %> secrets access emit --target vault -o policies/',
    '<%= config.bin %> secrets access emit --target kubernetes > rbac.yaml',
    '<%= config.bin %> secrets access emit --target aws --option account=123456789012 --option region=us-east-1',
  ]
  static override args = {}
  static override flags = {
    ...SecretsEmit.flags,
    target: Flags.string({
      description: 'backend',
      required: true,
      options: ['vault', 'kubernetes', 'aws', 'gcp', 'azure'],
    }),
    format: Flags.string({
      description: 'output format (default: natural for the target)',
      options: ['json', 'yaml', 'hcl'],
    }),
  }

  protected override async emitArguments(): Promise<{ target: string; options: string[] }> {
    const { flags } = await this.parse(SecretsAccessEmit)
    return {
      target: 'access',
      options: [
        ...(flags.option ?? []),
        `target=${flags.target}`,
        ...(flags.format ? [`format=${flags.format}`] : []),
      ],
    }
  }
}
