/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into arbitrary emitted YAML */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SecretValue } from '@floe/core'
import { createProviderRegistry, createResolver } from '@floe/core'
import { memoryProviderModule } from '@floe/core/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { buildKubernetesObjects, emissionFiles, emitter, type K8sObject } from '../src/index.js'
import {
  ADR_SNOWFLAKE_EXTERNAL_SECRET_SPEC,
  ESO_MANIFEST,
  K8S_MANIFEST,
  VAULT_MANIFEST,
  load,
} from './manifests.js'
import { objectProblems } from './object-checks.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name)

/** every emitted object (and every patch merged into a minimal valid workload) must validate */
function expectAllValid(objects: K8sObject[], patches: K8sObject[] = []): void {
  for (const object of objects)
    expect(objectProblems(object), `${object.kind} ${String(object.metadata.name)}`).toEqual([])
  for (const patch of patches)
    expect(
      objectProblems(asWorkload(patch)),
      `patch ${patch.kind} ${String(patch.metadata.name)}`,
    ).toEqual([])
}

/** a patch completed with the fields a real workload has, so the models can validate it */
function asWorkload(patch: K8sObject): K8sObject {
  const complete = structuredClone(patch) as Record<string, any>
  const podSpec =
    patch.kind === 'CronJob'
      ? complete.spec.jobTemplate.spec.template.spec
      : complete.spec.template.spec
  for (const c of podSpec.containers) c.image = 'example/image:1'
  if (patch.kind === 'Deployment')
    complete.spec.selector = { matchLabels: { app: complete.metadata.name } }
  if (patch.kind === 'CronJob') complete.spec.schedule = '0 * * * *'
  if (patch.kind !== 'Deployment') podSpec.restartPolicy = 'Never'
  return complete
}

