import { randomUUID } from 'node:crypto'
import {
  startHttpEmulator,
  testCertificate,
  type EmulatorRequest,
  type EmulatorResponse,
  type HttpEmulator,
} from '../emulator/index.js'
import { validateFields, withWarnings } from './field-validation.js'
import { openApiV3 } from './openapi.js'
import { jsonPatch, mergePatch, PatchError, strategicMergePatch, type Json } from './patch.js'
import {
  apiVersionOf,
  findResource,
  RESOURCE_TYPES,
  resourceForKind,
  type ResourceType,
} from './resources.js'
import { objectSelector, SelectorError } from './selectors.js'
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
import {
  CORE_VERSIONS,
  groupDiscovery,
  groupList,
  resourceList,
  serverNotFound,
  VERSION_INFO,
} from './discovery.js'
import { accessReview, CALLER, denialFor, whoAmI, type DenyRule } from './rbac/access-review.js'
import { RolloutSimulator, rolloutStatus, type RolloutOutcome } from './rollout.js'
import { scaleOf } from './scale.js'
import { table, tableOf, wantsTable } from './table.js'
import type { KubeObject, ObjectView } from './types.js'
import { WatchHub } from './watch.js'

export type { KubeObject } from './types.js'
export type { DenyRule } from './rbac/access-review.js'
export type { RolloutOutcome } from './rollout.js'

