import { ConflictError, isFloeError, UnsupportedError } from '../errors.js'
import type { RemoveRequest, SecretDefinition } from '../types.js'
import { assertMayWrite, currentMetadata, type WriteSecretDeps } from './write-secret.js'

export interface DeleteSecretOptions {
  /** compare-and-set: delete only while the secret is at this version */
  expectedVersion?: string
  /** the scope deleted through: its grants decide (the writer role covers deletes) */
  scope?: string
  /** plan only: check access and existence, delete nothing */
  dryRun?: boolean
}

export type DeleteSecretDeps = Omit<WriteSecretDeps, 'resolver' | 'redactor'>

export interface DeleteSecretResult {
  secret: string
  provider: string
  /** false when the backend held nothing under that name */
  deleted: boolean
  /** the version that was current when it was deleted */
  version?: string
  /** the version compared against, when there was one */
  expectedVersion?: string
  dryRun: boolean
}

/**
 * The one delete path of floe (`floe secrets delete`): write access (delete is a write), the
 * clear error when the provider cannot delete, compare-and-set against `expectedVersion`
 * (refused, not ignored, when the provider has no versions), the provider call and the audit
 * record. It never reads the value.
 */
export async function deleteSecret(
  def: SecretDefinition,
  options: DeleteSecretOptions,
  deps: DeleteSecretDeps,
): Promise<DeleteSecretResult> {
  const where = deps.label ?? def.provider
  await assertMayWrite(def, options, deps)
  const provider = await deps.provider(def.provider)
  if (!provider.remove) {
    throw new UnsupportedError(
      `${where} cannot delete secrets through floe: delete "${def.name}" with its own tools`,
      {
        provider: def.provider,
        secret: def.name,
        hint: `then drop the declaration: floe secrets delete ${def.name} --undeclare --manifest-only`,
      },
    )
  }
  const request: RemoveRequest = { secret: def.name, config: def.fields }
  if (options.expectedVersion !== undefined) {
    if (!provider.capabilities?.versions && !provider.describe) {
      throw new UnsupportedError(
        `${where} keeps no versions: --expected-version cannot be checked for "${def.name}"`,
        { provider: def.provider, secret: def.name, hint: 'drop --expected-version' },
      )
    }
    request.expectedVersion = options.expectedVersion
  }
  const current = await currentMetadata(provider, request, deps.ctx)
  if (
    options.expectedVersion !== undefined &&
    current?.version !== undefined &&
    current.version !== options.expectedVersion
  ) {
    throw new ConflictError(
      `secret "${def.name}" is at version ${current.version}, not ${options.expectedVersion}: nothing deleted`,
      {
        provider: def.provider,
        secret: def.name,
        hint: `check what changed (floe secrets status ${def.name}), then delete with --expected-version ${current.version}`,
      },
    )
  }
  const base: DeleteSecretResult = {
    secret: def.name,
    provider: def.provider,
    deleted: false,
    dryRun: Boolean(options.dryRun),
    ...(options.expectedVersion !== undefined ? { expectedVersion: options.expectedVersion } : {}),
    ...(current?.version ? { version: current.version } : {}),
  }
  if (options.dryRun) return { ...base, deleted: current !== undefined || !provider.describe }
  try {
    const result = await provider.remove(request, deps.ctx)
    deps.audit?.append({
      action: 'delete',
      secret: def.name,
      provider: def.provider,
      outcome: result.deleted ? 'ok' : 'NOT_FOUND',
      ...(result.version ? { detail: `version ${result.version}` } : {}),
    })
    return {
      ...base,
      deleted: result.deleted,
      ...(result.version ? { version: result.version } : {}),
    }
  } catch (error) {
    deps.audit?.append({
      action: 'delete',
      secret: def.name,
      provider: def.provider,
      outcome: isFloeError(error) ? error.code : 'error',
    })
    throw error
  }
}
