import type { IncomingHttpHeaders } from 'node:http'
import { AwsServiceError } from './errors.js'

/** A deny rule: every field given must match for the request to be denied. */
export interface AwsDenyRule {
  /** access key id from the SigV4 Authorization header */
  accessKeyId?: string
  /** secret / parameter name (or ARN); a trailing `*` matches a prefix */
  resource?: string
  /** operation name, e.g. 'GetSecretValue' */
  operation?: string
  /** role ARN of temporary credentials issued by the emulator's STS AssumeRole */
  role?: string
}

export interface CallerIdentity {
  accessKeyId: string
  region: string
  service: string
  /** set when the access key was issued by AssumeRole */
  role?: string
}

/** Temporary credentials issued by the emulator's STS, by access key id. */
export interface IssuedSession {
  roleArn: string
  sessionName: string
  sessionToken: string
  expiresAt: number
}

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/

/**
 * Reads the SigV4 Authorization header. The signature itself is not verified (the emulator
 * has no secret keys to check it against); its presence and its credential scope are.
 */
export function callerFromHeaders(
  headers: IncomingHttpHeaders,
  service: string,
  knownAccessKeys: readonly string[] | undefined,
  sessions: ReadonlyMap<string, IssuedSession> = new Map(),
): CallerIdentity {
  const header = headers.authorization
  if (!header) {
    throw new AwsServiceError(
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token',
      400,
    )
  }
  const match = CREDENTIAL.exec(header)
  if (!header.startsWith('AWS4-HMAC-SHA256 ') || !match || !/Signature=[0-9a-f]{64}/.test(header)) {
    throw new AwsServiceError(
      'IncompleteSignatureException',
      'Authorization header requires Credential, SignedHeaders and Signature parameters.',
      400,
    )
  }
  const [, accessKeyId = '', , region = '', scopedService = ''] = match
  if (scopedService !== service) {
    throw new AwsServiceError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${service}'.`,
      400,
    )
  }
  const session = sessions.get(accessKeyId)
  if (session) {
    if (headers['x-amz-security-token'] !== session.sessionToken) {
      throw new AwsServiceError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        400,
      )
    }
    if (session.expiresAt <= Date.now()) {
      throw new AwsServiceError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
        400,
      )
    }
    return { accessKeyId, region, service, role: session.roleArn }
  }
  if (knownAccessKeys && !knownAccessKeys.includes(accessKeyId)) {
    throw new AwsServiceError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
    )
  }
  return { accessKeyId, region, service }
}

function resourceMatches(pattern: string, names: readonly string[]): boolean {
  if (pattern.endsWith('*')) return names.some((n) => n.startsWith(pattern.slice(0, -1)))
  return names.includes(pattern)
}

export function isDenied(
  rules: readonly AwsDenyRule[],
  caller: CallerIdentity,
  operation: string,
  resourceNames: readonly string[],
): boolean {
  return rules.some(
    (rule) =>
      (rule.accessKeyId === undefined || rule.accessKeyId === caller.accessKeyId) &&
      (rule.role === undefined || rule.role === caller.role) &&
      (rule.operation === undefined || rule.operation === operation) &&
      (rule.resource === undefined || resourceMatches(rule.resource, resourceNames)),
  )
}

export function accessDenied(
  caller: CallerIdentity,
  action: string,
  resource: string,
  accountId: string,
): AwsServiceError {
  return new AwsServiceError(
    'AccessDeniedException',
    `User: arn:aws:iam::${accountId}:user/${caller.accessKeyId} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    400,
  )
}
