/**
 * The two AWS calls of a write, made safe against lost answers. PutSecretValue carries a
 * ClientRequestToken, so repeating it with the same token and value is idempotent (AWS
 * answers with the same version instead of adding one). The promotion
 * (UpdateSecretVersionStage) is not: after a lost answer the stages are read back, and when
 * the promotion did not happen the AWSPENDING version left behind is named with the exact
 * command that finishes the write.
 */
import { ConflictError, ProviderUnavailableError, type FloeError } from '@floe/core'
import { secretsManagerError } from './errors.js'

/** tries of PutSecretValue with one token when its answer is lost */
const PUT_ATTEMPTS = 3

export interface StagedWriteApi {
  putValue(id: string, text: string, token: string, stages: string[]): Promise<unknown>
  moveStage(id: string, stage: string, move: { to?: string; from?: string }): Promise<void>
  describe(id: string): Promise<{ VersionIdsToStages?: Record<string, string[]> }>
}

export interface StagedWrite {
  id: string
  text: string
  token: string
  /** the stage written (AWSCURRENT unless the definition pins another) */
  stage: string
  /** the version holding `stage` before the write */
  current: string | undefined
  options: { provider: string; secret: string; what: string }
}

/** PutSecretValue as AWSPENDING, retried with the same token while its answer is lost. */
export async function stagePending(api: StagedWriteApi, write: StagedWrite): Promise<string[]> {
  const warnings: string[] = []
  for (let attempt = 1; ; attempt += 1) {
    try {
      await api.putValue(write.id, write.text, write.token, ['AWSPENDING'])
      if (attempt > 1)
        warnings.push(
          `the answer to PutSecretValue was lost; retried ${attempt - 1} time${attempt > 2 ? 's' : ''} with the same ClientRequestToken (idempotent: at most one version ${write.token})`,
        )
      return warnings
    } catch (error) {
      const failure = secretsManagerError(error, write.options)
      if (failure.code !== 'UNAVAILABLE' || attempt >= PUT_ATTEMPTS) {
        throw failure.code === 'UNAVAILABLE'
          ? new ProviderUnavailableError(
              `${write.options.what}: PutSecretValue failed ${attempt} times (${failure.message.replace(/^\[[^\]]+\] /, '')}); ${write.stage} was not moved, so the value in use did not change`,
              {
                ...write.options,
                hint: 'retry later: a repeated write is safe',
                details: {
                  writeState: 'not-landed',
                  ...(write.current ? { version: write.current } : {}),
                },
                cause: failure,
              },
            )
          : failure
      }
    }
  }
}

/** Moves `stage` to the new version; a lost answer is settled by reading the stages back. */
export async function promote(api: StagedWriteApi, write: StagedWrite): Promise<string[]> {
  const { id, stage, token, current } = write
  let failure: FloeError
  try {
    await api.moveStage(id, stage, { to: token, ...(current ? { from: current } : {}) })
    return []
  } catch (error) {
    failure = secretsManagerError(error, write.options)
  }
  if (failure.code === 'UNAVAILABLE') {
    let holder: string | undefined
    try {
      const stages = (await api.describe(id)).VersionIdsToStages ?? {}
      holder = Object.keys(stages).find((v) => stages[v]?.includes(stage))
    } catch {
      holder = undefined
    }
    if (holder === token) {
      return [
        `the answer to UpdateSecretVersionStage was lost; read back: ${stage} is on version ${token}`,
      ]
    }
  }
  const finish = finishCommand(write)
  const left = `the new value is staged as AWSPENDING version ${token}, ${stage} was not moved${current ? ` (still on ${current})` : ''}`
  const options = {
    ...write.options,
    hint: `to finish (if ${current ?? 'no version'} still holds ${stage}): ${finish}`,
    details: {
      pendingVersion: token,
      writeState: 'not-landed',
      finish,
      ...(current ? { version: current } : {}),
    },
    cause: failure,
  }
  if (failure.code === 'INVALID') {
    throw new ConflictError(`${write.options.what} changed while writing: ${left}`, options)
  }
  throw new ProviderUnavailableError(
    `${write.options.what}: moving ${stage} failed (${failure.message.replace(/^\[[^\]]+\] /, '')}): ${left}`,
    options,
  )
}

function finishCommand(write: StagedWrite): string {
  const from = write.current ? ` --remove-from-version-id ${write.current}` : ''
  return `aws secretsmanager update-secret-version-stage --secret-id ${shellWord(write.id)} --version-stage ${write.stage} --move-to-version-id ${write.token}${from}`
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:+=@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