describe('external-secrets backend (seed 004)', () => {
  it("reproduces the ADR's ExternalSecret and ClusterSecretStore examples", async () => {
    const { objects, warnings } = await buildKubernetesObjects(await load(ESO_MANIFEST))
    const snowflake = find(objects, 'ExternalSecret', 'snowflake-credentials')
    expect(snowflake).toMatchObject({
      apiVersion: 'external-secrets.io/v1beta1',
      metadata: { name: 'snowflake-credentials', namespace: 'floe-jobs' },
    })
    expect(snowflake?.spec).toEqual(ADR_SNOWFLAKE_EXTERNAL_SECRET_SPEC)
    expect(find(objects, 'ExternalSecret', 'bigquery-credentials')?.spec).toMatchObject({
      secretStoreRef: { name: 'gcp-secret-manager', kind: 'ClusterSecretStore' },
      target: { name: 'bigquery-credentials' },
      data: [
        {
          secretKey: 'GOOGLE_APPLICATION_CREDENTIALS_JSON',
          remoteRef: { key: 'floe-bigquery-sa' },
        },
      ],
    })
    expect(find(objects, 'ExternalSecret', 'synapse-credentials')?.spec).toMatchObject({
      secretStoreRef: { name: 'azure-keyvault', kind: 'ClusterSecretStore' },
      data: [
        { secretKey: 'SYNAPSE_CONNECTION_STRING', remoteRef: { key: 'floe-synapse-connection' } },
      ],
    })
    expect(find(objects, 'ClusterSecretStore', 'aws-secrets-manager')?.spec).toEqual({
      provider: {
        aws: {
          service: 'SecretsManager',
          region: 'us-east-1',
          auth: {
            jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } },
          },
        },
      },
    })
    expect(find(objects, 'ClusterSecretStore', 'gcp-secret-manager')?.spec).toEqual({
      provider: {
        gcpsm: {
          projectID: 'my-gcp-project',
          auth: {
            workloadIdentity: {
              clusterLocation: 'us-central1',
              clusterName: 'my-cluster',
              serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' },
            },
          },
        },
      },
    })
    expect(find(objects, 'ClusterSecretStore', 'azure-keyvault')?.spec).toEqual({
      provider: {
        azurekv: { vaultUrl: 'https://my-vault.vault.azure.net', authType: 'ManagedIdentity' },
      },
    })
    expect(warnings).toEqual([
      'k8s: no ExternalSecret for "local_token": it uses provider "env", which External Secrets Operator cannot sync',
    ])
  })

  it('emits valid v1 objects by default, orders them deterministically, and every object validates', async () => {
    const manifest = await load(ESO_MANIFEST.replace('    api_version: v1beta1\n', ''))
    const first = await buildKubernetesObjects(manifest)
    const second = await buildKubernetesObjects(manifest)
    expect(emissionFiles(first)).toEqual(emissionFiles(second))
    expect(first.objects.map((o) => `${o.kind}/${String(o.metadata.name)}`)).toEqual([
      'ClusterSecretStore/aws-secrets-manager',
      'ClusterSecretStore/azure-keyvault',
      'ClusterSecretStore/gcp-secret-manager',
      'ExternalSecret/bigquery-credentials',
      'ExternalSecret/catalog-credentials',
      'ExternalSecret/snowflake-credentials',
      'ExternalSecret/synapse-credentials',
      'Role/floe-secrets-dagster',
      'Role/floe-secrets-floe-job-runner',
      'RoleBinding/floe-secrets-dagster',
      'RoleBinding/floe-secrets-floe-job-runner',
    ])
    expect(
      first.objects
        .filter((o) => o.apiVersion.startsWith('external-secrets.io'))
        .every((o) => o.apiVersion === 'external-secrets.io/v1'),
    ).toBe(true)
    expectAllValid(first.objects, first.patches)
    const v1beta1 = await buildKubernetesObjects(await load(ESO_MANIFEST))
    expectAllValid(v1beta1.objects, v1beta1.patches)
  })

  it('grants each service account get on exactly the Secrets it reads (resourceNames)', async () => {
    const { objects } = await buildKubernetesObjects(await load(ESO_MANIFEST))
    expect(find(objects, 'Role', 'floe-secrets-floe-job-runner')).toMatchObject({
      metadata: { namespace: 'floe-jobs' },
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['bigquery-credentials', 'catalog-credentials', 'snowflake-credentials'],
          verbs: ['get'],
        },
      ],
    })
    expect(find(objects, 'RoleBinding', 'floe-secrets-dagster')).toMatchObject({
      roleRef: { kind: 'Role', name: 'floe-secrets-dagster' },
      subjects: [{ kind: 'ServiceAccount', name: 'dagster', namespace: 'floe-jobs' }],
    })
  })

  it('wires workloads: envFrom, extra env names, secretKeyRef when env_from is false, Reloader on Deployments', async () => {
    const { patches } = await buildKubernetesObjects(await load(ESO_MANIFEST))
    const daemon = patches.find((p) => p.metadata.name === 'dagster-daemon') as Record<string, any>
    expect(daemon.metadata.annotations).toEqual({ 'reloader.stakater.com/auto': 'true' })
    const container = daemon.spec.template.spec.containers[0]
    expect(container.name).toBe('daemon')
    expect(container.envFrom).toEqual([{ secretRef: { name: 'snowflake-credentials' } }])
    // derived names floe exec also sets reach the pod through secretKeyRef
    expect(container.env).toContainEqual({
      name: 'SNOWFLAKE_CREDENTIALS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'snowflake-credentials', key: 'SNOWFLAKE_PASSWORD' } },
    })
    expect(daemon.spec.template.spec.serviceAccountName).toBe('dagster')
    const job = patches.find((p) => p.metadata.name === 'dbt-run') as Record<string, any>
    expect(job.metadata.annotations).toBeUndefined()
    expect(job.spec.template.spec.containers[0].envFrom).toEqual([
      { secretRef: { name: 'snowflake-credentials' } },
      { secretRef: { name: 'catalog-credentials' } },
    ])
    const cron = patches.find((p) => p.metadata.name === 'bigquery-export') as Record<string, any>
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]).toEqual({
      name: 'bigquery-export',
      env: [
        {
          name: 'BIGQUERY_CREDENTIALS',
          valueFrom: {
            secretKeyRef: {
              name: 'bigquery-credentials',
              key: 'GOOGLE_APPLICATION_CREDENTIALS_JSON',
            },
          },
        },
        {
          name: 'GOOGLE_APPLICATION_CREDENTIALS_JSON',
          valueFrom: {
            secretKeyRef: {
              name: 'bigquery-credentials',
              key: 'GOOGLE_APPLICATION_CREDENTIALS_JSON',
            },
          },
        },
      ],
    })
  })

  it('writes one YAML stream, patches and a kustomization; the stream parses back to the same objects', async () => {
    const emission = await buildKubernetesObjects(await load(ESO_MANIFEST))
    const files = emissionFiles(emission)
    expect(files.map((f) => f.path)).toEqual([
      'floe-k8s.yaml',
      'workloads/deployment-floe-jobs-dagster-daemon.yaml',
      'workloads/job-floe-jobs-dbt-run.yaml',
      'workloads/cronjob-floe-jobs-bigquery-export.yaml',
      'workloads/kustomization.yaml',
      'kustomization.yaml',
    ])
    const stream = files[0]?.content as string
    expect(parseAllDocuments(stream).map((d) => d.toJS())).toEqual(emission.objects)
    expect(files.some((f) => f.containsValues)).toBe(false)
    const directory = emissionFiles(emission, 'directory')
    expect(directory[0]?.path).toBe('01-clustersecretstore-aws-secrets-manager.yaml')
    expect(directory.find((f) => f.path === 'workloads/kustomization.yaml')?.content).toContain(
      'job-floe-jobs-dbt-run.yaml',
    )
  })

  it('builds a Vault ClusterSecretStore with kubernetes auth and skips dynamic secrets with a reason', async () => {
    const { objects, warnings } = await buildKubernetesObjects(await load(VAULT_MANIFEST))
    expect(find(objects, 'ClusterSecretStore', 'vault')?.spec).toEqual({
      provider: {
        vault: {
          server: 'https://vault.example.com',
          path: 'secret',
          version: 'v2',
          auth: {
            kubernetes: {
              mountPath: 'kubernetes',
              role: 'flink-reader',
              serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' },
            },
          },
        },
      },
    })
    expect(
      (find(objects, 'ExternalSecret', 'kafka-credentials')?.spec as Record<string, any>).data,
    ).toEqual([
      {
        secretKey: 'KAFKA_CREDENTIALS_USERNAME',
        remoteRef: { key: 'production/kafka', property: 'username' },
      },
      {
        secretKey: 'KAFKA_CREDENTIALS_PASSWORD',
        remoteRef: { key: 'production/kafka', property: 'password' },
      },
    ])
    expect(warnings[0]).toContain('mongo_credentials')
    expect(warnings[0]).toContain('dynamic')
    expectAllValid(objects)
  })

  it('reports manifest mistakes in the kubernetes: section with their line', async () => {
    const broken = ESO_MANIFEST.replace(
      '      name: dagster-daemon\n',
      '      name: Dagster_Daemon\n',
    ).replace('    api_version: v1beta1', '    api_version: v2')
    const error = await buildKubernetesObjects(await load(broken)).catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain(
      'kubernetes.workloads.0.name: "Dagster_Daemon" is not a valid Kubernetes name',
    )
    expect((error as Error).message).toContain(
      'kubernetes.external_secrets.api_version: must be v1 or v1beta1',
    )
    expect((error as Error).message).toMatch(/:\d+:\d+: /)
  })
})

