import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { testCertificate } from '../emulator/index.js'
import type { KubeObject } from './types.js'

/** One `remoteRef` of an ExternalSecret's `data[]` (or `dataFrom[].extract`). */
export interface EsoRemoteRef {
  key: string
  property?: string
  version?: string
}

export interface EsoStore {
  name: string
  kind: 'SecretStore' | 'ClusterSecretStore'
  /** the provider block name: aws, gcpsm, azurekv, vault, kubernetes… */
  provider: string
  spec: KubeObject
}

/**
 * Where the controller reads remote values. Return the remote secret (a string, or key/value
 * map) or undefined when it does not exist. A JSON-object string is split by `property`.
 */
export type EsoSource = (
  ref: EsoRemoteRef,
  store: EsoStore,
) =>
  string | Record<string, string> | undefined | Promise<string | Record<string, string> | undefined>

export interface EsoControllerOptions {
  /** the API server (an emulator, or anything with url + token; https trusts the test CA unless `ca` is given) */
  kube: { url: string; token: string; ca?: string }
  /** one source for every store, or one per store name */
  sources: EsoSource | Record<string, EsoSource>
  /** poll interval (default 50 ms) */
  intervalMs?: number
}

export interface EsoController {
  /** number of successful ExternalSecret syncs so far */
  readonly syncs: number
  /** failure messages, newest last (no values) */
  readonly errors: string[]
  /** run one reconcile pass now */
  reconcileNow(): Promise<void>
  close(): Promise<void>
}

const GROUP = 'external-secrets.io'

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** "1h", "30m", "1h30m", "15s" → ms; "0" / "0s" → 0 (no periodic refresh) */
export function parseGoDuration(value: string | undefined): number {
  if (!value) return 60 * 60 * 1000
  let total = 0
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)?/g))
    total += Number(amount) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[unit ?? 's'] ?? 1000)
  return total
}

/** ESO's `syncedResourceVersion`: generation plus a hash of labels and annotations. */
export function esoSyncedResourceVersion(es: KubeObject): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([es.metadata?.labels ?? {}, es.metadata?.annotations ?? {}]))
    .digest('hex')
    .slice(0, 32)
  return `${String(es.metadata?.generation ?? 1)}-${hash}`
}

/**
 * Plays External Secrets Operator against a Kubernetes emulator: polls ExternalSecrets, reads
 * remote values from `sources`, writes the target Secret (creationPolicy Owner/Orphan/Merge/None)
 * and sets `status.conditions` (Ready / SecretSynced), `status.refreshTime`,
 * `status.syncedResourceVersion` and `status.binding` like ESO does. Changing an annotation
 * (`force-sync`) changes the metadata hash and triggers an immediate re-sync, as in ESO.
 */
