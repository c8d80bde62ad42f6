import { randomUUID } from 'node:crypto'
import {
  startHttpEmulator,
  testCertificate,
  type EmulatorRequest,
  type EmulatorResponse,
  type HttpEmulator,
} from '../emulator/index.js'
import { jsonPatch, mergePatch, PatchError, strategicMergePatch, type Json } from './patch.js'
import {
  apiVersionOf,
  findResource,
  RESOURCE_TYPES,
  resourceForKind,
  type ResourceType,
} from './resources.js'
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js'
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  methodNotAllowed,
  notFound,
  statusFailure,
  unauthorized,
  unsupportedMediaType,
} from './status.js'

/** an API object as JSON; loosely typed on purpose — the emulator serves arbitrary kinds */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>

export interface KubernetesEmulatorOptions {
  /** bearer tokens accepted (default: one token, `floe-test-token`) */
  tokens?: string[]
  /** objects to create at start (namespaces are created implicitly) */
  seed?: KubeSeed
  tls?: boolean
  port?: number
}

export interface KubeSeed {
  namespaces?: string[]
  secrets?: SeedSecret[]
  /** any object of a served kind (Deployment, ExternalSecret, ClusterSecretStore…) */
  objects?: KubeObject[]
}

export interface SeedSecret {
  namespace: string
  name: string
  /** plain text values (stored base64-encoded, as the API server does with stringData) */
  stringData?: Record<string, string>
  type?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

/** A rule that answers 403 Forbidden, like missing RBAC. Unset fields match anything. */
export interface DenyRule {
  verb?: string
  resource?: string
  namespace?: string
  name?: string
}

export interface KubernetesEmulator extends HttpEmulator {
  /** the first accepted bearer token */
  readonly token: string
  seed(seed: KubeSeed): void
  /** create or replace an object directly (no auth, no call accounting) */
  put(object: KubeObject): KubeObject
  /** read an object directly; apiVersion selects the group ('v1', 'apps/v1', 'external-secrets.io/v1') */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[]
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean
  /** decoded data of a Secret, or undefined */
  secretData(namespace: string, name: string): Record<string, string> | undefined
  deny(rule: DenyRule): void
  clearDenials(): void
  /** a kubeconfig (YAML) pointing at this emulator, for kubectl or KUBECONFIG */
  kubeconfig(options?: { namespace?: string; context?: string }): string
}

interface Route {
  type?: ResourceType
  version: string
  namespace?: string
  name?: string
  subresource?: string
  discovery?: EmulatorResponse
}

const BUILT_IN_PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
]
const CUSTOM_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json']
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const VERB_FOR: Record<string, string> = {
  GET: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
}

/** the identity behind the emulator's bearer tokens (also named in Forbidden messages) */
const CALLER = 'system:serviceaccount:floe:floe-cli'

const REVIEWS: Record<string, string> = {
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews': 'create selfsubjectaccessreviews',
  '/apis/authentication.k8s.io/v1/selfsubjectreviews': 'create selfsubjectreviews',
}

function age(timestamp: unknown): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(String(timestamp))) / 1000))
  if (!Number.isFinite(seconds)) return '<unknown>'
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}

