import { fileURLToPath } from 'node:url'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  startAzureKeyVaultEmulator,
} from '../../azure/index.js'
import type { SandboxService } from '../types.js'

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be a map`)
  return value as Record<string, unknown>
}

const certFile = fileURLToPath(new URL('../../../certs/test-cert.pem', import.meta.url))

/**
 * `secrets: { name: value }` where value is a string, `{ value, contentType, tags, enabled,
 * expires }`, or any other map (stored as JSON with contentType application/json).
 */
export const azure: SandboxService = {
  name: 'azure',
  description:
    'Azure Key Vault secrets + a Microsoft Entra token endpoint (HTTPS, test certificate)',
  defaultPort: 8443,
  async start(seed, port) {
    const config = asRecord(seed, 'azure')
    const emu = await startAzureKeyVaultEmulator({
      port,
      ...(typeof config.tenant_id === 'string' ? { tenantId: config.tenant_id } : {}),
    })
    try {
      const secrets = asRecord(config.secrets, 'azure.secrets')
      for (const [name, raw] of Object.entries(secrets)) {
        const where = `azure.secrets["${name}"]`
        if (!/^[0-9a-zA-Z-]{1,127}$/.test(name))
          throw new Error(`${where}: Key Vault names are 1–127 letters, digits and "-"`)
        if (typeof raw !== 'object' || raw === null) {
          emu.seed({ name, value: String(raw) })
          continue
        }
        const spec = asRecord(raw, where)
        if (typeof spec.value === 'string') {
          const rawExpires = spec.expires
          const expires =
            rawExpires instanceof Date
              ? rawExpires
              : typeof rawExpires === 'string' || typeof rawExpires === 'number'
                ? new Date(rawExpires)
                : undefined
          if (rawExpires !== undefined && !expires)
            throw new Error(`${where}.expires must be a date`)
          if (expires && Number.isNaN(expires.getTime()))
            throw new Error(`${where}.expires must be a date`)
          emu.seed({
            name,
            value: spec.value,
            ...(typeof spec.contentType === 'string' ? { contentType: spec.contentType } : {}),
            ...(spec.tags
              ? { tags: asRecord(spec.tags, `${where}.tags`) as Record<string, string> }
              : {}),
            ...(spec.enabled === false ? { enabled: false } : {}),
            ...(expires ? { expiresOn: expires } : {}),
          })
        } else {
          emu.seed({ name, value: JSON.stringify(spec), contentType: 'application/json' })
        }
      }
      const count = Object.keys(secrets).length
      return {
        url: emu.url,
        env: {
          FLOE_AZURE_KEY_VAULT_URL: emu.url,
          AZURE_AUTHORITY_HOST: emu.url,
          AZURE_TENANT_ID: emu.tenantId,
          AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
          AZURE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
          NODE_EXTRA_CA_CERTS: certFile,
        },
        notes: [
          `seeded ${count} secret${count === 1 ? '' : 's'}; vault and Entra authority at ${emu.url} (test CA: ${certFile})`,
          'floe: FLOE_AZURE_KEY_VAULT_URL sends every azure_key_vault definition here, as the AZURE_* service principal',
          `TOKEN=$(curl -s --cacert ${certFile} -d grant_type=client_credentials -d client_id=$AZURE_CLIENT_ID -d client_secret=$AZURE_CLIENT_SECRET -d scope=https://vault.azure.net/.default ${emu.url}/${emu.tenantId}/oauth2/v2.0/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
          `curl -s --cacert ${certFile} -H "Authorization: Bearer $TOKEN" '${emu.url}/secrets?api-version=7.5'`,
          'az keyvault only accepts *.vault.azure.net URLs: use curl or the SDKs (with NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE)',
        ],
        close: () => emu.close(),
      }
    } catch (error) {
      await emu.close()
      throw error
    }
  },
}
