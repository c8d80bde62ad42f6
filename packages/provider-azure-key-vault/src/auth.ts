import type { TokenCredential } from '@azure/identity'
import { tokenRequestOptions } from './timeout.js'
import type { AzureAuthConfig } from './validate.js'

/** Authority hosts of the public and sovereign clouds: instance discovery works for these. */
const KNOWN_AUTHORITY_HOSTS = [
  'https://login.microsoftonline.com',
  'https://login.microsoftonline.us',
  'https://login.chinacloudapi.cn',
]

/** Vault domains whose challenge `resource` the SDK can verify. Others (emulators, private DNS) cannot. */
const KNOWN_VAULT_SUFFIXES = [
  '.vault.azure.net',
  '.vault.azure.cn',
  '.vault.usgovcloudapi.net',
  '.vault.microsoftazure.de',
]

export interface CredentialOptions {
  authorityHost?: string
  tlsOptions?: { ca?: string | Buffer }
  /** timeout of each identity request, and of each `az` run (0 = none) */
  timeoutMs: number
}

export function isKnownVaultHost(vaultUrl: string): boolean {
  const host = new URL(vaultUrl).hostname
  return KNOWN_VAULT_SUFFIXES.some((suffix) => host.endsWith(suffix))
}

/**
 * Builds an @azure/identity credential for a definition (imported lazily). A custom authority
 * host (a private cloud, or the testkit emulator) disables instance discovery: otherwise MSAL
 * asks https://login.microsoft.com to validate the authority before any token request.
 */
export async function createCredential(
  auth: AzureAuthConfig | undefined,
  options: CredentialOptions,
): Promise<TokenCredential> {
  const identity = await import('@azure/identity')
  const authorityHost = options.authorityHost?.replace(/\/+$/, '')
  const requests = tokenRequestOptions(options.timeoutMs)
  // AzureCliCredential runs `az` with no time limit of its own
  const processes = options.timeoutMs > 0 ? { processTimeoutInMs: options.timeoutMs } : {}
  const common = {
    ...requests,
    ...(authorityHost ? { authorityHost } : {}),
    ...(authorityHost && !KNOWN_AUTHORITY_HOSTS.includes(authorityHost)
      ? { disableInstanceDiscovery: true }
      : {}),
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
  }
  switch (auth?.type) {
    case 'service_principal':
      return new identity.ClientSecretCredential(
        auth.tenant_id,
        auth.client_id,
        auth.client_secret,
        common,
      )
    case 'managed_identity':
      return new identity.ManagedIdentityCredential({
        ...requests,
        ...(auth.client_id ? { clientId: auth.client_id } : {}),
      })
    case 'cli':
      return new identity.AzureCliCredential({
        ...processes,
        ...(auth.tenant_id ? { tenantId: auth.tenant_id } : {}),
      })
    default:
      return new identity.DefaultAzureCredential({ ...common, ...processes })
  }
}
