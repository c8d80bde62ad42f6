import type { KubeConfig, V1Secret } from '@kubernetes/client-node'
import { loadKubeConfig, type LoadedKubeConfig } from './auth.js'
import type { ConnectionConfig } from './validate.js'

type ClientNode = typeof import('@kubernetes/client-node')

/** An API object as JSON (custom resources have no generated types). */
export type KubeObject = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let clientNode: Promise<ClientNode> | undefined
/** @kubernetes/client-node costs ~630 ms to import: only when a call is made. */
export function importClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node')
  return clientNode
}

/**
 * Typed wrapper over @kubernetes/client-node: the handful of calls floe makes, with
 * merge-patch headers where custom resources need them (strategic merge is a 415 there).
 */
export class KubeClient {
  private constructor(
    private readonly k8s: ClientNode,
    readonly loaded: LoadedKubeConfig,
  ) {}

  static async connect(
    connection: ConnectionConfig,
    env: NodeJS.ProcessEnv,
    injected?: KubeConfig,
  ): Promise<KubeClient> {
    const k8s = await importClientNode()
    return new KubeClient(k8s, loadKubeConfig(k8s, connection, env, injected))
  }

  get defaultNamespace(): string {
    return this.loaded.namespace ?? 'default'
  }

  get server(): string {
    return this.loaded.kubeConfig.getCurrentCluster()?.server ?? 'unknown'
  }

  private get core() {
    return this.loaded.kubeConfig.makeApiClient(this.k8s.CoreV1Api)
  }
  private get apps() {
    return this.loaded.kubeConfig.makeApiClient(this.k8s.AppsV1Api)
  }
  private get custom() {
    return this.loaded.kubeConfig.makeApiClient(this.k8s.CustomObjectsApi)
  }
  private mergePatch() {
    return this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch)
  }

  readSecret(namespace: string, name: string): Promise<V1Secret> {
    return this.core.readNamespacedSecret({ namespace, name })
  }
  async listSecrets(namespace: string, labelSelector?: string): Promise<V1Secret[]> {
    const list = await this.core.listNamespacedSecret({
      namespace,
      ...(labelSelector ? { labelSelector } : {}),
    })
    return list.items
  }
  createSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    return this.core.createNamespacedSecret({ namespace, body })
  }
  replaceSecret(namespace: string, name: string, body: V1Secret): Promise<V1Secret> {
    return this.core.replaceNamespacedSecret({ namespace, name, body })
  }

  async getCustomObject(
    group: string,
    version: string,
    namespace: string | undefined,
    plural: string,
    name: string,
  ): Promise<KubeObject> {
    return (
      namespace === undefined
        ? await this.custom.getClusterCustomObject({ group, version, plural, name })
        : await this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name })
    ) as KubeObject
  }
  async listCustomObjects(
    group: string,
    version: string,
    namespace: string,
    plural: string,
  ): Promise<KubeObject[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
    })) as KubeObject
    return (list.items ?? []) as KubeObject[]
  }
  async mergePatchCustomObject(
    group: string,
    version: string,
    namespace: string,
    plural: string,
    name: string,
    body: KubeObject,
  ): Promise<KubeObject> {
    return (await this.custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name, body },
      this.mergePatch(),
    )) as KubeObject
  }

  async listDeployments(namespace: string): Promise<KubeObject[]> {
    return (await this.apps.listNamespacedDeployment({ namespace })).items
  }
  async readDeployment(namespace: string, name: string): Promise<KubeObject> {
    return await this.apps.readNamespacedDeployment({ namespace, name })
  }
  async mergePatchDeployment(
    namespace: string,
    name: string,
    body: KubeObject,
  ): Promise<KubeObject> {
    return await this.apps.patchNamespacedDeployment({ namespace, name, body }, this.mergePatch())
  }

  async version(): Promise<string> {
    const info = await this.loaded.kubeConfig.makeApiClient(this.k8s.VersionApi).getCode()
    return info.gitVersion
  }
}
