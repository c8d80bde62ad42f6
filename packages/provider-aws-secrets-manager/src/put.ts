import { randomUUID } from 'node:crypto'
import {
  ConflictError,
  payloadText,
  InvalidSecretError,
  UnsupportedError,
  type Logger,
  type PutRequest,
  type PutResult,
} from '@floe/core'
import { restoreHint } from '@floe/aws-common'
import type { SecretsManagerApi } from './client.js'
import { secretsManagerError } from './errors.js'
import { promote, stagePending } from './staged-write.js'
import { AWSCURRENT, AWSPENDING, holderOf } from './stages.js'

import type { SecretsManagerConfig } from './validate.js'
import { PROVIDER_NAME } from './validate.js'

/**
 * The stage a write moves: the one the definition reads (`version_stage`), else AWSCURRENT.
 * Writing AWSCURRENT under a definition pinned to STAGEX would leave what floe reads
 * unchanged. A pinned `version_id` is immutable; AWSPENDING/AWSPREVIOUS belong to AWS's own
 * rotation bookkeeping.
 */
function writtenStage(config: SecretsManagerConfig, secret: string, what: string): string {
  if (config.version_id !== undefined) {
    throw new UnsupportedError(`${what} is pinned to version_id ${config.version_id}`, {
      provider: PROVIDER_NAME,
      secret,
      hint: 'a version never changes: pin a stage (version_stage) or remove version_id to write',
    })
  }
  const stage = config.version_stage ?? AWSCURRENT
  if (stage === AWSPENDING || stage === 'AWSPREVIOUS') {
    throw new UnsupportedError(`${what} is pinned to ${stage}, which AWS manages itself`, {
      provider: PROVIDER_NAME,
      secret,
      hint: 'write AWSCURRENT (remove version_stage) or a stage of your own',
    })
  }
  return stage
}

/**
 * Writes one secret: CreateSecret when it does not exist, else the new value is staged as
 * AWSPENDING and promoted to the written stage with a compare-and-set on the version that held
 * it (see staged-write.ts); a secret scheduled for deletion is a conflict with the restore hint.
 */
export async function putSecret(
  api: SecretsManagerApi,
  config: SecretsManagerConfig,
  request: PutRequest,
  logger: Logger,
): Promise<PutResult> {
  const id = config.secret_id
  const what = `secret "${request.secret}" (${id})`
  const options = { provider: PROVIDER_NAME, secret: request.secret, what }
  const text = payloadText(request.data)
  const stage = writtenStage(config, request.secret, what)
  let stages: Record<string, string[]> | undefined
  try {
    const described = await api.describe(id)
    if (described.DeletedDate) {
      // neither "create" (the name is taken) nor "update" (AWS refuses writes) can work
      throw new ConflictError(`${what} is scheduled for deletion`, {
        ...options,
        hint: restoreHint(id),
        details: { deletedAt: described.DeletedDate.toISOString() },
      })
    }
    stages = described.VersionIdsToStages ?? {}
  } catch (error) {
    const failure = secretsManagerError(error, options)
    if (failure.code !== 'NOT_FOUND') throw failure
  }
  const token = randomUUID()
  if (stages === undefined) {
    if (request.expectedVersion !== undefined) {
      throw new ConflictError(
        `${what} does not exist, but version ${request.expectedVersion} was expected`,
        options,
      )
    }
    if (id.startsWith('arn:')) {
      throw new InvalidSecretError(`${what} does not exist and cannot be created from an ARN`, {
        ...options,
        hint: 'use the secret name as secret_id to let floe create it',
      })
    }
    try {
      const version = await api.create(id, text, token, request.tags)
      // the first version is AWSCURRENT; a definition pinned to a stage reads that one
      if (stage !== AWSCURRENT) await api.moveStage(id, stage, { to: version ?? token })
      return { version: version ?? token, created: true }
    } catch (error) {
      throw secretsManagerError(error, options)
    }
  }
  if (request.createOnly) throw new ConflictError(`${what} already exists`, options)
  const current = holderOf(stages, stage)
  if (request.expectedVersion !== undefined && request.expectedVersion !== current) {
    throw new ConflictError(
      `${what} changed: expected version ${request.expectedVersion}, ${stage} is on ${current ?? 'no version'}`,
      { ...options, hint: 'read it again and retry' },
    )
  }
  // Stage the new value as AWSPENDING first: a failure before the promotion below leaves
  // the written stage untouched, and RemoveFromVersionId makes the promotion itself a CAS.
  const write = { id, text, token, stage, current, options }
  const warnings = [...(await stagePending(api, write)), ...(await promote(api, write))]
  try {
    await api.moveStage(id, AWSPENDING, { from: token })
  } catch (error) {
    logger.warn('could not clear AWSPENDING after promoting the new version', {
      secret: request.secret,
      version: token,
      error: secretsManagerError(error, options).code,
    })
  }
  return {
    version: token,
    ...(current ? { previousVersion: current } : {}),
    created: false,
    ...(warnings.length ? { warnings } : {}),
  }
}