export interface KubernetesEmulatorOptions {
  /** bearer tokens accepted (default: one token, `floe-test-token`) */
  tokens?: string[]
  /** objects to create at start (namespaces are created implicitly) */
  seed?: KubeSeed
  tls?: boolean
  port?: number
  /**
   * how long the simulated deployment controller takes to roll out a new generation of a
   * Deployment (status observedGeneration/updated/available replicas; default 50 ms)
   */
  rolloutDelayMs?: number
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
  /**
   * the next rollouts of this Deployment end as `outcome`: `deadline` (Progressing=False,
   * ProgressDeadlineExceeded) or `hang` (never completes); default `deadline`
   */
  failRollout(namespace: string, name: string, outcome?: Exclude<RolloutOutcome, 'complete'>): void
  /** rollouts complete again */
  clearRolloutFailures(): void
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

const REVIEWS: Record<string, string> = {
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews': 'create selfsubjectaccessreviews',
  '/apis/authentication.k8s.io/v1/selfsubjectreviews': 'create selfsubjectreviews',
}

function nowSeconds(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const byNamespacedName = (a: KubeObject, b: KubeObject): number =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
    `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
  )

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
  const hub = new WatchHub()
  const rollouts = new RolloutSimulator(options.rolloutDelayMs ?? 50, writeRolloutStatus)

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
    hub.record(previous ? 'MODIFIED' : 'ADDED', type, object)
    return object
  }

  /** removes a stored object; watchers see DELETED with the deletion's resourceVersion */
  function drop(type: ResourceType, object: KubeObject): void {
    objects.delete(keyOfObject(type, object))
    const gone = structuredClone(object)
    gone.metadata.resourceVersion = nextVersion()
    hub.record('DELETED', type, gone)
  }

  /** the simulated deployment controller's status write for `generation`, if still current */
  function writeRolloutStatus(
    namespace: string,
    name: string,
    generation: number,
    outcome: RolloutOutcome,
  ): void {
    const type = findResource('apps', 'v1', 'deployments') as ResourceType
    const current = stored(type, namespace, name)
    if (!current || Number(current.metadata.generation ?? 1) !== generation) return
    const next = structuredClone(current)
    next.status = rolloutStatus(current, outcome)
    save(type, next, current)
  }

  /** a Deployment whose spec changed gets a rollout (the controller's reaction) */
  function afterWrite(type: ResourceType, saved: KubeObject, previous?: KubeObject): void {
    if (type.plural !== 'deployments') return
    if (!previous || previous.metadata.generation !== saved.metadata.generation)
      rollouts.schedule(saved)
  }

  const view: ObjectView = {
    all: (type) => [...objects.values()].filter((o) => objects.get(keyOfObject(type, o)) === o),
    one: (type, namespace, name) => stored(type, namespace, name),
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
    // the direct API seeds a steady state: a Deployment without status is rolled out already
    if (type.plural === 'deployments' && input.status === undefined)
      saved.status = rolloutStatus(saved, 'complete')
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
          discovery: { status: 200, body: CORE_VERSIONS },
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
      return { version: '', discovery: { status: 200, body: VERSION_INFO } }
    } else if (parts[0] === 'openapi' && parts[1] === 'v3') {
      return { version: '', discovery: openApiV3(parts.slice(2)) }
    } else {
      return serverNotFound()
    }
    if (rest.length === 0) return { version, discovery: resourceList(group, version) }
    let namespace: string | undefined
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1]
      rest = rest.slice(2)
    }
    const [plural, name, subresource, ...extra] = rest
    const type = findResource(group, version, plural ?? '')
    const served =
      subresource === undefined ||
      (subresource === 'status' && type?.statusSubresource) ||
      (subresource === 'scale' && type?.scaleSubresource)
    if (!type || extra.length || !served) return serverNotFound()
    if (namespace !== undefined && !type.namespaced) return serverNotFound()
    return { type, version, namespace, name, subresource }
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
    if (verb !== 'create' && verb !== 'list' && verb !== 'watch' && !routed.name)
      return methodNotAllowed(req.method)
    if (type.namespaced && routed.namespace === undefined && verb !== 'list' && verb !== 'watch')
      return statusFailure(404, 'NotFound', 'the server could not find the requested resource')
    const rule = denialFor(denials, {
      verb,
      resource: type.plural,
      ...(routed.namespace !== undefined ? { namespace: routed.namespace } : {}),
      ...(routed.name !== undefined ? { name: routed.name } : {}),
    })
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
    if (routed.subresource === 'scale' && verb !== 'get' && verb !== 'update' && verb !== 'patch')
      return methodNotAllowed(req.method)
    return `${verb} ${type.plural}${routed.subresource ? `/${routed.subresource}` : ''}`
  }

  function handleWithFieldValidation(op: string, req: EmulatorRequest): EmulatorResponse {
    const verb = op.split(' ')[0]
    const routed = route(req.path)
    if ((verb !== 'create' && verb !== 'update' && verb !== 'patch') || !('type' in routed))
      return handle(op, req)
    const outcome = validateFields(routed.type as ResourceType, routed.version, req.query, req.json)
    return 'response' in outcome
      ? outcome.response
      : withWarnings(handle(op, req), outcome.warnings)
  }

  function handle(op: string, req: EmulatorRequest): EmulatorResponse {
    if (op === 'create selfsubjectaccessreviews')
      return accessReview(req.json as KubeObject, view, denials)
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
      if (wantsTable(req.headers.accept))
        return table(type, list(type, version, namespace, req.query), String(resourceVersion))
      return list(type, version, namespace, req.query)
    }
    if (verb === 'watch') return watch(type, version, namespace, req)
    if (verb === 'create') return create(type, version, namespace, req.json as KubeObject, dryRun)

    const existing = stored(type, namespace, name as string)
    if (!existing) return notFound(type, name as string)
    if (routed.subresource === 'scale') return scale(type, existing, verb, req, dryRun)
    if (verb === 'get') {
      const one = { status: 200, body: present(existing, type, version) }
      return wantsTable(req.headers.accept) ? table(type, one, String(resourceVersion)) : one
    }
    if (verb === 'delete') {
      if (!dryRun) {
        drop(type, existing)
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
      const result = patched(present(existing, type, version), req)
      if ('failure' in result) return result.failure
      next = result.object
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
    const saved = save(type, next, existing)
    afterWrite(type, saved, existing)
    return { status: 200, body: present(saved, type, version) }
  }

  /** the request's patch (JSON, merge or strategic merge, by content type) applied to `base` */
  function patched(
    base: KubeObject,
    req: EmulatorRequest,
  ): { object: KubeObject } | { failure: EmulatorResponse } {
    const contentType = String(req.headers['content-type']).split(';')[0]?.trim().toLowerCase()
    let next: unknown
    try {
      if (contentType === 'application/json-patch+json') next = jsonPatch(base, req.json)
      else if (contentType === 'application/merge-patch+json')
        next = mergePatch(base, req.json as Json)
      else next = strategicMergePatch(base, req.json as Json)
    } catch (error) {
      if (error instanceof PatchError)
        return {
          failure:
            error.status === 400
              ? badRequest(error.message)
              : statusFailure(422, 'Invalid', error.message),
        }
      throw error
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next))
      return { failure: badRequest('the patched object must be an object') }
    return { object: next }
  }

  /** `…/scale` (kubectl scale): an autoscaling/v1 Scale over spec.replicas */
  function scale(
    type: ResourceType,
    existing: KubeObject,
    verb: string,
    req: EmulatorRequest,
    dryRun: boolean,
  ): EmulatorResponse {
    const current = scaleOf(existing)
    if (verb === 'get') return { status: 200, body: current }
    const outcome = verb === 'update' ? { object: req.json as KubeObject } : patched(current, req)
    if ('failure' in outcome) return outcome.failure
    const result = outcome.object
    if (typeof result !== 'object' || result === null || Array.isArray(result))
      return badRequest('the request body must be an object')
    const name = String(existing.metadata.name)
    const sent = result.metadata?.resourceVersion
    if (sent && String(sent) !== existing.metadata.resourceVersion) return conflict(type, name)
    const replicas = result.spec?.replicas
    if (!Number.isInteger(replicas) || replicas < 0)
      return invalid(type, name, 'spec.replicas', 'must be greater than or equal to 0', replicas)
    if (dryRun) return { status: 200, body: { ...current, spec: { replicas } } }
    const next = structuredClone(existing)
    next.spec = { ...next.spec, replicas }
    const saved = save(type, next, existing)
    afterWrite(type, saved, existing)
    return { status: 200, body: scaleOf(saved) }
  }

  /** the request's selectors, or the 400 a bad one gets */
  function selectorOf(
    type: ResourceType,
    query: URLSearchParams,
  ): ((object: KubeObject) => boolean) | EmulatorResponse {
    try {
      return objectSelector(type, query)
    } catch (error) {
      if (error instanceof SelectorError) return badRequest(error.message)
      throw error
    }
  }

  /** `?watch=1`: ADDED/MODIFIED/DELETED as JSON lines (Table rows when kubectl asks for them) */
  function watch(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    req: EmulatorRequest,
  ): EmulatorResponse {
    const selected = selectorOf(type, req.query)
    if ('status' in selected) return selected
    const asTable = wantsTable(req.headers.accept)
    return hub.watch({
      resource: type,
      query: req.query,
      matches: (o) =>
        (!type.namespaced || namespace === undefined || o.metadata.namespace === namespace) &&
        selected(o),
      current: () => view.all(type).sort(byNamespacedName),
      present: (o) =>
        asTable
          ? tableOf(type, [o], { resourceVersion: String(o.metadata.resourceVersion) })
          : present(o, type, version),
    })
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
    const saved = save(type, object)
    afterWrite(type, saved)
    return { status: 201, body: present(saved, type, version) }
  }

  function list(
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    query: URLSearchParams,
  ): EmulatorResponse {
    const selected = selectorOf(type, query)
    if ('status' in selected) return selected
    const items = [...objects.values()]
      .filter((o) => objects.get(keyOfObject(type, o)) === o)
      .filter(
        (o) => !type.namespaced || namespace === undefined || o.metadata.namespace === namespace,
      )
      .filter(selected)
      .sort(byNamespacedName)
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

  function typeOfKey(key: string): ResourceType {
    const [group, plural] = key.split('/')
    return RESOURCE_TYPES.find((r) => r.group === group && r.plural === plural) as ResourceType
  }

  function keyOfObject(type: ResourceType, o: KubeObject): string {
    return keyOf(type, type.namespaced ? o.metadata.namespace : undefined, o.metadata.name)
  }

  /** the garbage collector's part that matters here: owned objects go with their owner */
  function collectOrphans(uid: string): void {
    for (const [key, object] of objects) {
      const refs: KubeObject[] = object.metadata.ownerReferences ?? []
      if (refs.length && refs.every((r) => r.uid === uid)) {
        drop(typeOfKey(key), object)
        collectOrphans(object.metadata.uid)
      }
    }
  }

  const base = await startHttpEmulator({
    name: 'kubernetes',
    tls: options.tls,
    port: options.port,
    operation,
    handle: (op, req) => handleWithFieldValidation(op, req),
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
      drop(type, object)
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
    failRollout: (namespace, name, outcome = 'deadline') => rollouts.arm(namespace, name, outcome),
    clearRolloutFailures: () => rollouts.disarm(),
    close: async () => {
      rollouts.close()
      hub.close()
      await base.close()
    },
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
