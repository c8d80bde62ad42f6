/**
 * Writes one parameter: PutParameter (Overwrite when it exists). Parameter Store has no
 * conditional write: the version check narrows the race to the time between
 * DescribeParameters and PutParameter (documented in the README).
 *
 * PutParameter has no idempotency token, so a lost answer (timeout, dropped connection: no
 * HTTP status) is never resent blindly: core's `verifiedWrite` reads the parameter's version
 * back, and a version added since holding the written value (compared in memory, never
 * printed) is this write.
 */
import {
  checkWriteExpectation,
  payloadText,
  findWrittenVersion,
  verifiedWrite,
  type PutRequest,
  type PutResult,
  type ReadBackState,
} from '@floe/core'
import { parameterStoreError } from './errors.js'
import type { ParameterStoreApi } from './client.js'
import type { ParameterStoreConfig } from './validate.js'

/** no HTTP status at all: the request may have been applied */
const noAnswer = (error: unknown): boolean =>
  (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode ===
  undefined

export async function putParameter(
  api: ParameterStoreApi,
  config: ParameterStoreConfig,
  request: PutRequest,
  provider: string,
): Promise<PutResult> {
  const what = `secret "${request.secret}" (parameter ${config.name})`
  const errorOptions = { provider, secret: request.secret, what }
  let current
  try {
    current = await api.metadata(config.name)
  } catch (error) {
    throw parameterStoreError(error, errorOptions)
  }
  const currentVersion = current?.Version !== undefined ? String(current.Version) : undefined
  checkWriteExpectation(
    request,
    { exists: current !== undefined, version: currentVersion },
    what,
    provider,
  )
  const type = config.type ?? current?.Type ?? 'SecureString'
  const value = payloadText(request.data)
  const written = await verifiedWrite({
    provider,
    secret: request.secret,
    operation: 'PutParameter',
    ...(currentVersion !== undefined ? { before: currentVersion } : {}),
    write: () =>
      api.put({
        name: config.name,
        value,
        type,
        overwrite: current !== undefined,
        ...(config.kms_key_id ? { keyId: config.kms_key_id } : {}),
      }),
    classify: (error) => parameterStoreError(error, errorOptions),
    answerLost: (error, failure) => failure.code === 'UNAVAILABLE' && noAnswer(error),
    readBack: () => readBack(api, config.name, value, Number(currentVersion ?? 0)),
  })
  const version = written.answer ?? written.version
  return {
    ...(version !== undefined ? { version: String(version) } : {}),
    ...(currentVersion !== undefined ? { previousVersion: currentVersion } : {}),
    created: current === undefined,
    ...(written.warnings.length ? { warnings: written.warnings } : {}),
  }
}

/** Versions after `before` up to the current one; the one holding `value` is this write. */
async function readBack(
  api: ParameterStoreApi,
  name: string,
  value: string,
  before: number,
): Promise<ReadBackState> {
  const now = (await api.metadata(name))?.Version ?? before
  const added: string[] = []
  for (let v = before + 1; v <= now; v += 1) added.push(String(v))
  return findWrittenVersion(
    added,
    async (version) => {
      const { parameters } = await api.getParameters([`${name}:${version}`], true)
      return parameters[0]?.Value === value
    },
    before ? String(before) : undefined,
  )
}