export function startEsoController(options: EsoControllerOptions): EsoController {
  const intervalMs = options.intervalMs ?? 50
  const errors: string[] = []
  let syncs = 0
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined

  async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; body: KubeObject }> {
    const url = new URL(path, options.kube.url)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers: {
            authorization: `Bearer ${options.kube.token}`,
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
          ...(url.protocol === 'https:' ? { ca: options.kube.ca ?? testCertificate().ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => {
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubeObject,
              })
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)))
            }
          })
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(payload)
    })
  }

  function sourceFor(store: EsoStore): EsoSource | undefined {
    return typeof options.sources === 'function' ? options.sources : options.sources[store.name]
  }

  async function readStore(es: KubeObject): Promise<EsoStore | string> {
    const ref = es.spec?.secretStoreRef ?? {}
    const kind = ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore'
    const path =
      kind === 'ClusterSecretStore'
        ? `/apis/${GROUP}/v1/clustersecretstores/${ref.name}`
        : `/apis/${GROUP}/v1/namespaces/${es.metadata.namespace}/secretstores/${ref.name}`
    const { status, body } = await call('GET', path)
    if (status !== 200) return `could not get ${kind} "${String(ref.name)}"`
    const provider = Object.keys(body.spec?.provider ?? {})[0] ?? 'unknown'
    return { name: String(ref.name), kind, provider, spec: body.spec }
  }

  function pick(
    remote: string | Record<string, string>,
    property: string | undefined,
    ref: EsoRemoteRef,
  ): string | undefined {
    if (property === undefined) return typeof remote === 'string' ? remote : JSON.stringify(remote)
    let map: Record<string, unknown> | undefined
    if (typeof remote === 'string') {
      try {
        const parsed: unknown = JSON.parse(remote)
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
          map = parsed as Record<string, unknown>
      } catch {
        map = undefined
      }
    } else map = remote
    const value = map?.[property]
    if (value === undefined) throw new Error(`key ${ref.key} has no property ${property}`)
    return typeof value === 'string' ? value : JSON.stringify(value)
  }

  async function resolveData(es: KubeObject, store: EsoStore): Promise<Record<string, string>> {
    const source = sourceFor(store)
    if (!source) throw new Error(`no provider configured for store "${store.name}"`)
    const data: Record<string, string> = {}
    for (const item of es.spec?.dataFrom ?? []) {
      const extract = item.extract as EsoRemoteRef | undefined
      if (!extract) continue
      const remote = await source(extract, store)
      if (remote === undefined)
        throw new Error(`could not get secret data from provider: key ${extract.key} not found`)
      const map =
        typeof remote === 'string' ? (JSON.parse(remote) as Record<string, unknown>) : remote
      for (const [k, v] of Object.entries(map))
        data[k] = typeof v === 'string' ? v : JSON.stringify(v)
    }
    for (const item of es.spec?.data ?? []) {
      const ref = item.remoteRef as EsoRemoteRef
      const remote = await source(ref, store)
      if (remote === undefined)
        throw new Error(`could not get secret data from provider: key ${ref.key} not found`)
      const value = pick(remote, ref.property, ref)
      if (value !== undefined) data[String(item.secretKey)] = value
    }
    return data
  }

  async function writeTarget(es: KubeObject, data: Record<string, string>): Promise<void> {
    const namespace = String(es.metadata.namespace)
    const name = String(es.spec?.target?.name ?? es.metadata.name)
    const policy = String(es.spec?.target?.creationPolicy ?? 'Owner')
    if (policy === 'None') return
    const encoded = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
    )
    const dataHash = createHash('sha256').update(JSON.stringify(encoded)).digest('hex').slice(0, 32)
    const owner = {
      apiVersion: String(es.apiVersion ?? `${GROUP}/v1`),
      kind: 'ExternalSecret',
      name: String(es.metadata.name),
      uid: String(es.metadata.uid),
      controller: true,
      blockOwnerDeletion: true,
    }
    const path = `/api/v1/namespaces/${namespace}/secrets`
    const current = await call('GET', `${path}/${name}`)
    if (current.status === 404) {
      if (policy === 'Merge')
        throw new Error(`target secret ${name} does not exist and creationPolicy is Merge`)
      const created = await call('POST', path, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name,
          namespace,
          labels: { 'reconcile.external-secrets.io/managed': 'true' },
          annotations: { 'reconcile.external-secrets.io/data-hash': dataHash },
          ...(policy === 'Owner' ? { ownerReferences: [owner] } : {}),
        },
        type: String(es.spec?.target?.template?.type ?? 'Opaque'),
        data: encoded,
      })
      if (created.status !== 201)
        throw new Error(`could not create target secret ${name}: ${String(created.body.message)}`)
      return
    }
    if (current.status !== 200)
      throw new Error(`could not read target secret ${name}: ${String(current.body.message)}`)
    const secret = current.body
    secret.metadata.annotations = {
      ...(secret.metadata.annotations ?? {}),
      'reconcile.external-secrets.io/data-hash': dataHash,
    }
    secret.data = policy === 'Merge' ? { ...(secret.data ?? {}), ...encoded } : encoded
    const updated = await call('PUT', `${path}/${name}`, secret)
    if (updated.status !== 200)
      throw new Error(`could not update target secret ${name}: ${String(updated.body.message)}`)
  }

  async function setStatus(es: KubeObject, ready: boolean, message: string): Promise<void> {
    const previous = (es.status?.conditions ?? []).find((c: KubeObject) => c.type === 'Ready')
    const status = ready ? 'True' : 'False'
    const condition = {
      type: 'Ready',
      status,
      reason: ready ? 'SecretSynced' : 'SecretSyncedError',
      message,
      lastTransitionTime:
        previous && previous.status === status ? previous.lastTransitionTime : nowSeconds(),
    }
    const patch = {
      status: {
        conditions: [condition],
        ...(ready
          ? {
              refreshTime: nowSeconds(),
              binding: { name: String(es.spec?.target?.name ?? es.metadata.name) },
            }
          : {}),
        syncedResourceVersion: esoSyncedResourceVersion(es),
      },
    }
    const path = `/apis/${GROUP}/v1/namespaces/${es.metadata.namespace}/externalsecrets/${es.metadata.name}/status`
    await call('PATCH', path, patch, 'application/merge-patch+json')
  }

  function due(es: KubeObject): boolean {
    const status = es.status ?? {}
    if (status.syncedResourceVersion !== esoSyncedResourceVersion(es)) return true
    if (!status.refreshTime) return true
    const interval = parseGoDuration(es.spec?.refreshInterval)
    return interval > 0 && Date.now() - Date.parse(status.refreshTime) >= interval
  }

  async function reconcile(): Promise<void> {
    const listed = await call('GET', `/apis/${GROUP}/v1/externalsecrets`)
    if (listed.status !== 200) {
      errors.push(`list externalsecrets: ${String(listed.body.message)}`)
      return
    }
    for (const item of listed.body.items ?? []) {
      if (stopped) return
      if (!due(item)) continue
      const id = `${String(item.metadata.namespace)}/${String(item.metadata.name)}`
      try {
        const store = await readStore(item)
        if (typeof store === 'string') throw new Error(store)
        const data = await resolveData(item, store)
        await writeTarget(item, data)
        await setStatus(item, true, 'secret synced')
        syncs += 1
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        errors.push(`${id}: ${message}`)
        await setStatus(item, false, message).catch(() => undefined)
      }
    }
  }

  /** passes never overlap: a poll and reconcileNow() would otherwise race on the same Secret */
  const serial = (): Promise<void> => {
    running = running.then(reconcile).catch((error: unknown) => void errors.push(String(error)))
    return running
  }
  const tick = (): void => {
    if (stopped) return
    void serial().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs)
    })
  }
  timer = setTimeout(tick, 0)

  return {
    get syncs() {
      return syncs
    },
    errors,
    reconcileNow: serial,
    async close() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}

