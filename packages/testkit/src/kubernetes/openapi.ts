import { createHash } from 'node:crypto'
import type { EmulatorResponse } from '../emulator/index.js'
import { serverNotFound } from './discovery.js'
import { RESOURCE_TYPES, type ResourceType } from './resources.js'

/**
 * The OpenAPI v3 documents kubectl reads before it writes: the index at `/openapi/v3` and one
 * document per group-version. kubectl's field-validation check (cli-runtime
 * `queryParamVerifierV3`) looks for the PATCH operation of the object's kind and whether it takes
 * the `fieldValidation` query parameter; when it does, kubectl leaves validation to the server
 * (`?fieldValidation=Strict`, see field-validation.ts) instead of downloading `/openapi/v2`.
 * The documents describe operations and parameters only, not schemas, and list no strategic merge
 * request body, so kubectl computes its patches from its compiled-in types (as it does for any
 * server whose schema it cannot use): `kubectl explain` is not served.
 */

const QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}))

const PATCH_BODY_TYPES = ['application/json-patch+json', 'application/merge-patch+json']

function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`
}

function operationsOf(type: ResourceType, version: string): Record<string, unknown> {
  const gvk = { group: type.group, version, kind: type.kind }
  const base = `/${groupVersionPath(type.group, version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`
  const pathParameters = (withName: boolean) =>
    [...(type.namespaced ? ['namespace'] : []), ...(withName ? ['name'] : [])].map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', uniqueItems: true },
    }))
  const operation = (action: string, withName: boolean, body?: string[]) => ({
    operationId: `${action}${type.kind}`,
    parameters: [...pathParameters(withName), ...QUERY_PARAMETERS],
    ...(body
      ? { requestBody: { content: Object.fromEntries(body.map((t) => [t, { schema: {} }])) } }
      : {}),
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  })
  return {
    [base]: {
      get: operation('list', false),
      post: operation('post', false, ['*/*']),
    },
    [`${base}/{name}`]: {
      get: operation('get', true),
      put: operation('put', true, ['*/*']),
      patch: operation('patch', true, PATCH_BODY_TYPES),
      delete: operation('delete', true),
    },
  }
}

function documentOf(group: string, version: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((r) => r.group === group && r.versions.includes(version))
  if (!types.length) return undefined
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (floe-sandbox)', version: 'v1.31.0' },
    paths: Object.assign({}, ...types.map((t) => operationsOf(t, version))),
    components: { schemas: {} },
  }
}

function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>()
  for (const type of RESOURCE_TYPES)
    for (const version of type.versions)
      seen.set(groupVersionPath(type.group, version), { group: type.group, version })
  return [...seen.values()]
}

const hashOf = (document: unknown): string =>
  createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase()

/** `GET /openapi/v3[/api/v1 | /apis/G/V]`; `parts` is the path after `openapi/v3` */
export function openApiV3(parts: string[]): EmulatorResponse {
  if (parts.length === 0) {
    const paths = Object.fromEntries(
      groupVersions().map(({ group, version }) => {
        const path = groupVersionPath(group, version)
        return [
          path,
          {
            serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(documentOf(group, version))}`,
          },
        ]
      }),
    )
    return { status: 200, body: { paths } }
  }
  const [root, first, second] = parts
  const group = root === 'apis' ? (first ?? '') : ''
  const version = root === 'apis' ? (second ?? '') : (first ?? '')
  const expectedLength = root === 'apis' ? 3 : 2
  const document =
    (root === 'api' || root === 'apis') && parts.length === expectedLength
      ? documentOf(group, version)
      : undefined
  return document ? { status: 200, body: document } : serverNotFound()
}
