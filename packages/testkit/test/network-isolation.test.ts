/**
 * While the GCP and Azure providers run end to end (own SDK clients built from manifest
 * fields, the Entra token flow, the resolver with backoff, the seed 002 examples), every socket
 * the process opens is recorded: all of them must go to 127.0.0.1. A metadata-server probe
 * (169.254.169.254), login.microsoftonline.com or *.googleapis.com would fail this test.
 *
 * The providers are imported from their sources by path: @floe/testkit cannot depend on them
 * (they depend on it for their own tests).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { ClientSecretCredential } from '@azure/identity'
import {
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  parseSecretRef,
} from '@floe/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provider as azureModule } from '../../provider-azure-key-vault/src/index.js'
import { provider as gcpModule } from '../../provider-gcp-secret-manager/src/index.js'
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  startAzureKeyVaultEmulator,
  startGcpSecretManagerEmulator,
  testCertificate,
  type AzureKeyVaultEmulator,
  type GcpSecretManagerEmulator,
} from '../src/index.js'

interface Attempt {
  host?: string
  port?: number
  path?: string
  remote?: string
}

const attempts: Attempt[] = []
const originalConnect = net.Socket.prototype.connect
const socketChannel = 'net.client.socket'
const onSocket = (message: unknown) => {
  const socket = (message as { socket?: net.Socket }).socket
  socket?.once('connect', () => attempts.push({ remote: socket.remoteAddress }))
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return true // not an IP connection (e.g. a unix socket)
  return /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/.test(address)
}

function startRecording(): void {
  // every TCP/TLS/HTTP2 client socket (http, https, grpc-js) goes through Socket#connect
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalized arguments as one array: [options, callback]
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args
    if (first && typeof first === 'object') {
      const o = first as { host?: string; port?: number; path?: string }
      attempts.push({
        ...(o.host ? { host: o.host } : {}),
        ...(o.port ? { port: Number(o.port) } : {}),
        ...(o.path ? { path: o.path } : {}),
      })
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      attempts.push({
        port: Number(first),
        host: typeof second === 'string' ? second : 'localhost',
      })
    } else if (typeof first === 'string') {
      attempts.push({ path: first })
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args)
  }
  subscribe(socketChannel, onSocket)
}

function stopRecording(): void {
  net.Socket.prototype.connect = originalConnect
  unsubscribe(socketChannel, onSocket)
}

const tlsOptions = { ca: testCertificate().ca }
const seedFile = (name: string) =>
  readFileSync(
    fileURLToPath(new URL(`../../core/test/fixtures/seeds/${name}`, import.meta.url)),
    'utf8',
  )

let gcp: GcpSecretManagerEmulator
let azure: AzureKeyVaultEmulator
const savedMetadataDetection = process.env.METADATA_SERVER_DETECTION

beforeAll(async () => {
  // prove the providers themselves avoid the metadata server, not the test environment
  delete process.env.METADATA_SERVER_DETECTION
  gcp = await startGcpSecretManagerEmulator()
  azure = await startAzureKeyVaultEmulator()
  startRecording()
})

afterAll(async () => {
  stopRecording()
  if (savedMetadataDetection !== undefined)
    process.env.METADATA_SERVER_DETECTION = savedMetadataDetection
  await gcp.close()
  await azure.close()
})

const registry = () => createProviderRegistry({ modules: [gcpModule, azureModule] })

describe('GCP + Azure end to end with no network but 127.0.0.1', () => {
  it('a manifest using both providers loads, resolves through the resolver with backoff, and describes', async () => {
    gcp.seed({
      project: 'analytics',
      secret: 'bq-service-key',
      versions: ['{"client_email":"etl@x","private_key":"pk-1"}'],
    })
    azure.seed({ name: 'storage-connection-string', value: 'AccountName=lake;AccountKey=k1' })
    const env = {
      GCP_SM: gcp.url,
      VAULT: azure.url,
      AZURE_TENANT_ID: azure.tenantId,
      AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
      AZURE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
    }
    const manifest = await loadManifestFromString(
      `
secrets:
  bigquery:
    provider: gcp_secret_manager
    project: analytics
    secret: bq-service-key
    endpoint: \${GCP_SM}
    keys: [client_email, private_key]
    auth:
      type: workload_identity
  lake:
    provider: azure_key_vault
    vault_url: \${VAULT}
    secret_name: storage-connection-string
    authority_host: \${VAULT}
    auth:
      type: service_principal
      tenant_id: \${env:AZURE_TENANT_ID}
      client_id: \${env:AZURE_CLIENT_ID}
      client_secret: \${env:AZURE_CLIENT_SECRET}
env:
  BQ_KEY: secret://bigquery/private_key
  LAKE: secret://lake
`,
      { env, catalog: registry() },
    )
    expect(Object.keys(manifest.secrets).sort()).toEqual(['bigquery', 'lake'])

    // one throttle on each backend: the resolver must back off and retry
    gcp.faults.add({ operation: 'AccessSecretVersion', kind: 'throttle', times: 1 })
    azure.faults.add({ operation: 'GetSecret', kind: 'throttle', times: 1, retryAfterSeconds: 3 })
    const sleeps: number[] = []
    const resolver = createResolver({
      manifest,
      catalog: registry(),
      env,
      providerOptions: { azure_key_vault: { tlsOptions } },
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    })
    try {
      const { env: resolved, report } = await resolver.resolveEnv(manifest.env)
      expect(report.failures).toEqual([])
      expect(resolved.BQ_KEY?.reveal()).toBe('pk-1')
      expect(resolved.LAKE?.reveal()).toBe('AccountName=lake;AccountKey=k1')
      expect(gcp.calls.count('AccessSecretVersion')).toBe(2)
      expect(azure.calls.count('GetSecret')).toBe(2)
      expect(resolver.stats.retries).toBe(2)
      // Key Vault's Retry-After: 3 is a floor for the backoff
      expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(3000)

      const described = await resolver.describe(['bigquery', 'lake'])
      expect(described.map((d) => [d.secret, d.metadata?.exists, d.error?.code])).toEqual([
        ['bigquery', true, undefined],
        ['lake', true, undefined],
      ])
    } finally {
      await resolver.dispose()
    }
  })

  it('the seed 002 GCP and Azure examples load and resolve against the emulators (endpoint overrides)', async () => {
    gcp.seed({ project: 'my-gcp-project', secret: 'production-api-key', versions: ['api-key-v1'] })
    azure.seed({ name: 'storage-connection-string', value: 'seed-002-connection' })
    const text = `${seedFile('002-gcp-secret-manager.yaml')}\n${seedFile('002-azure-key-vault.yaml').replace(/^secrets:\n/m, '')}`
    const manifest = await loadManifestFromString(text, { env: {}, catalog: registry() })
    // the seed's managed identity cannot exist here: stand in a service principal of the emulator
    const credential = new ClientSecretCredential(
      azure.tenantId,
      DEFAULT_CLIENT_ID,
      DEFAULT_CLIENT_SECRET,
      {
        authorityHost: azure.url,
        disableInstanceDiscovery: true,
        tlsOptions,
      },
    )
    const resolver = createResolver({
      manifest,
      catalog: registry(),
      env: {},
      providerOptions: {
        gcp_secret_manager: { endpoint: gcp.url },
        azure_key_vault: { vaultUrl: azure.url, credential, tlsOptions },
      },
    })
    try {
      const refs = [
        parseSecretRef('secret://api_key'),
        parseSecretRef('secret://storage_connection'),
      ]
      const report = await resolver.resolve(refs)
      expect(report.failures).toEqual([])
      expect(report.valueOf(refs[0]!)?.reveal()).toBe('api-key-v1')
      expect(report.valueOf(refs[1]!)?.reveal()).toBe('seed-002-connection')
    } finally {
      await resolver.dispose()
    }
  })

  it('every socket opened during these tests went to 127.0.0.1 (and some were opened)', () => {
    const ports = new Set(attempts.map((a) => a.port).filter(Boolean))
    expect(ports.has(gcp.port)).toBe(true)
    expect(ports.has(azure.port)).toBe(true)
    const outside = attempts.filter((a) => !isLoopback(a.host) || !isLoopback(a.remote))
    expect(outside).toEqual([])
  })

  it('the loopback check itself rejects the addresses a leak would use', () => {
    for (const address of [
      '169.254.169.254',
      '10.0.0.1',
      'login.microsoftonline.com',
      'secretmanager.googleapis.com',
      '2001:db8::1',
    ]) {
      expect(isLoopback(address)).toBe(false)
    }
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost'])
      expect(isLoopback(address)).toBe(true)
  })
})
