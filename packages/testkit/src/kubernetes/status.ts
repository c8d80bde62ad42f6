import type { EmulatorResponse } from '../emulator/index.js'
import { qualifiedName, type ResourceType } from './resources.js'

/** A `kind: Status` failure exactly as the API server writes it. */
export function statusFailure(
  code: number,
  reason: string,
  message: string,
  details?: { name?: string; group?: string; kind?: string; causes?: unknown[] },
): EmulatorResponse {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
  }
}

function detailsOf(
  type: ResourceType,
  name: string,
): { name: string; group?: string; kind: string } {
  return { name, ...(type.group ? { group: type.group } : {}), kind: type.plural }
}

export const notFound = (type: ResourceType, name: string): EmulatorResponse =>
  statusFailure(
    404,
    'NotFound',
    `${qualifiedName(type)} "${name}" not found`,
    detailsOf(type, name),
  )

export const alreadyExists = (type: ResourceType, name: string): EmulatorResponse =>
  statusFailure(
    409,
    'AlreadyExists',
    `${qualifiedName(type)} "${name}" already exists`,
    detailsOf(type, name),
  )

export const conflict = (type: ResourceType, name: string): EmulatorResponse =>
  statusFailure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(type, name),
  )

export const invalid = (
  type: ResourceType,
  name: string,
  field: string,
  detail: string,
  value?: unknown,
): EmulatorResponse =>
  statusFailure(
    422,
    'Invalid',
    `${type.kind} "${name}" is invalid: ${field}: ${value === undefined ? detail : `Invalid value: ${JSON.stringify(value)}: ${detail}`}`,
    {
      ...detailsOf(type, name),
      kind: type.kind,
      causes: [
        {
          reason: 'FieldValueInvalid',
          message:
            value === undefined ? detail : `Invalid value: ${JSON.stringify(value)}: ${detail}`,
          field,
        },
      ],
    },
  )

export const badRequest = (message: string): EmulatorResponse =>
  statusFailure(400, 'BadRequest', message)

export const unauthorized = (): EmulatorResponse =>
  statusFailure(401, 'Unauthorized', 'Unauthorized')

export const forbidden = (
  type: ResourceType,
  verb: string,
  name: string | undefined,
  namespace: string | undefined,
  user: string,
): EmulatorResponse =>
  statusFailure(
    403,
    'Forbidden',
    `${qualifiedName(type)}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
    { ...(name ? { name } : {}), ...(type.group ? { group: type.group } : {}), kind: type.plural },
  )

export const unsupportedMediaType = (accepted: string[]): EmulatorResponse =>
  statusFailure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  )

export const methodNotAllowed = (method: string): EmulatorResponse =>
  statusFailure(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  )
