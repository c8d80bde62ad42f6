import { z } from 'zod'

export const PROVIDER_NAME = 'azure_key_vault'

/** Key Vault object names: 1–127 letters, digits and dashes. */
export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/
/** Key Vault version ids: 32 lowercase hex characters. */
export const VERSION_ID = /^[0-9a-f]{32}$/

export const authSchema = z.discriminatedUnion('type', [
  /** system-assigned, or user-assigned with `client_id` (AKS Workload Identity uses `default`) */
  z.strictObject({ type: z.literal('managed_identity'), client_id: z.string().min(1).optional() }),
  /** app registration with a client secret — pass the values with ${env:…} */
  z.strictObject({
    type: z.literal('service_principal'),
    tenant_id: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
  }),
  /** the signed-in Azure CLI (`az login`) */
  z.strictObject({ type: z.literal('cli'), tenant_id: z.string().min(1).optional() }),
  /** DefaultAzureCredential: environment, workload identity, managed identity, CLI… in order */
  z.strictObject({ type: z.literal('default') }),
])

/** The provider's own fields of a `provider: azure_key_vault` secret. */
export const configSchema = z.strictObject({
  vault_url: z.url({
    protocol: /^https$/,
    error: 'vault_url must be an https:// URL such as https://my-vault.vault.azure.net',
  }),
  secret_name: z
    .string()
    .regex(SECRET_NAME, 'a Key Vault secret name: 1–127 letters, digits and "-"'),
  version: z
    .union([
      z.literal('latest'),
      z.string().regex(VERSION_ID, 'a version is "latest" or a 32-character version id'),
    ])
    .optional(),
  /** key names a JSON value is expected to carry */
  keys: z.array(z.string().min(1)).optional(),
  key: z.string().min(1).optional(),
  /** content type and tags set when floe writes a new version */
  content_type: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  /** Entra authority host (sovereign clouds, or a local emulator); also AZURE_AUTHORITY_HOST */
  authority_host: z.url({ protocol: /^https$/ }).optional(),
  auth: authSchema.optional(),
})

export type AzureSecretConfig = z.infer<typeof configSchema>
export type AzureAuthConfig = z.infer<typeof authSchema>