describe('k8s backend (plain Secrets)', () => {
  it('emits Secrets without values, with the create command, and RBAC for the definition service account', async () => {
    const emission = await buildKubernetesObjects(await load(K8S_MANIFEST))
    const secret = find(emission.objects, 'Secret', 'snowflake-credentials') as Record<string, any>
    expect(secret.stringData).toEqual({
      SNOWFLAKE_CREDENTIALS_ACCOUNT: '',
      SNOWFLAKE_CREDENTIALS_USER: '',
      SNOWFLAKE_PASSWORD: '',
    })
    // values of a source-backed secret come from resolving it, never from argv
    expect(secret.metadata.annotations['floe.dev/create-command']).toBe(
      'floe secrets emit k8s --include-values -o .floe-k8s && kubectl apply -f .floe-k8s/floe-k8s.yaml && rm -r .floe-k8s',
    )
    const redis = find(emission.objects, 'Secret', 'redis-credentials') as Record<string, any>
    expect(redis.metadata.namespace).toBe('credit-card')
    expect(redis.stringData).toEqual({ password: '' })
    expect(redis.metadata.annotations['floe.dev/create-command']).toBe(
      'floe secrets create redis_password',
    )
    const stream = emissionFiles(emission)[0]?.content as string
    expect(stream).toContain('# Values are not in this file. Fill them with:')
    expect(find(emission.objects, 'Role', 'floe-secrets-floe-jobs-flink-runner')).toMatchObject({
      metadata: { namespace: 'credit-card' },
      rules: [{ resourceNames: ['redis-credentials'], verbs: ['get'] }],
    })
    const patch = emission.patches[0] as Record<string, any>
    expect(patch.metadata.annotations).toEqual({
      'secret.reloader.stakater.com/reload': 'redis-credentials,snowflake-credentials',
    })
    // a native Secret keeps its own keys: the pod gets floe's env name through secretKeyRef
    expect(patch.spec.template.spec.containers[0].env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'redis-credentials', key: 'password' } },
    })
    expectAllValid(emission.objects, emission.patches)
  })

  it('puts values in only with includeValues and a resolver, marks the file and warns', async () => {
    const manifest = await load(K8S_MANIFEST)
    await expect(buildKubernetesObjects(manifest, { includeValues: true })).rejects.toThrow(
      'needs the resolver',
    )
    const memory = memoryProviderModule({
      name: 'aws_secrets_manager',
      data: { 'floe/prod/snowflake': { account: 'acct', user: 'dbt', password: 'pw' } },
    })
    const kube = memoryProviderModule({
      name: 'kubernetes',
      data: { 'redis-credentials': { password: 'redis-pw' } },
    })
    const resolver = createResolver({
      manifest,
      catalog: createProviderRegistry({ modules: [memory, kube] }),
      env: {},
    })
    const result = await emitter.emit({
      manifest,
      logger: silent,
      resolver,
      options: { includeValues: true },
    })
    const stream = result.files.find((f) => f.path === 'floe-k8s.yaml')
    expect(stream?.containsValues).toBe(true)
    expect(stream?.mode).toBe(0o600)
    const docs = parseAllDocuments(stream?.content as string).map(
      (d) => d.toJS() as Record<string, any>,
    )
    expect(docs.find((d) => d.metadata.name === 'snowflake-credentials')?.stringData).toEqual({
      SNOWFLAKE_CREDENTIALS_ACCOUNT: 'acct',
      SNOWFLAKE_CREDENTIALS_USER: 'dbt',
      SNOWFLAKE_PASSWORD: 'pw',
    })
    expect(result.warnings).toContain(
      'k8s: Secrets include VALUES (--include-values): never commit these files',
    )
    expect(new SecretValue('x').toString()).toBe('[REDACTED]')
  })

  it('reads --option dbt_profiles=PATH relative to the manifest and names the ConfigMap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floe-emit-k8s-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'profiles.yml'), 'floe:\n  target: prod\n')
    const manifest = { ...(await load(K8S_MANIFEST)), dir }
    const result = await emitter.emit({
      manifest,
      logger: silent,
      options: { dbt_profiles: 'profiles.yml', dbt_configmap: 'dbt-profiles-prod' },
    })
    const docs = parseAllDocuments(result.files[0]?.content as string).map(
      (d) => d.toJS() as Record<string, any>,
    )
    expect(docs.find((d) => d.kind === 'ConfigMap')).toMatchObject({
      metadata: { name: 'dbt-profiles-prod' },
      data: { 'profiles.yml': 'floe:\n  target: prod\n' },
    })
    await expect(
      emitter.emit({ manifest, logger: silent, options: { dbt_profiles: 'missing.yml' } }),
    ).rejects.toThrow('cannot read dbt_profiles')
  })

  it('ignores includeValues with a warning on the ESO backend (ESO carries the values)', async () => {
    const { objects, warnings } = await buildKubernetesObjects(await load(ESO_MANIFEST), {
      includeValues: true,
    })
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false)
    expect(warnings).toContain(
      'k8s: --include-values has no effect with the external-secrets backend: ESO syncs the values into the cluster',
    )
  })

  it('adds the dbt profiles ConfigMap when given profiles.yml', async () => {
    const { objects } = await buildKubernetesObjects(await load(K8S_MANIFEST), {
      dbtProfilesYaml: 'floe:\n  target: prod\n',
    })
    expect(find(objects, 'ConfigMap', 'dbt-profiles')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'dbt-profiles',
        namespace: 'floe-jobs',
        labels: { 'app.kubernetes.io/managed-by': 'floe' },
      },
      data: { 'profiles.yml': 'floe:\n  target: prod\n' },
    })
  })
})
