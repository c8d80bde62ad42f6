import type { EmulatorResponse } from '../emulator/index.js'
import type { ResourceType } from './resources.js'
import { badRequest } from './status.js'

/**
 * Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`, what `kubectl apply` and
 * `create` send once the OpenAPI documents say the server supports it). The emulator knows the
 * top-level fields of each kind it serves and those of `metadata`; deeper fields are not checked.
 * Strict answers 400 with the API server's "strict decoding error" message; Warn (the server's
 * default when the parameter is absent) succeeds with one `Warning: 299` per unknown field.
 */

const COMMON = ['apiVersion', 'kind', 'metadata']
const WORKLOAD = [...COMMON, 'spec', 'status']

const FIELDS_BY_KIND: Record<string, string[]> = {
  Secret: [...COMMON, 'data', 'stringData', 'type', 'immutable'],
  ConfigMap: [...COMMON, 'data', 'binaryData', 'immutable'],
  ServiceAccount: [...COMMON, 'secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Role: [...COMMON, 'rules'],
  ClusterRole: [...COMMON, 'rules', 'aggregationRule'],
  RoleBinding: [...COMMON, 'subjects', 'roleRef'],
  ClusterRoleBinding: [...COMMON, 'subjects', 'roleRef'],
}

const METADATA_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]

const DIRECTIVES = ['Strict', 'Warn', 'Ignore']

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

// strategic merge patch directives ($patch, $retainKeys, $setElementOrder/…) are not fields
const isDirective = (key: string) => key.startsWith('$')

function unknownFields(type: ResourceType, body: Record<string, unknown>): string[] {
  const known = FIELDS_BY_KIND[type.kind] ?? WORKLOAD
  const unknown = Object.keys(body).filter((k) => !known.includes(k) && !isDirective(k))
  const metadata = body.metadata
  if (isRecord(metadata))
    for (const key of Object.keys(metadata))
      if (!METADATA_FIELDS.includes(key) && !isDirective(key)) unknown.push(`metadata.${key}`)
  return unknown
}

export type FieldValidationOutcome = { response: EmulatorResponse } | { warnings: string[] }

/** checks the body of a create, update or patch (a JSON patch array has no fields to check) */
export function validateFields(
  type: ResourceType,
  version: string,
  query: URLSearchParams,
  body: unknown,
): FieldValidationOutcome {
  const directive = query.get('fieldValidation') ?? 'Warn'
  if (!DIRECTIVES.includes(directive))
    return {
      response: badRequest(
        `fieldValidation parameter unsupported: ${directive}, must be one of "Ignore", "Warn", or "Strict"`,
      ),
    }
  if (directive === 'Ignore' || !isRecord(body)) return { warnings: [] }
  const unknown = unknownFields(type, body).map((field) => `unknown field "${field}"`)
  if (!unknown.length || directive === 'Warn') return { warnings: unknown }
  return {
    response: badRequest(
      `${type.kind} in version "${version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.join(', ')}`,
    ),
  }
}

/** the API server's Warning header: code 299, agent "-", one quoted text per warning */
export function withWarnings(response: EmulatorResponse, warnings: string[]): EmulatorResponse {
  if (!warnings.length) return response
  const header = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ')
  return { ...response, headers: { ...response.headers, warning: header } }
}