/** the columns `kubectl get` shows for a kind (server-side printing) */
function tableColumns(type: ResourceType): { name: string; cell(o: KubeObject): unknown }[] {
  const name = { name: 'Name', cell: (o: KubeObject) => o.metadata?.name }
  const created = { name: 'Age', cell: (o: KubeObject) => age(o.metadata?.creationTimestamp) }
  switch (type.plural) {
    case 'secrets':
      return [
        name,
        { name: 'Type', cell: (o) => o.type ?? 'Opaque' },
        { name: 'Data', cell: (o) => Object.keys(o.data ?? {}).length },
        created,
      ]
    case 'deployments':
      return [
        name,
        { name: 'Ready', cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}` },
        { name: 'Up-to-date', cell: (o) => o.status?.updatedReplicas ?? 0 },
        { name: 'Available', cell: (o) => o.status?.availableReplicas ?? 0 },
        created,
      ]
    case 'externalsecrets':
      return [
        name,
        { name: 'Store', cell: (o) => o.spec?.secretStoreRef?.name ?? '' },
        { name: 'Refresh Interval', cell: (o) => o.spec?.refreshInterval ?? '' },
        {
          name: 'Status',
          cell: (o) =>
            ((o.status?.conditions ?? []) as KubeObject[]).find((c) => c.type === 'Ready')
              ?.reason ?? '',
        },
        created,
      ]
    case 'namespaces':
      return [name, { name: 'Status', cell: (o) => o.status?.phase ?? '' }, created]
    default:
      return [name, created]
  }
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const keyOf = (type: ResourceType, namespace: string | undefined, name: string): string =>
  `${type.group}/${type.plural}/${namespace ?? ''}/${name}`

/**
 * A minimal Kubernetes API server on 127.0.0.1: enough of core/v1, apps/v1, batch/v1, RBAC and
 * external-secrets.io for @kubernetes/client-node and kubectl-style clients, with the real
 * server's Status errors, resourceVersion concurrency, patch formats and bearer-token auth.
 * Operations are named `<verb> <plural>` (e.g. `get secrets`, `patch externalsecrets`).
 */
export async function startKubernetesEmulator(
  options: KubernetesEmulatorOptions = {},
): Promise<KubernetesEmulator> {
  const tokens = options.tokens ?? ['floe-test-token']
  const objects = new Map<string, KubeObject>()
  const denials: DenyRule[] = []
  let resourceVersion = 1000

  const nextVersion = (): string => String(++resourceVersion)

  function stored(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    return objects.get(keyOf(type, type.namespaced ? namespace : undefined, name))
  }

  function present(
    object: KubeObject,
    type: ResourceType,
    version: string,
    inList = false,
  ): KubeObject {
    const copy = structuredClone(object)
    if (inList && type.builtIn) {
      delete copy.apiVersion
      delete copy.kind
      return copy
    }
    return { apiVersion: apiVersionOf(type, version), kind: type.kind, ...copy }
  }

  function normalizeSecret(object: KubeObject): EmulatorResponse | undefined {
    const name = String(object.metadata?.name ?? '')
    const secretType = findResource('', 'v1', 'secrets') as ResourceType
    const data: Record<string, string> = { ...(object.data ?? {}) }
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string' || !BASE64.test(value))
        return badRequest(
          `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0`,
        )
      if (!SECRET_KEY.test(key))
        return invalid(
          secretType,
          name,
          `data[${key}]`,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
          key,
        )
    }
    for (const [key, value] of Object.entries(object.stringData ?? {})) {
      if (!SECRET_KEY.test(key))
        return invalid(
          secretType,
          name,
          `stringData[${key}]`,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
          key,
        )
      data[key] = Buffer.from(String(value), 'utf8').toString('base64')
    }
    delete object.stringData
    object.data = data
    object.type ??= 'Opaque'
    return undefined
  }

  /** metadata and body checks shared by create and update; returns an error response or undefined */
  function validate(
    type: ResourceType,
    object: KubeObject,
    route: Route,
  ): EmulatorResponse | undefined {
    const name = object.metadata?.name
    if (typeof name !== 'string' || !name)
      return invalid(type, '', 'metadata.name', 'name or generateName is required')
    const pattern = type.plural === 'namespaces' ? DNS1123_LABEL : DNS1123_SUBDOMAIN
    if (!pattern.test(name) || name.length > 253)
      return invalid(
        type,
        name,
        'metadata.name',
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        name,
      )
    if (object.kind !== undefined && object.kind !== type.kind)
      return badRequest(
        `${type.kind} in version "${route.version}" cannot be handled as a ${type.kind}: kind mismatch (${String(object.kind)})`,
      )
    if (
      object.apiVersion !== undefined &&
      object.apiVersion !== apiVersionOf(type, route.version) &&
      !type.versions.some((v) => apiVersionOf(type, v) === object.apiVersion)
    )
      return badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type, route.version)})`,
      )
    if (
      type.namespaced &&
      object.metadata.namespace !== undefined &&
      object.metadata.namespace !== route.namespace
    )
      return badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      )
    if (type.plural === 'secrets') return normalizeSecret(object)
    return undefined
  }

  function save(type: ResourceType, object: KubeObject, previous?: KubeObject): KubeObject {
    const metadata = object.metadata
    metadata.resourceVersion = nextVersion()
    if (previous) {
      metadata.uid = previous.metadata.uid
      metadata.creationTimestamp = previous.metadata.creationTimestamp
      if (!type.builtIn || ['deployments', 'jobs', 'cronjobs'].includes(type.plural)) {
        const specChanged = JSON.stringify(previous.spec) !== JSON.stringify(object.spec)
        metadata.generation = (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0)
      }
    } else {
      metadata.uid = randomUUID()
      metadata.creationTimestamp = nowSeconds()
      if (!type.builtIn || ['deployments', 'jobs', 'cronjobs'].includes(type.plural))
        metadata.generation = 1
    }
    delete object.apiVersion
    delete object.kind
    objects.set(
      keyOf(type, type.namespaced ? metadata.namespace : undefined, metadata.name),
      object,
    )
    return object
  }

  function ensureNamespace(name: string): void {
    const type = findResource('', 'v1', 'namespaces') as ResourceType
    if (!stored(type, undefined, name))
      save(type, {
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      })
  }

  function putObject(input: KubeObject): KubeObject {
    const type = resourceForKind(String(input.apiVersion ?? ''), String(input.kind ?? ''))
    if (!type)
      throw new Error(
        `kubernetes emulator does not serve ${String(input.apiVersion)} ${String(input.kind)}`,
      )
    const object = structuredClone(input)
    object.metadata ??= {}
    if (type.namespaced) {
      object.metadata.namespace ??= 'default'
      ensureNamespace(object.metadata.namespace)
    }
    if (type.plural === 'secrets') {
      const error = normalizeSecret(object)
      if (error) throw new Error(`invalid seed secret ${String(object.metadata.name)}`)
    }
    const requested = input.metadata?.creationTimestamp
    const saved = save(type, object, stored(type, object.metadata.namespace, object.metadata.name))
    // the direct API may backdate objects (AGE columns); the HTTP API never lets clients set it
    if (typeof requested === 'string') saved.metadata.creationTimestamp = requested
    return saved
  }

  function seed(value: KubeSeed): void {
    for (const ns of value.namespaces ?? []) ensureNamespace(ns)
    for (const s of value.secrets ?? [])
      putObject({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: s.name,
          namespace: s.namespace,
          ...(s.labels ? { labels: s.labels } : {}),
          ...(s.annotations ? { annotations: s.annotations } : {}),
        },
        type: s.type ?? 'Opaque',
        stringData: s.stringData ?? {},
      })
    for (const o of value.objects ?? []) putObject(o)
  }

  function route(path: string): Route | EmulatorResponse {
    const parts = path.split('/').filter(Boolean)
    let group: string
    let version: string
    let rest: string[]
    if (parts[0] === 'api') {
      if (parts.length === 1)
        return {
          version: '',
          discovery: {
            status: 200,
            body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
          },
        }
      group = ''
      version = parts[1] as string
      rest = parts.slice(2)
    } else if (parts[0] === 'apis') {
      if (parts.length === 1) return { version: '', discovery: { status: 200, body: groupList() } }
      group = parts[1] as string
      version = parts[2] ?? ''
      if (!version) return { version: '', discovery: groupDiscovery(group) }
      rest = parts.slice(3)
    } else if (parts[0] === 'version' && parts.length === 1) {
      return {
        version: '',
        discovery: {
          status: 200,
          body: {
            major: '1',
            minor: '31',
            gitVersion: 'v1.31.0-floe-emulator',
            platform: 'linux/amd64',
          },
        },
      }
    } else {
      return statusFailure(404, 'NotFound', 'the server could not find the requested resource')
    }
    if (rest.length === 0) return { version, discovery: resourceList(group, version) }
    let namespace: string | undefined
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1]
      rest = rest.slice(2)
    }
    const [plural, name, subresource, ...extra] = rest
    const type = findResource(group, version, plural ?? '')
    if (!type || extra.length || (subresource !== undefined && subresource !== 'status'))
      return statusFailure(404, 'NotFound', 'the server could not find the requested resource')
    if (namespace !== undefined && !type.namespaced)
      return statusFailure(404, 'NotFound', 'the server could not find the requested resource')
    return { type, version, namespace, name, subresource }
  }

  function groupList(): KubeObject {
    const groups = [...new Set(RESOURCE_TYPES.filter((r) => r.group).map((r) => r.group))]
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((name) => {
        const versions = (RESOURCE_TYPES.find((r) => r.group === name) as ResourceType).versions
        return {
          name,
          versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
        }
      }),
    }
  }

  function groupDiscovery(group: string): EmulatorResponse {
    const list = groupList().groups.find((g: KubeObject) => g.name === group)
    return list
      ? { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...list } }
      : statusFailure(404, 'NotFound', 'the server could not find the requested resource')
  }

  function resourceList(group: string, version: string): EmulatorResponse {
    const types = RESOURCE_TYPES.filter((r) => r.group === group && r.versions.includes(version))
    if (!types.length)
      return statusFailure(404, 'NotFound', 'the server could not find the requested resource')
    const resources = types.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      },
      ...(r.statusSubresource
        ? [
            {
              name: `${r.plural}/status`,
              singularName: '',
              namespaced: r.namespaced,
              kind: r.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ])
    return {
      status: 200,
      body: {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources,
      },
    }
  }

  function operation(req: EmulatorRequest): string | EmulatorResponse {
    const auth = String(req.headers.authorization ?? '')
    const match = auth.match(/^Bearer\s+(.+)$/i)
    if (!match || !tokens.includes((match[1] as string).trim())) return unauthorized()
    const review = REVIEWS[req.path.replace(/\/+$/, '')]
    if (review) return req.method === 'POST' ? review : methodNotAllowed(req.method)
    const routed = route(req.path)
    if ('status' in routed) return routed
    if (routed.discovery) return req.method === 'GET' ? 'discovery' : methodNotAllowed(req.method)
    const type = routed.type as ResourceType
    let verb = VERB_FOR[req.method]
    if (!verb) return methodNotAllowed(req.method)
    if (verb === 'get' && !routed.name)
      verb = req.query.get('watch') === 'true' || req.query.get('watch') === '1' ? 'watch' : 'list'
    if (verb === 'create' && routed.name) return methodNotAllowed(req.method)
    if (verb !== 'create' && verb !== 'list' && !routed.name) return methodNotAllowed(req.method)
    if (verb === 'watch')
      return statusFailure(
        405,
        'MethodNotAllowed',
        'the floe Kubernetes emulator does not serve watches; poll with list',
      )
    if (type.namespaced && routed.namespace === undefined && verb !== 'list')
      return statusFailure(404, 'NotFound', 'the server could not find the requested resource')
    const rule = denials.find(
      (d) =>
        (d.verb === undefined || d.verb === verb) &&
        (d.resource === undefined || d.resource === type.plural) &&
        (d.namespace === undefined || d.namespace === routed.namespace) &&
        (d.name === undefined || d.name === routed.name),
    )
    if (rule) return forbidden(type, verb, routed.name, routed.namespace, CALLER)
    const contentType =
      String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase() ?? ''
    if (verb === 'patch') {
      const accepted = type.builtIn ? BUILT_IN_PATCH_TYPES : CUSTOM_PATCH_TYPES
      if (!accepted.includes(contentType)) return unsupportedMediaType(accepted)
    } else if (verb === 'create' || verb === 'update') {
      if (contentType !== 'application/json') return unsupportedMediaType(['application/json'])
    }
    if ((verb === 'create' || verb === 'update' || verb === 'patch') && req.json === undefined)
      return badRequest(`the request body could not be decoded as JSON`)
    return `${verb} ${type.plural}${routed.subresource ? '/status' : ''}`
  }

  function handle(op: string, req: EmulatorRequest): EmulatorResponse {
    if (op === 'create selfsubjectaccessreviews') return accessReview(req.json as KubeObject)
    if (op === 'create selfsubjectreviews') return whoAmI()
    const routed = route(req.path)
    if ('status' in routed) return routed
    if (routed.discovery) return routed.discovery
    const type = routed.type as ResourceType
    const { namespace, name, version } = routed
    const verb = op.split(' ')[0] as string
    const statusOnly = routed.subresource === 'status'

    // dryRun=All: validate and answer as usual, change nothing (kubectl --dry-run=server, diff)
    // kubectl delete sends it in the DeleteOptions body, other verbs in the query
    const bodyDryRun = verb === 'delete' ? (req.json as KubeObject | undefined)?.dryRun : undefined
    const dryRun =
      req.query.getAll('dryRun').includes('All') ||
      (Array.isArray(bodyDryRun) && bodyDryRun.includes('All'))
    if (req.query.getAll('dryRun').some((v) => v !== 'All'))
      return badRequest(`Invalid dry run value: ${req.query.getAll('dryRun').join(',')}`)
    if (verb === 'list') {
      if (req.headers.accept?.includes('as=Table'))
        return table(type, list(type, version, namespace, req.query))
      return list(type, version, namespace, req.query)
    }
    if (verb === 'create') return create(type, version, namespace, req.json as KubeObject, dryRun)

    const existing = stored(type, namespace, name as string)
    if (!existing) return notFound(type, name as string)
    if (verb === 'get') {
      const one = { status: 200, body: present(existing, type, version) }
      return req.headers.accept?.includes('as=Table') ? table(type, one) : one
    }
    if (verb === 'delete') {
      if (!dryRun) {
        objects.delete(keyOf(type, type.namespaced ? namespace : undefined, name as string))
        collectOrphans(existing.metadata.uid)
      }
      return {
        status: 200,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: {
            name,
            ...(type.group ? { group: type.group } : {}),
            kind: type.plural,
            uid: existing.metadata.uid,
          },
        },
      }
    }

    let next: KubeObject
    if (verb === 'update') {
      next = structuredClone(req.json as KubeObject)
      if (typeof next !== 'object' || next === null || Array.isArray(next))
        return badRequest('the request body must be an object')
      next.metadata ??= {}
      if (next.metadata.name !== undefined && next.metadata.name !== name)
        return badRequest(
          `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`,
        )
      next.metadata.name = name
      const sent = next.metadata.resourceVersion
      if (sent === undefined || sent === '') {
        if (!type.builtIn)
          return invalid(
            type,
            name as string,
            'metadata.resourceVersion',
            'must be specified for an update',
            0,
          )
      } else if (String(sent) !== existing.metadata.resourceVersion)
        return conflict(type, name as string)
    } else {
      const contentType = String(req.headers['content-type']).split(';')[0]?.trim().toLowerCase()
      const base = present(existing, type, version) as Json
      try {
        if (contentType === 'application/json-patch+json')
          next = jsonPatch(base, req.json) as KubeObject
        else if (contentType === 'application/merge-patch+json')
          next = mergePatch(base, req.json as Json) as KubeObject
        else next = strategicMergePatch(base, req.json as Json) as KubeObject
      } catch (error) {
        if (error instanceof PatchError)
          return error.status === 400
            ? badRequest(error.message)
            : statusFailure(422, 'Invalid', error.message)
        throw error
      }
      if (typeof next !== 'object' || next === null || Array.isArray(next))
        return badRequest('the patched object must be an object')
      const sent = (req.json as KubeObject | undefined)?.metadata?.resourceVersion
      if (
        !Array.isArray(req.json) &&
        sent !== undefined &&
        String(sent) !== existing.metadata.resourceVersion
      )
        return conflict(type, name as string)
      next.metadata ??= {}
      if (next.metadata.name !== name)
        return badRequest('metadata.name cannot be changed by a patch')
    }
    if (type.namespaced) next.metadata.namespace ??= namespace
    const error = validate(type, next, routed)
    if (error) return error
    if (type.statusSubresource) {
      // the main resource ignores status; the status subresource changes only status
      if (statusOnly) next = { ...structuredClone(existing), status: next.status }
      else next.status = structuredClone(existing.status)
      if (next.status === undefined) delete next.status
    }
    if (dryRun) {
      const preview: KubeObject = { ...structuredClone(next), metadata: { ...next.metadata } }
      preview.metadata.uid = existing.metadata.uid
      preview.metadata.creationTimestamp = existing.metadata.creationTimestamp
      preview.metadata.resourceVersion = existing.metadata.resourceVersion
      delete preview.apiVersion
      delete preview.kind
      return { status: 200, body: present(preview, type, version) }
    }
    return { status: 200, body: present(save(type, next, existing), type, version) }
  }

  function create(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    body: KubeObject,
    dryRun = false,
  ): EmulatorResponse {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return badRequest('the request body must be an object')
    const object = structuredClone(body)
    object.metadata ??= {}
    if (!object.metadata.name && object.metadata.generateName)
      object.metadata.name = `${String(object.metadata.generateName)}${randomUUID().slice(0, 5)}`
    if (type.namespaced) object.metadata.namespace ??= namespace
    const error = validate(type, object, { type, version, namespace })
    if (error) return error
    if (
      type.namespaced &&
      !stored(findResource('', 'v1', 'namespaces') as ResourceType, undefined, namespace as string)
    )
      return notFound(findResource('', 'v1', 'namespaces') as ResourceType, namespace as string)
    if (stored(type, namespace, object.metadata.name))
      return alreadyExists(type, object.metadata.name)
    for (const field of ['resourceVersion', 'uid', 'creationTimestamp']) {
      if (field === 'resourceVersion' && object.metadata.resourceVersion)
        return invalid(
          type,
          object.metadata.name,
          'metadata.resourceVersion',
          'must not be set on create',
          object.metadata.resourceVersion,
        )
      delete object.metadata[field]
    }
    if (type.plural === 'namespaces') object.status = { phase: 'Active' }
    if (dryRun) {
      object.metadata.uid = randomUUID()
      object.metadata.creationTimestamp = nowSeconds()
      delete object.apiVersion
      delete object.kind
      return { status: 201, body: present(object, type, version) }
    }
    return { status: 201, body: present(save(type, object), type, version) }
  }

  function list(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    query: URLSearchParams,
  ): EmulatorResponse {
    let labelMatch: (labels: Record<string, string>) => boolean = () => true
    let fieldMatch: (object: KubeObject) => boolean = () => true
    try {
      const labelSelector = query.get('labelSelector')
      if (labelSelector) labelMatch = parseLabelSelector(labelSelector)
      const fieldSelector = query.get('fieldSelector')
      if (fieldSelector)
        fieldMatch = parseFieldSelector(
          fieldSelector,
          (o: KubeObject) => ({
            'metadata.name': String(o.metadata?.name),
            'metadata.namespace': String(o.metadata?.namespace ?? ''),
            ...(type.plural === 'secrets' ? { type: String(o.type) } : {}),
          }),
          ['metadata.name', 'metadata.namespace', ...(type.plural === 'secrets' ? ['type'] : [])],
        )
    } catch (error) {
      if (error instanceof SelectorError) return badRequest(error.message)
      throw error
    }
    const items = [...objects.values()]
      .filter((o) => objects.get(keyOfObject(type, o)) === o)
      .filter(
        (o) => !type.namespaced || namespace === undefined || o.metadata.namespace === namespace,
      )
      .filter((o) => labelMatch(o.metadata.labels ?? {}) && fieldMatch(o))
      .sort((a, b) =>
        `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
        ),
      )
      .map((o) => present(o, type, version, true))
    // limit/continue: the token is the offset into this (name-sorted) listing
    const limit = Number(query.get('limit') ?? 0)
    const token = query.get('continue')
    let offset = 0
    if (token) {
      const parsed = Number(Buffer.from(token, 'base64url').toString('utf8'))
      if (!Number.isInteger(parsed) || parsed < 0)
        return statusFailure(
          410,
          'Expired',
          'The provided continue parameter is too old or invalid',
        )
      offset = parsed
    }
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset)
    const more = limit > 0 && offset + limit < items.length
    return {
      status: 200,
      body: {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type, version),
        metadata: {
          resourceVersion: String(resourceVersion),
          ...(more
            ? {
                continue: Buffer.from(String(offset + limit)).toString('base64url'),
                remainingItemCount: items.length - offset - limit,
              }
            : {}),
        },
        items: page,
      },
    }
  }

  /** `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get): server-side columns */
  function table(type: ResourceType, answer: EmulatorResponse): EmulatorResponse {
    if (answer.status !== 200) return answer
    const body = answer.body as KubeObject
    const rows: KubeObject[] = body.items ?? [body]
    const columns = tableColumns(type)
    return {
      status: 200,
      body: {
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        metadata: {
          resourceVersion: String(body.metadata?.resourceVersion ?? resourceVersion),
          ...(body.metadata?.continue ? { continue: body.metadata.continue } : {}),
        },
        columnDefinitions: columns.map((c) => ({
          name: c.name,
          type: c.name === 'Data' ? 'integer' : 'string',
          format: c.name === 'Name' ? 'name' : '',
          description: c.name,
          priority: 0,
        })),
        rows: rows.map((o) => ({
          cells: columns.map((c) => c.cell(o)),
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: o.metadata,
          },
        })),
      },
    }
  }

  function whoAmI(): EmulatorResponse {
    return {
      status: 201,
      body: {
        kind: 'SelfSubjectReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        status: {
          userInfo: {
            username: CALLER,
            uid: 'floe-cli',
            groups: [
              'system:serviceaccounts',
              'system:serviceaccounts:floe',
              'system:authenticated',
            ],
          },
        },
      },
    }
  }

  /**
   * SelfSubjectAccessReview for the caller (the emulator's one identity, CALLER): denied when a
   * deny rule matches; else, when Roles/RoleBindings in the emulator name the caller, allowed
   * only by their rules; else allowed (the emulator's token acts as a cluster admin).
   */
  function accessReview(body: KubeObject): EmulatorResponse {
    const attrs = (body?.spec?.resourceAttributes ?? {}) as KubeObject
    const verb = String(attrs.verb ?? '')
    const resource = String(attrs.resource ?? '')
    const group = String(attrs.group ?? '')
    const namespace = attrs.namespace ? String(attrs.namespace) : undefined
    const name = attrs.name ? String(attrs.name) : undefined
    const answer = (allowed: boolean, reason: string): EmulatorResponse => ({
      status: 201,
      body: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: body?.spec ?? {},
        status: { allowed, ...(allowed ? {} : { denied: true }), reason },
      },
    })
    if (!verb || (!resource && !body?.spec?.nonResourceAttributes))
      return badRequest('spec.resourceAttributes.verb and .resource are required')
    const denial = denials.find(
      (d) =>
        (d.verb === undefined || d.verb === verb) &&
        (d.resource === undefined || d.resource === resource) &&
        (d.namespace === undefined || d.namespace === namespace) &&
        (d.name === undefined || d.name === name),
    )
    if (denial) return answer(false, 'denied by a deny rule of the floe emulator')
    const rbac = (plural: string) =>
      findResource('rbac.authorization.k8s.io', 'v1', plural) as ResourceType
    const bindings = [...objects.values()].filter(
      (o) =>
        objects.get(keyOfObject(rbac('rolebindings'), o)) === o &&
        (o.subjects ?? []).some(
          (s: KubeObject) =>
            (s.kind === 'ServiceAccount' &&
              s.name === 'floe-cli' &&
              (s.namespace ?? o.metadata.namespace) === 'floe') ||
            (s.kind === 'User' && s.name === CALLER),
        ),
    )
    if (bindings.length === 0)
      return answer(true, 'no RBAC objects name the caller: the emulator token is an admin')
    const matches = (list: unknown, value: string) =>
      Array.isArray(list) && (list.includes('*') || list.includes(value))
    for (const binding of bindings) {
      if (namespace !== undefined && binding.metadata.namespace !== namespace) continue
      if (binding.roleRef?.kind !== 'Role') continue
      const role = stored(rbac('roles'), binding.metadata.namespace, String(binding.roleRef.name))
      for (const rule of (role?.rules ?? []) as KubeObject[]) {
        if (
          matches(rule.verbs, verb) &&
          matches(rule.resources, resource) &&
          matches(rule.apiGroups, group) &&
          (!rule.resourceNames?.length || (name !== undefined && rule.resourceNames.includes(name)))
        )
          return answer(
            true,
            `RBAC: allowed by RoleBinding "${String(binding.metadata.name)}" of Role "${String(binding.roleRef.name)}"`,
          )
      }
    }
    return answer(false, '')
  }

  function keyOfObject(type: ResourceType, o: KubeObject): string {
    return keyOf(type, type.namespaced ? o.metadata.namespace : undefined, o.metadata.name)
  }

  /** the garbage collector's part that matters here: owned objects go with their owner */
  function collectOrphans(uid: string): void {
    for (const [key, object] of objects) {
      const refs: KubeObject[] = object.metadata.ownerReferences ?? []
      if (refs.length && refs.every((r) => r.uid === uid)) {
        objects.delete(key)
        collectOrphans(object.metadata.uid)
      }
    }
  }

  const base = await startHttpEmulator({
    name: 'kubernetes',
    tls: options.tls,
    port: options.port,
    operation,
    handle: (op, req) => handle(op, req),
    faultResponse: (kind, fault) =>
      kind === 'throttle'
        ? {
            ...statusFailure(429, 'TooManyRequests', 'Too many requests, please try again later.', {
              causes: [],
            }),
            headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          }
        : fault.status === 503 || fault.status === undefined || fault.status >= 500
          ? statusFailure(
              fault.status ?? 500,
              fault.status === 503 ? 'ServiceUnavailable' : 'InternalError',
              'Internal error occurred: injected fault',
            )
          : statusFailure(fault.status, 'BadRequest', 'injected fault'),
  })

  if (options.seed) seed(options.seed)

  const typeFor = (apiVersion: string, kind: string): ResourceType => {
    const type = resourceForKind(apiVersion, kind)
    if (!type) throw new Error(`kubernetes emulator does not serve ${apiVersion} ${kind}`)
    return type
  }

  return {
    ...base,
    token: tokens[0] as string,
    seed,
    put: (object) =>
      present(
        putObject(object),
        typeFor(String(object.apiVersion), String(object.kind)),
        String(object.apiVersion).split('/').pop() as string,
      ),
    get(apiVersion, kind, namespace, name) {
      const type = typeFor(apiVersion, kind)
      const object = stored(type, namespace, name)
      return object ? present(object, type, apiVersion.split('/').pop() as string) : undefined
    },
    list(apiVersion, kind, namespace) {
      const type = typeFor(apiVersion, kind)
      return [...objects.values()]
        .filter(
          (o) =>
            objects.get(keyOfObject(type, o)) === o &&
            (!namespace || o.metadata.namespace === namespace),
        )
        .map((o) => present(o, type, apiVersion.split('/').pop() as string))
    },
    remove(apiVersion, kind, namespace, name) {
      const type = typeFor(apiVersion, kind)
      const object = stored(type, namespace, name)
      if (!object) return false
      objects.delete(keyOfObject(type, object))
      collectOrphans(object.metadata.uid)
      return true
    },
    secretData(namespace, name) {
      const object = stored(typeFor('v1', 'Secret'), namespace, name)
      if (!object) return undefined
      return Object.fromEntries(
        Object.entries(object.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(String(v), 'base64').toString('utf8'),
        ]),
      )
    },
    deny: (rule) => void denials.push(rule),
    clearDenials: () => void (denials.length = 0),
    kubeconfig({ namespace = 'default', context = 'floe-emulator' } = {}) {
      return [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: ${context}`,
        '  cluster:',
        `    server: ${base.url}`,
        // client-node refuses plain http unless TLS verification is explicitly skipped
        options.tls
          ? `    certificate-authority-data: ${Buffer.from(testCertificate().ca).toString('base64')}`
          : '    insecure-skip-tls-verify: true',
        'users:',
        `- name: ${context}`,
        '  user:',
        `    token: ${tokens[0]}`,
        'contexts:',
        `- name: ${context}`,
        '  context:',
        `    cluster: ${context}`,
        `    user: ${context}`,
        `    namespace: ${namespace}`,
        `current-context: ${context}`,
        '',
      ].join('\n')
    },
  }
}
