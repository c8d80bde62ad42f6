import {
  ConflictError,
  FloeError,
  ForbiddenError,
  InvalidSecretError,
  ProviderUnavailableError,
  SecretNotFoundError,
  type FloeErrorOptions,
} from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

/** gRPC status codes (google.rpc.Code) — numbers, so this module imports no gRPC runtime */
export const GrpcCode = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const

export const grpcCodeOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'number' ? code : undefined
}

/** the server's status text (resource names, states — the API never echoes payloads) */
const detailsOf = (error: unknown): string => {
  const details = (error as { details?: unknown } | null)?.details
  if (typeof details === 'string' && details) return details
  return error instanceof Error ? error.message : String(error)
}

/**
 * Maps a Secret Manager gRPC failure to a typed floe error. UNAUTHENTICATED is FORBIDDEN (a
 * credentials problem is not retried); throttling, deadlines and connection failures are
 * UNAVAILABLE so the resolver backs off and retries.
 */
export function classifyGcpError(error: unknown, what: string, secret?: string): FloeError {
  if (error instanceof FloeError) return error
  const opts: FloeErrorOptions = {
    provider: PROVIDER_NAME,
    ...(secret ? { secret } : {}),
    cause: error,
  }
  const code = grpcCodeOf(error)
  const details = detailsOf(error)
  switch (code) {
    case GrpcCode.NOT_FOUND:
      return new SecretNotFoundError(`${what}: not found (${details})`, opts)
    case GrpcCode.PERMISSION_DENIED:
      return new ForbiddenError(`${what}: permission denied (${details})`, {
        ...opts,
        hint: 'grant roles/secretmanager.secretAccessor on the secret (or project) to the caller',
      })
    case GrpcCode.UNAUTHENTICATED:
      return new ForbiddenError(`${what}: unauthenticated (${details})`, {
        ...opts,
        hint: 'check Application Default Credentials (gcloud auth application-default login, Workload Identity) or auth.key_file',
      })
    case GrpcCode.FAILED_PRECONDITION: {
      const state = /versions\/(\d+)\] is in (DISABLED|DESTROYED) state/.exec(details)
      return new InvalidSecretError(
        state
          ? `${what}: version ${state[1]} is ${state[2]}`
          : `${what}: failed precondition (${details})`,
        {
          ...opts,
          hint: state ? 'enable the version or reference another one with ?version=' : undefined,
        },
      )
    }
    case GrpcCode.ALREADY_EXISTS:
    case GrpcCode.ABORTED:
      return new ConflictError(`${what}: ${details}`, opts)
    case GrpcCode.RESOURCE_EXHAUSTED:
      return new ProviderUnavailableError(`${what}: quota exhausted, throttled (${details})`, opts)
    case GrpcCode.UNAVAILABLE:
    case GrpcCode.DEADLINE_EXCEEDED:
    case GrpcCode.INTERNAL:
    case GrpcCode.UNKNOWN:
    case GrpcCode.CANCELLED:
      return new ProviderUnavailableError(`${what}: service unavailable (${details})`, opts)
    case GrpcCode.INVALID_ARGUMENT:
    case GrpcCode.UNIMPLEMENTED:
      return new InvalidSecretError(`${what}: rejected (${details})`, opts)
    default:
      // no gRPC code: a local failure (DNS, socket, credentials loading) — treat as transient
      return new ProviderUnavailableError(`${what}: ${details}`, opts)
  }
}