/**
 * A source backed by a plain map: `key` → string (JSON objects split by `property`) or map.
 * Mutate the returned map to "rotate" a remote value.
 */
export function esoMapSource(values: Map<string, string | Record<string, string>>): EsoSource {
  return (ref) => values.get(ref.key)
}

/** The parts of the testkit AWS emulator a source needs (kept structural: no import cycle). */
export interface AwsEmulatorLike {
  secretVersions(
    name: string,
  ): readonly { id: string; string?: string; stages: Set<string> }[] | undefined
  parameterVersions(
    name: string,
  ): readonly { version: number; value: string; labels: Set<string> }[] | undefined
}

/**
 * A source reading the testkit AWS emulator the way ESO's aws provider does: Secrets Manager
 * stores read `remoteRef.version` as a stage (default AWSCURRENT) or `uuid/<id>`; Parameter
 * Store stores read the latest version (or `remoteRef.version` as a number / label).
 */
export function esoAwsSource(aws: AwsEmulatorLike): EsoSource {
  return (ref, store) => {
    const service = String(store.spec.provider?.aws?.service ?? 'SecretsManager')
    if (service === 'ParameterStore') {
      const versions = aws.parameterVersions(ref.key)
      if (!versions?.length) return undefined
      const wanted = ref.version
      const match = wanted
        ? versions.find((v) => String(v.version) === wanted || v.labels.has(wanted))
        : versions.reduce((a, b) => (b.version > a.version ? b : a))
      return match?.value
    }
    const versions = aws.secretVersions(ref.key)
    const wanted = ref.version ?? 'AWSCURRENT'
    const match = wanted.startsWith('uuid/')
      ? versions?.find((v) => v.id === wanted.slice(5))
      : versions?.find((v) => v.stages.has(wanted))
    return match?.string
  }
}
