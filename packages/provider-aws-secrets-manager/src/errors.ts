import { classifyAwsError, isUnparsableAnswer, type AwsErrorOptions } from '@floe/aws-common'
import type { FloeError } from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

/** A Secrets Manager failure as floe's typed error (the mapping itself is aws-common's). */
export function secretsManagerError(error: unknown, options: AwsErrorOptions = {}): FloeError {
  return classifyAwsError(error, { ...options, provider: PROVIDER_NAME })
}

/**
 * The endpoint cannot serve BatchGetSecretValue at all: an older or partial implementation
 * (moto answers an HTML 500 for operations it lacks, others UnknownOperationException or
 * 501). Reading one by one with GetSecretValue gives the same values.
 */
export function batchUnavailable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return (
    e?.name === 'UnknownOperationException' ||
    e?.name === 'NotImplemented' ||
    e?.$metadata?.httpStatusCode === 501 ||
    isUnparsableAnswer(error)
  )
}
