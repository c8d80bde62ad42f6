import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadManifestFromString } from '@floe/core'
import { buildKubernetesObjects, type K8sObject } from '@floe/emit-k8s'
import {
  esoAwsSource,
  startAwsEmulator,
  startEsoController,
  startKubernetesEmulator,
  type AwsEmulator,
  type EsoController,
  type KubernetesEmulator,
} from '@floe/testkit'
import { assertBuilt, makeProject, type FixtureProject } from './helpers.js'

/**
 * The ADR's cluster for CLI tests: AWS Secrets Manager (emulated) as the source, the Kubernetes
 * emulator over TLS with namespaces floe-jobs and external-secrets, and the External Secrets
 * test controller syncing one into the other; a fixture project with the manifest and a
 * kubeconfig, and the environment a `floe` run needs to reach both.
 */
export interface EsoSandbox {
  aws: AwsEmulator
  kube: KubernetesEmulator
  eso: EsoController
  project: FixtureProject
  env: Record<string, string>
  /** what `floe secrets emit k8s` puts in the cluster (applied unless `applyEmitted: false`) */
  emitted: K8sObject[]
  close(): Promise<void>
}

export interface EsoSandboxOptions {
  manifest: string
  /** AWS Secrets Manager secrets by id */
  awsSecrets: Record<string, Record<string, string>>
  /** file name of the manifest in the project (default manifest.yaml) */
  manifestFile?: string
  /** objects in the cluster before the emitted ones (e.g. the Deployments that consume them) */
  objects?: K8sObject[]
  /** put the emitted stores and ExternalSecrets in the cluster and sync once (default true) */
  applyEmitted?: boolean
  /** packages linked into the project besides the CLI and the two providers */
  dependencies?: Record<string, string>
}

export async function startEsoSandbox(options: EsoSandboxOptions): Promise<EsoSandbox> {
  assertBuilt()
  const aws = await startAwsEmulator()
  for (const [id, value] of Object.entries(options.awsSecrets)) aws.putSecret(id, value)
  const kube = await startKubernetesEmulator({
    tls: true,
    seed: { namespaces: ['floe-jobs', 'external-secrets'] },
  })
  for (const object of options.objects ?? []) kube.put(object)
  const { objects: emitted } = await buildKubernetesObjects(
    await loadManifestFromString(options.manifest, { env: {} }),
  )
  if (options.applyEmitted !== false) for (const object of emitted) kube.put(object)
  const eso = startEsoController({
    kube,
    intervalMs: 50,
    sources: { 'aws-secrets-manager': esoAwsSource(aws) },
  })
  if (options.applyEmitted !== false) await eso.reconcileNow()

  const project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-aws-secrets-manager': 'packages/provider-aws-secrets-manager',
    '@floe/provider-kubernetes': 'packages/provider-kubernetes',
    ...options.dependencies,
  })
  project.write(options.manifestFile ?? 'manifest.yaml', options.manifest)
  const dir = mkdtempSync(join(project.dir, 'kube-'))
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, kube.kubeconfig({ namespace: 'floe-jobs', context: 'floe' }), {
    mode: 0o600,
  })
  const env = { ...aws.env(), KUBECONFIG: kubeconfig }
  return {
    aws,
    kube,
    eso,
    project,
    env,
    emitted,
    close: async () => {
      await eso.close()
      await kube.close()
      await aws.close()
    },
  }
}
