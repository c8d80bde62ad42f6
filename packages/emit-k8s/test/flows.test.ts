/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into arbitrary API objects */
/**
 * The ADR-0023 operator flows end to end at library level: emit → apply to the Kubernetes
 * emulator → the ESO test controller syncs from a source → `list`, `status`, `rotate
 * --restart-deployments` and `validate` (one missing ref) through @floe/provider-kubernetes,
 * all over real @kubernetes/client-node calls on 127.0.0.1.
 */
import { fetchAll, SecretValue, type LoadedManifest, type Logger } from '@floe/core'
import { createMemoryProvider, type MemoryProvider } from '@floe/core/testing'
import {
  createKubernetesProvider,
  createRotationHook,
  externalSecretStatuses,
  kubernetesNameOf,
  kubernetesSection,
  validateInCluster,
} from '@floe/provider-kubernetes'
import {
  startEsoController,
  startKubernetesEmulator,
  testCertificate,
  type EsoController,
  type KubernetesEmulator,
} from '@floe/testkit'
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildKubernetesObjects, type K8sObject } from '../src/index.js'
import { load } from './manifests.js'

const FLOW_MANIFEST = `
plugins:
  secrets:
    type: external-secrets
    config:
      store: aws-secrets-manager
      region: us-east-1
  compute:
    type: snowflake
    connection_secret_ref: snowflake-credentials
  catalog:
    type: polaris
    config:
      client_secret_ref: catalog-credentials
ingestion:
  pipelines:
    - name: salesforce-sync
      source:
        type: salesforce
        secret_refs:
          client_id: salesforce-credentials
          client_secret: salesforce-credentials
secrets:
  snowflake-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/snowflake
    keys: [account, user, password]
  catalog-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/catalog
    keys: [client_id, client_secret]
  salesforce-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/salesforce
    keys: [client_id, client_secret]
env:
  SNOWFLAKE_ACCOUNT: secret://snowflake-credentials/account
  SNOWFLAKE_USER: secret://snowflake-credentials/user
  SNOWFLAKE_PASSWORD: secret://snowflake-credentials/password
kubernetes:
  namespace: floe-jobs
  workloads:
    - kind: Deployment
      name: dagster-daemon
      containers: [daemon]
      secrets: [snowflake-credentials]
`

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
const ctx = { env: {}, cwd: process.cwd(), logger }

let kube: KubernetesEmulator
let kubeConfig: KubeConfig
let source: MemoryProvider
let eso: EsoController | undefined
let manifest: LoadedManifest

function kubeConfigFor(emulator: KubernetesEmulator): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [
      {
        name: 'emulator',
        server: emulator.url,
        caData: Buffer.from(testCertificate().ca).toString('base64'),
      },
    ],
    users: [{ name: 'floe', token: emulator.token }],
    contexts: [{ name: 'floe', cluster: 'emulator', user: 'floe', namespace: 'floe-jobs' }],
    currentContext: 'floe',
  })
  return kc
}

/** the remote store ESO reads: the "AWS Secrets Manager" the manifest points at */
function startEso(): EsoController {
  return startEsoController({
    kube,
    intervalMs: 20,
    sources: {
      'aws-secrets-manager': async (ref) => {
        const [outcome] = await fetchAll(
          source,
          [{ secret: ref.key, config: { id: ref.key } }],
          ctx,
        )
        return outcome?.ok ? outcome.secret.value.reveal() : undefined
      },
    },
  })
}

beforeEach(async () => {
  kube = await startKubernetesEmulator({
    tls: true,
    seed: { namespaces: ['floe-jobs', 'external-secrets'] },
  })
  kubeConfig = kubeConfigFor(kube)
  source = createMemoryProvider({
    name: 'aws_secrets_manager',
    data: {
      'floe/prod/snowflake': {
        account: 'xy12345.us-east-1',
        user: 'dbt_user',
        password: 'first-password',
      },
      'floe/prod/catalog': { client_id: 'polaris', client_secret: 'catalog-secret' },
    },
  })
  manifest = await load(FLOW_MANIFEST)
  // the workload exists in the cluster; floe's patch wires the secret into it, as kubectl patch would
  kube.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'dagster-daemon', namespace: 'floe-jobs' },
    spec: {
      selector: { matchLabels: { app: 'dagster-daemon' } },
      template: {
        metadata: { labels: { app: 'dagster-daemon' } },
        spec: { containers: [{ name: 'daemon', image: 'dagster/dagster:1' }] },
      },
    },
  })
  const emission = await buildKubernetesObjects(manifest)
  for (const object of emission.objects) kube.put(object)
  const apps = kubeConfig.makeApiClient(AppsV1Api)
  for (const patch of emission.patches)
    await apps.patchNamespacedDeployment(
      { name: patch.metadata.name, namespace: 'floe-jobs', body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    )
  eso = startEso()
  await eso.reconcileNow()
})

afterEach(async () => {
  await eso?.close()
  eso = undefined
  await kube.close()
})

