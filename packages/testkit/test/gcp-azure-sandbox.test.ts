import { readFileSync } from 'node:fs'
import {
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  parseSecretRef,
} from '@floe/core'
import { describe, expect, it } from 'vitest'
import { provider as azureModule } from '../../provider-azure-key-vault/src/index.js'
import { provider as gcpModule } from '../../provider-gcp-secret-manager/src/index.js'
import { startSandbox } from '../src/sandbox/index.js'
import { azure } from '../src/sandbox/services/azure.js'
import { gcp } from '../src/sandbox/services/gcp.js'

const seedManifest = readFileSync(
  new URL('../../core/test/fixtures/seeds/002-gcp-secret-manager.yaml', import.meta.url),
  'utf8',
)
const azureSeedManifest = readFileSync(
  new URL('../../core/test/fixtures/seeds/002-azure-key-vault.yaml', import.meta.url),
  'utf8',
)

describe('floe-sandbox gcp and azure services', () => {
  it('seed 002 manifests resolve with nothing but the environment the sandbox prints', async () => {
    const sandbox = await startSandbox({
      ports: { gcp: 0, azure: 0 },
      seed: {
        gcp: {
          project: 'my-gcp-project',
          secrets: {
            'production-api-key': {
              versions: ['old', { value: 'current' }],
              labels: { team: 'data' },
            },
            'db-creds': { user: 'etl', password: 'pw' },
          },
        },
        azure: {
          secrets: {
            'storage-connection-string': 'AccountName=lake',
            off: { value: 'x', enabled: false },
          },
        },
      },
    })
    try {
      expect(Object.keys(sandbox.env).sort()).toEqual([
        'AZURE_AUTHORITY_HOST',
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'AZURE_TENANT_ID',
        'FLOE_AZURE_KEY_VAULT_URL',
        'FLOE_GCP_EMULATOR_TOKEN',
        'FLOE_GCP_SECRET_MANAGER_ENDPOINT',
        'GOOGLE_CLOUD_PROJECT',
        'METADATA_SERVER_DETECTION',
        'NODE_EXTRA_CA_CERTS',
      ])
      const env = { ...sandbox.env }
      const registry = createProviderRegistry({ modules: [gcpModule, azureModule] })
      const text = `${seedManifest}\n${azureSeedManifest.replace(/^secrets:\n/m, '')}`
      const manifest = await loadManifestFromString(text, { env, catalog: registry })
      // NODE_EXTRA_CA_CERTS only applies at process start: hand the same file to the client here
      const ca = readFileSync(env.NODE_EXTRA_CA_CERTS!, 'utf8')
      const resolver = createResolver({
        manifest,
        catalog: registry,
        env,
        providerOptions: { azure_key_vault: { tlsOptions: { ca } } },
      })
      try {
        const refs = [
          parseSecretRef('secret://api_key'),
          parseSecretRef('secret://storage_connection'),
        ]
        const report = await resolver.resolve(refs)
        expect(report.failures).toEqual([])
        expect(report.valueOf(refs[0]!)?.reveal()).toBe('current')
        expect(report.valueOf(refs[1]!)?.reveal()).toBe('AccountName=lake')
      } finally {
        await resolver.dispose()
      }
    } finally {
      await sandbox.close()
    }
  })

  it('rejects malformed seeds with the seed path in the message', async () => {
    await expect(
      gcp.start({ secrets: { s: { versions: [{ value: 'x', state: 'GONE' }] } } }, 0),
    ).rejects.toThrow('gcp.secrets["s"].versions[0].state must be ENABLED, DISABLED or DESTROYED')
    await expect(azure.start({ secrets: { bad_name: 'x' } }, 0)).rejects.toThrow(
      'azure.secrets["bad_name"]',
    )
  })
})
