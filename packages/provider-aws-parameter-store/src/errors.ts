import { classifyAwsError, type AwsErrorOptions } from '@floe/aws-common'
import type { FloeError } from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

/** A Parameter Store failure as floe's typed error (the mapping itself is aws-common's). */
export function parameterStoreError(error: unknown, options: AwsErrorOptions = {}): FloeError {
  return classifyAwsError(error, { ...options, provider: PROVIDER_NAME })
}
