/**
 * The real `floe` CLI (built: apps/floe/bin/run.cjs) in a team project that installs both cloud
 * providers, against the GCP and Azure emulators: get, validate, list --remote, rotate, status.
 * The child process reaches the emulators through manifest fields + the Azure test CA given as
 * NODE_EXTRA_CA_CERTS — exactly what a user of floe-sandbox does.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  startAzureKeyVaultEmulator,
  startGcpSecretManagerEmulator,
  type AzureKeyVaultEmulator,
  type GcpSecretManagerEmulator,
} from '@floe/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assertBuilt,
  makeProject,
  parseJson,
  repoRoot,
  runFloe,
  type FixtureProject,
} from '../../../apps/floe/test/helpers.js'

const caFile = fileURLToPath(new URL('../../testkit/certs/test-cert.pem', import.meta.url))

let gcp: GcpSecretManagerEmulator
let azure: AzureKeyVaultEmulator
let project: FixtureProject
let env: Record<string, string>

beforeAll(async () => {
  assertBuilt()
  for (const pkg of ['provider-gcp-secret-manager', 'provider-azure-key-vault']) {
    if (!existsSync(join(repoRoot, 'packages', pkg, 'dist/index.js')))
      throw new Error(`build packages/${pkg} first (pnpm build)`)
  }
  gcp = await startGcpSecretManagerEmulator()
  azure = await startAzureKeyVaultEmulator()
  gcp.seed({
    project: 'analytics',
    secret: 'bq-service-key',
    versions: ['{"client_email":"etl@analytics","private_key":"pk-1"}'],
  })
  gcp.seed({ project: 'analytics', secret: 'dbt-token', versions: ['tok-1'] })
  azure.seed({ name: 'storage-connection-string', value: 'AccountName=lake;AccountKey=k1' })
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@oclif/core': 'apps/floe/node_modules/@oclif/core',
    '@floe/core': 'packages/core',
    zod: 'packages/core/node_modules/zod',
    '@floe/provider-gcp-secret-manager': 'packages/provider-gcp-secret-manager',
    '@floe/provider-azure-key-vault': 'packages/provider-azure-key-vault',
  })
  project.write(
    'floe.yaml',
    `secrets:
  bigquery:
    provider: gcp_secret_manager
    project: analytics
    secret: bq-service-key
    endpoint: \${GCP_ENDPOINT}
    keys: [client_email, private_key]
  dbt_token:
    provider: gcp_secret_manager
    project: analytics
    secret: dbt-token
    endpoint: \${GCP_ENDPOINT}
  lake:
    provider: azure_key_vault
    vault_url: \${VAULT_URL}
    secret_name: storage-connection-string
    authority_host: \${VAULT_URL}
    auth:
      type: service_principal
      tenant_id: \${env:AZURE_TENANT_ID}
      client_id: \${env:AZURE_CLIENT_ID}
      client_secret: \${env:AZURE_CLIENT_SECRET}
env:
  BQ_KEY: secret://bigquery/private_key
  LAKE: secret://lake
`,
  )
  env = {
    GCP_ENDPOINT: gcp.url,
    VAULT_URL: azure.url,
    AZURE_TENANT_ID: azure.tenantId,
    AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
    AZURE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
    NODE_EXTRA_CA_CERTS: caFile,
  }
})

afterAll(async () => {
  await gcp?.close()
  await azure?.close()
})

const floe = (args: string[]) => runFloe(args, { cwd: project.dir, env })

describe(
  'floe CLI with GCP Secret Manager and Azure Key Vault (emulators)',
  { timeout: 120_000 },
  () => {
    it('get resolves from both providers', async () => {
      const bq = await floe(['secrets', 'get', 'secret://bigquery/private_key', '--reveal'])
      expect(bq.stderr).toBe('')
      expect(bq.stdout.trim()).toBe('pk-1')
      const lake = await floe(['secrets', 'get', 'lake', '--reveal'])
      expect(lake.stdout.trim()).toBe('AccountName=lake;AccountKey=k1')
    })

    it('validate checks both live and prints no value', async () => {
      const result = await floe(['secrets', 'validate', '--json'])
      expect(result.code, result.stdout + result.stderr).toBe(0)
      expect(parseJson(result.stdout).status).toBe('ok')
      expect(gcp.calls.count('GetSecret')).toBeGreaterThan(0)
      expect(azure.calls.count('GetSecretVersions')).toBeGreaterThan(0)
      // validate may read values to check keys; it must never print them
      expect(result.stdout).not.toContain('pk-1')
      expect(result.stdout).not.toContain('AccountKey=k1')
    })

    it('list --remote lists names at each provider', async () => {
      const gcpList = await floe([
        'secrets',
        'list',
        '--remote',
        '--provider',
        'gcp_secret_manager',
        '--json',
      ])
      expect(gcpList.code, gcpList.stderr).toBe(0)
      expect(JSON.stringify(parseJson(gcpList.stdout).result)).toContain('bq-service-key')
      const azureList = await floe([
        'secrets',
        'list',
        '--remote',
        '--provider',
        'azure_key_vault',
        '--json',
      ])
      expect(azureList.code, azureList.stderr).toBe(0)
      expect(JSON.stringify(parseJson(azureList.stdout).result)).toContain(
        'storage-connection-string',
      )
    })

    it('rotate writes a new version at each provider, then get reads it', async () => {
      // --value-file trips an oclif flag rule in the rotate command (reported); --generate works
      const rotated = await floe(['secrets', 'rotate', 'dbt_token', '--generate'])
      expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0)
      const fresh = (await floe(['secrets', 'get', 'dbt_token', '--reveal'])).stdout.trim()
      expect(fresh).toHaveLength(32)
      expect(fresh).not.toBe('tok-1')
      expect(rotated.stdout + rotated.stderr).not.toContain(fresh)
      expect(gcp.calls.count('AddSecretVersion')).toBe(1)

      const rotatedLake = await floe(['secrets', 'rotate', 'lake', '--generate'])
      expect(rotatedLake.code, rotatedLake.stdout + rotatedLake.stderr).toBe(0)
      const lake = (await floe(['secrets', 'get', 'lake', '--reveal'])).stdout.trim()
      expect(lake).toHaveLength(32)
      expect(azure.versions('storage-connection-string')).toHaveLength(2)
    })

    it('rotate whose answer is lost: exit 0 with the version read back when it landed, exit 3 saying nothing changed when not; both audited', async () => {
      gcp.seed({ project: 'analytics', secret: 'lost-token', versions: ['t-1'] })
      project.write(
        'lost.yaml',
        `secrets:
  _config:
    audit: { enabled: true, path: lost-audit.jsonl }
  token:
    provider: gcp_secret_manager
    project: analytics
    secret: lost-token
    endpoint: \${GCP_ENDPOINT}
`,
      )
      const rotate = () => floe(['secrets', 'rotate', 'token', '--generate', '-m', 'lost.yaml'])
      const audited = () =>
        readFileSync(join(project.dir, 'lost-audit.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((entry) => entry.action === 'rotate')

      gcp.faults.add({ operation: 'AddSecretVersion', kind: 'reset', afterApply: true, times: 1 })
      const landed = await rotate()
      expect(landed.code, landed.stdout + landed.stderr).toBe(0)
      expect(landed.stderr).toMatch(
        /the answer to AddSecretVersion was lost \(.+\); read back: it landed as version 2/,
      )
      expect(landed.stdout).toContain('Rotation complete.')
      expect(audited().at(-1)).toMatchObject({
        outcome: 'ok',
        detail: expect.stringMatching(
          /^version 2; the answer to AddSecretVersion was lost .*landed as version 2$/,
        ),
      })

      // the read-back compared the payload: neither the value nor a part of it is printed
      const fresh = (
        await floe(['secrets', 'get', 'token', '--reveal', '-m', 'lost.yaml'])
      ).stdout.trim()
      expect(fresh).toHaveLength(32)
      expect(landed.stdout + landed.stderr).not.toContain(fresh)
      expect(readFileSync(join(project.dir, 'lost-audit.jsonl'), 'utf8')).not.toContain(fresh)

      gcp.faults.add({ operation: 'AddSecretVersion', kind: 'reset', times: 1 })
      const lost = await rotate()
      expect(lost.code, lost.stdout + lost.stderr).toBe(3)
      expect(lost.stderr).toContain('did not land: secret "token" did not change (still version 2)')
      expect(audited().at(-1)).toMatchObject({
        outcome: 'UNAVAILABLE',
        detail: 'did not land (read back)',
      })
      // one version per rotate that landed: nothing was resent
      expect(gcp.versionState('projects/analytics/secrets/lost-token', 2)).toBe('ENABLED')
      expect(gcp.versionState('projects/analytics/secrets/lost-token', 3)).toBeUndefined()
    })
  },
)
