import { randomUUID } from 'node:crypto'
import type { EmulatorResponse, FaultSpec } from '../emulator/index.js'

export const AMZ_JSON = 'application/x-amz-json-1.1'

/** An AWS service error as the awsJson1_1 protocol sends it: `{"__type": …, "message": …}`. */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export function awsErrorResponse(error: AwsServiceError): EmulatorResponse {
  return {
    status: error.status,
    headers: {
      'content-type': AMZ_JSON,
      'x-amzn-requestid': randomUUID(),
      // The SDK reads the error code from this header first, then from `__type`.
      'x-amzn-errortype': error.type,
      ...error.headers,
    },
    body: { __type: error.type, message: error.message },
  }
}

/** The answer to an injected fault, shaped as both services send their throttles and 5xx. */
export function awsFaultResponse(kind: 'error' | 'throttle', fault: FaultSpec): EmulatorResponse {
  if (kind === 'throttle') {
    return awsErrorResponse(
      new AwsServiceError(
        'ThrottlingException',
        'Rate exceeded',
        400,
        fault.retryAfterSeconds !== undefined
          ? { 'retry-after': String(fault.retryAfterSeconds) }
          : {},
      ),
    )
  }
  const status = fault.status ?? 500
  if (fault.body !== undefined) {
    return {
      status,
      headers: { 'content-type': fault.contentType ?? 'text/html; charset=utf-8' },
      body: fault.body,
    }
  }
  // Both services name their 5xx differently; the SDKs only need the status to classify.
  return awsErrorResponse(
    new AwsServiceError(
      status === 503 ? 'ServiceUnavailable' : 'InternalServiceError',
      'An error occurred on the server side.',
      status,
    ),
  )
}

export function awsJsonResponse(body: unknown): EmulatorResponse {
  return {
    status: 200,
    headers: { 'content-type': AMZ_JSON, 'x-amzn-requestid': randomUUID() },
    body,
  }
}

export const validation = (message: string): AwsServiceError =>
  new AwsServiceError('ValidationException', message)

/** Epoch seconds with millisecond precision, the awsJson timestamp format. */
export const epochSeconds = (ms: number): number => Math.round(ms) / 1000

/** Opaque paging token over an offset. */
export function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64')
}

export function pageOffset(token: unknown, errorType = 'InvalidNextTokenException'): number {
  if (token === undefined || token === null) return 0
  if (typeof token !== 'string') {
    throw new AwsServiceError('SerializationException', 'NextToken must be a string')
  }
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      o?: unknown
    }
    if (typeof parsed.o === 'number' && parsed.o >= 0) return parsed.o
  } catch {
    // fall through
  }
  throw new AwsServiceError(errorType, 'The NextToken value is not valid.')
}
