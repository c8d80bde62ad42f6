import {
  ConflictError,
  errorFromHttpStatus,
  FloeError,
  ForbiddenError,
  parseRetryAfter,
  ProviderUnavailableError,
  type FloeErrorOptions,
} from '@floe/core'
import type { KubeConfig, V1Secret } from '@kubernetes/client-node'
import { loadKubeConfig, type LoadedKubeConfig } from './auth.js'
import type { ConnectionConfig } from './validate.js'

type ClientNode = typeof import('@kubernetes/client-node')

/** An API object as JSON (custom resources have no generated types). */
export type KubeObject = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const PROVIDER = 'kubernetes'
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
])

let clientNode: Promise<ClientNode> | undefined
/** @kubernetes/client-node costs ~630 ms to import: only when a call is made. */
export function importClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node')
  return clientNode
}

/** The Status object of an API error, parsed from ApiException.body (a raw JSON string). */
export interface ApiStatus {
  code: number
  reason?: string
  message?: string
  /** details.name: set when a named object is missing, absent when the resource type is unknown */
  name?: string
}

export function apiStatusOf(error: unknown): ApiStatus | undefined {
  if (!error || typeof error !== 'object' || typeof (error as { code?: unknown }).code !== 'number')
    return undefined
  const { code, body } = error as { code: number; body?: unknown }
  if (code < 100) return undefined
  let parsed: unknown = body
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = undefined
    }
  }
  const status =
    parsed && typeof parsed === 'object'
      ? (parsed as { reason?: unknown; message?: unknown; details?: { name?: unknown } })
      : {}
  return {
    code,
    ...(typeof status.reason === 'string' ? { reason: status.reason } : {}),
    ...(typeof status.message === 'string' ? { message: status.message } : {}),
    ...(typeof status.details?.name === 'string' ? { name: status.details.name } : {}),
  }
}

/**
 * Maps a client-node failure to floe's typed errors. Only the API server's Status message is
 * quoted (it names objects, never data); the raw exception text is not.
 */
export function toFloeError(
  error: unknown,
  what: string,
  options: FloeErrorOptions = {},
): FloeError {
  if (error instanceof FloeError) return error
  const opts = { provider: PROVIDER, ...options }
  const status = apiStatusOf(error)
  if (status) {
    const detail = status.message ? `: ${status.message}` : ''
    if (status.code === 409 && status.reason === 'AlreadyExists')
      return new ConflictError(`${what}: already exists${detail}`, opts)
    if (status.code === 409)
      return new ConflictError(`${what}: the object changed since it was read${detail}`, opts)
    if (status.code === 401)
      return new ForbiddenError(`${what}: unauthorized (credentials rejected)`, {
        ...opts,
        hint: 'check the kubeconfig user / service account token',
      })
    const headers = (error as { headers?: Record<string, string> }).headers ?? {}
    const retryAfterMs = parseRetryAfter(headers['retry-after'])
    return errorFromHttpStatus(
      status.code,
      `${what}: HTTP ${status.code}${status.reason ? ` ${status.reason}` : ''}${detail}`,
      {
        ...opts,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    )
  }
  const rawCode = (error as { code?: unknown } | undefined)?.code
  const code = typeof rawCode === 'string' ? rawCode : ''
  const name = error instanceof Error ? error.name : 'Error'
  if (NETWORK_CODES.has(code) || name === 'FetchError' || name === 'AbortError')
    return new ProviderUnavailableError(`${what}: API server unreachable (${code || name})`, {
      ...opts,
      cause: error,
    })
  return new ProviderUnavailableError(`${what}: request failed (${name})`, {
    ...opts,
    cause: error,
  })
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
