import type { Role } from '@floe/core'
import {
  json,
  scopesWithGrants,
  secretsOf,
  stringOption,
  type CompileInput,
  type Compiled,
} from './shared.js'

export const AZURE_ROLES: Record<Role, string[]> = {
  reader: ['Key Vault Secrets User'],
  writer: ['Key Vault Secrets Officer'],
  manager: ['Key Vault Secrets Officer', 'Key Vault Data Access Administrator'],
}

function vaultName(vaultUrl: string): string {
  try {
    return new URL(vaultUrl).hostname.split('.')[0] ?? 'VAULT_NAME'
  } catch {
    return 'VAULT_NAME'
  }
}

/** Role assignments at secret scope, for `az role assignment create` or Terraform/Bicep. */
export function compileAzure({ manifest, model, options }: CompileInput): Compiled {
  const warnings: string[] = []
  const subscription = stringOption(options, 'subscription', 'SUBSCRIPTION_ID')
  const resourceGroup = stringOption(options, 'resource_group', 'RESOURCE_GROUP')
  const assignments: {
    scope: string
    roleDefinitionName: string
    principalId: string
    description: string
  }[] = []
  for (const { scope, byRole } of scopesWithGrants(model)) {
    const secrets = secretsOf(manifest, scope, 'azure_key_vault')
    for (const [role, grants] of byRole) {
      for (const g of grants) {
        if (g.principal.kind !== 'azure') {
          warnings.push(
            `${g.principal.text} is not an Entra object id (azure:<objectId>): left out`,
          )
          continue
        }
        for (const def of secrets) {
          const vault = vaultName(String(def.fields.vault_url))
          const resource = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault}/secrets/${String(def.fields.secret_name)}`
          for (const roleName of AZURE_ROLES[role]) {
            assignments.push({
              scope: resource,
              roleDefinitionName: roleName,
              principalId: g.principal.id,
              description: `floe scope ${scope.name} (${role})`,
            })
          }
        }
      }
    }
  }
  assignments.sort(
    (a, b) =>
      a.scope.localeCompare(b.scope) ||
      a.roleDefinitionName.localeCompare(b.roleDefinitionName) ||
      a.principalId.localeCompare(b.principalId),
  )
  return { files: [{ path: 'role-assignments.json', content: json(assignments) }], warnings }
}
