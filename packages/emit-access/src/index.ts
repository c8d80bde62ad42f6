import { buildAccessModel, UsageError, type EmitterModule } from '@floe/core'
import { compileAws } from './aws.js'
import { compileAzure } from './azure.js'
import { compileGcp } from './gcp.js'
import { compileKubernetes } from './kubernetes.js'
import type { CompileInput, Compiled } from './shared.js'
import { compileVault } from './vault.js'

export { compileAws, compileAzure, compileGcp, compileKubernetes, compileVault }
export {
  compileKubernetesObjects,
  kubernetesSecretNames,
  rulesFor as kubernetesRulesFor,
} from './kubernetes.js'
export { policyName } from './shared.js'
export type { CompileInput, Compiled }

export const TARGETS: Record<string, (input: CompileInput) => Compiled | Promise<Compiled>> = {
  vault: compileVault,
  kubernetes: compileKubernetes,
  aws: compileAws,
  gcp: compileGcp,
  azure: compileAzure,
}

/** `floe secrets access emit --target T` (`floe secrets emit access --option target=T`). */
export const emitter: EmitterModule = {
  name: 'access',
  packageName: '@floe/emit-access',
  options: {
    target: 'vault | kubernetes | aws | gcp | azure',
    format: 'kubernetes: yaml | json',
    namespace: 'kubernetes: namespace for scopes that name none',
    kubernetes_mount: 'vault: the Kubernetes auth mount (default kubernetes)',
    partition: 'aws: ARN partition (default aws)',
    region: 'aws: region in the ARNs (default *)',
    account: 'aws: account id in the ARNs (default *)',
    project: 'gcp: project id',
    subscription: 'azure: subscription id',
    resource_group: 'azure: resource group',
  },
  async emit({ manifest, options }) {
    const target = typeof options.target === 'string' ? options.target : ''
    const compile = TARGETS[target]
    if (!compile)
      throw new UsageError(`unknown access target "${target}"`, {
        hint: `one of: ${Object.keys(TARGETS).join(', ')}`,
      })
    const model = await buildAccessModel(manifest)
    if (!model.enabled)
      throw new UsageError('the manifest declares no scopes: or access: to compile')
    const { files, warnings } = await compile({ manifest, model, options })
    return {
      files: files.map((f) => ({ path: `${target}/${f.path}`, content: f.content })),
      warnings,
    }
  },
}
export default emitter