describe('ADR flows against the emulator', () => {
  it('emitted patch wired the Deployment; ESO synced the targets', () => {
    const deployment = kube.get(
      'apps/v1',
      'Deployment',
      'floe-jobs',
      'dagster-daemon',
    ) as K8sObject & Record<string, any>
    expect(deployment.metadata.annotations).toEqual({ 'reloader.stakater.com/auto': 'true' })
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      name: 'daemon',
      image: 'dagster/dagster:1',
      envFrom: [{ secretRef: { name: 'snowflake-credentials' } }],
    })
    expect(kube.secretData('floe-jobs', 'snowflake-credentials')).toEqual({
      SNOWFLAKE_ACCOUNT: 'xy12345.us-east-1',
      SNOWFLAKE_USER: 'dbt_user',
      SNOWFLAKE_PASSWORD: 'first-password',
    })
  })

  it('floe secrets list --namespace floe-jobs → names and types', async () => {
    const provider = createKubernetesProvider({ kubeConfig })
    const listings = []
    for await (const listing of provider.list!({ namespace: 'floe-jobs' }, ctx))
      listings.push(listing)
    expect(listings.map((l) => [l.name, l.type])).toEqual([
      ['catalog-credentials', 'Opaque'],
      ['snowflake-credentials', 'Opaque'],
    ])
    expect(listings.every((l) => l.createdAt instanceof Date)).toBe(true)
  })

  it('floe secrets status → store, sync and last sync, flagging a failed sync and missing keys', async () => {
    const rows = await externalSecretStatuses(manifest, { kubeConfig })
    expect(rows.map((r) => [r.secret, r.status.sync])).toEqual([
      ['snowflake-credentials', 'Synced'],
      ['catalog-credentials', 'Synced'],
      ['salesforce-credentials', 'SyncError'],
    ])
    expect(
      rows.map((r) => [r.status.name, r.status.store, r.status.lastSync !== undefined]),
    ).toEqual([
      ['snowflake-credentials', 'aws-secrets-manager', true],
      ['catalog-credentials', 'aws-secrets-manager', true],
      ['salesforce-credentials', 'aws-secrets-manager', false],
    ])

    // the same, through the discovered hook module (what the CLI merges into its status rows)
    const viaHook = await createRotationHook({ kubeConfig }).status({ manifest, ctx })
    expect(viaHook['snowflake-credentials']).toMatchObject({
      store: 'aws-secrets-manager',
      storeKind: 'ClusterSecretStore',
      sync: 'Synced',
    })
    expect(viaHook['salesforce-credentials']?.sync).toBe('SyncError')
    expect(Date.parse(viaHook['catalog-credentials']!.lastSync!)).toBe(
      rows[1]!.status.lastSync!.getTime(),
    )

    // a "Synced" target that lost a key is not healthy
    const secret = kube.get('v1', 'Secret', 'floe-jobs', 'catalog-credentials')!
    delete secret.data.CATALOG_CREDENTIALS_CLIENT_SECRET
    kube.put(secret)
    const [catalog] = await externalSecretStatuses(manifest, {
      kubeConfig,
      secrets: ['catalog-credentials'],
    })
    expect(catalog?.status.missingKeys).toEqual(['CATALOG_CREDENTIALS_CLIENT_SECRET'])
    expect(
      (await createRotationHook({ kubeConfig }).status({ manifest, ctx }))['catalog-credentials']
        ?.sync,
    ).toBe('Synced (missing keys: CATALOG_CREDENTIALS_CLIENT_SECRET)')
  })

  it('floe secrets rotate snowflake-credentials --restart-deployments → source put, sync, rollout restart', async () => {
    const definition = manifest.secrets['snowflake-credentials']!
    const before = kube.get(
      'external-secrets.io/v1',
      'ExternalSecret',
      'floe-jobs',
      'snowflake-credentials',
    )!.status.syncedResourceVersion
    // 1. the CLI updates the source (here the stand-in for AWS Secrets Manager)
    const put = await source.put(
      {
        secret: definition.name,
        config: { id: 'floe/prod/snowflake' },
        data: {
          account: new SecretValue('xy12345.us-east-1'),
          user: new SecretValue('dbt_user'),
          password: new SecretValue('second-password'),
        },
      },
      ctx,
    )
    expect(put.created).toBe(false)
    // 2. the kubernetes hook: ESO force-sync, wait, rollout restart
    const hook = createRotationHook({ kubeConfig, pollMs: 20, syncTimeoutMs: 10_000 })
    const steps = []
    for await (const step of hook.afterRotate({
      secret: definition,
      manifest,
      restartDeployments: true,
      dryRun: false,
      ctx,
    }))
      steps.push(step)
    const output = [
      'Rotating secret: snowflake-credentials',
      '✓ Secret updated in AWS Secrets Manager',
      ...steps.map((s) => `${s.ok ? '✓' : '✗'} ${s.message}`),
      'Rotation complete.',
    ]
    expect(output).toEqual([
      'Rotating secret: snowflake-credentials',
      '✓ Secret updated in AWS Secrets Manager',
      '✓ ExternalSecret sync triggered',
      '✓ Restarting deployments: dagster-daemon',
      'Rotation complete.',
    ])
    const es = kube.get(
      'external-secrets.io/v1',
      'ExternalSecret',
      'floe-jobs',
      'snowflake-credentials',
    )!
    expect(es.metadata.annotations['force-sync']).toMatch(/^\d{4}-/)
    expect(es.status.syncedResourceVersion).not.toBe(before)
    expect(kube.secretData('floe-jobs', 'snowflake-credentials')?.SNOWFLAKE_PASSWORD).toBe(
      'second-password',
    )
    const deployment = kube.get('apps/v1', 'Deployment', 'floe-jobs', 'dagster-daemon')!
    const restartedAt =
      deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']
    expect(Date.parse(restartedAt)).toBeGreaterThan(Date.now() - 60_000)
    expect(deployment.metadata.generation).toBeGreaterThan(1)
    expect(kube.calls.count('patch deployments')).toBe(2) // emit's patch, then the restart
  })

  it('rotate dry run touches nothing; a stalled ESO is a clear failure and nothing restarts', async () => {
    const definition = manifest.secrets['snowflake-credentials']!
    const hook = createRotationHook({ kubeConfig, pollMs: 20, syncTimeoutMs: 300 })
    const dry = []
    for await (const step of hook.afterRotate({
      secret: definition,
      manifest,
      restartDeployments: true,
      dryRun: true,
      ctx,
    }))
      dry.push(step.message)
    expect(dry).toHaveLength(2)
    expect(dry[0]).toBe('Would trigger ExternalSecret sync: floe-jobs/snowflake-credentials')
    // the Deployment the emitted patch wires to the Secret, and why it restarts
    expect(dry[1]).toMatch(
      /^Would restart one at a time: deploy\/dagster-daemon \(envFrom in daemon; .*\(SNOWFLAKE_PASSWORD\).*\)$/,
    )
    const patchesBefore =
      kube.calls.count('patch externalsecrets') + kube.calls.count('patch deployments')

    await eso?.close()
    eso = undefined
    kube.calls.reset()
    const steps = []
    for await (const step of hook.afterRotate({
      secret: definition,
      manifest,
      restartDeployments: true,
      dryRun: false,
      ctx,
    }))
      steps.push(step)
    expect(patchesBefore).toBe(1)
    expect(steps).toHaveLength(1)
    expect(steps[0]?.ok).toBe(false)
    expect(steps[0]?.message).toContain(
      'ExternalSecret sync failed: ExternalSecret floe-jobs/snowflake-credentials did not sync within 0s',
    )
    expect(steps[0]?.message).toContain('The source already holds the new value')
    expect(steps[0]?.message).toContain(
      'kubectl -n floe-jobs rollout restart deployment dagster-daemon',
    )
    expect(kube.calls.count('patch deployments')).toBe(0)
  })

  it('a restart that is not allowed is reported with what to run', async () => {
    kube.deny({ verb: 'patch', resource: 'deployments' })
    const hook = createRotationHook({ kubeConfig, pollMs: 20, syncTimeoutMs: 10_000 })
    const steps = []
    for await (const step of hook.afterRotate({
      secret: manifest.secrets['snowflake-credentials']!,
      manifest,
      restartDeployments: true,
      dryRun: false,
      ctx,
    }))
      steps.push(step)
    // the sync, the failed Deployment, then the summary with what to run
    expect(steps.map((s) => s.ok)).toEqual([true, false, false])
    expect(steps[1]?.message).toMatch(
      /^deploy\/dagster-daemon \(1\/1\) did not roll out: forbidden — /,
    )
    expect(steps[2]?.message).toMatch(
      /^Staged restart stopped at deploy\/dagster-daemon \(forbidden: .*\); restarted: none; not attempted: none\. The new value is in place; once deploy\/dagster-daemon is fixed run: kubectl -n floe-jobs rollout restart deployment dagster-daemon$/,
    )
  })

  it('floe secrets validate → exists with N keys / not found', async () => {
    const checks = await validateInCluster(manifest, { kubeConfig })
    expect(await createRotationHook({ kubeConfig }).validate({ manifest, ctx })).toEqual(checks)
    expect(checks.map((c) => [c.secret, c.exists, c.keys, c.missingKeys])).toEqual([
      ['snowflake-credentials', true, 3, []],
      ['catalog-credentials', true, 2, []],
      ['salesforce-credentials', false, 0, []],
    ])
  })

  it('the hook finds the ExternalSecret emit wrote (same naming rule for odd names)', async () => {
    const odd = await load(FLOW_MANIFEST.replace(/snowflake-credentials/g, 'Snowflake_Creds'))
    const emitted = await buildKubernetesObjects(odd)
    const es = emitted.objects.find(
      (o) =>
        o.kind === 'ExternalSecret' &&
        o.metadata.annotations?.['floe.dev/secret'] === 'Snowflake_Creds',
    )
    expect(es?.metadata.name).toBe('snowflake-creds')
    expect(kubernetesNameOf(odd.secrets.Snowflake_Creds!, kubernetesSection(odd))).toBe(
      'snowflake-creds',
    )
  })
})
