import {
  ConflictError,
  InvalidSecretError,
  isFloeError,
  UnsupportedError,
  type RemoveRequest,
  type RemoveResult,
} from '@floe/core'
import { vaultError, vaultStatus } from './errors.js'
import { PROVIDER_NAME } from './validate.js'
import { describeVaultSecret } from './describe.js'
import type { VaultConnection } from './connection.js'
import type { VaultSecretConfig, VaultTarget } from './validate.js'

/**
 * Deletes one Vault secret with every version: KV v2 deletes its metadata (Vault's
 * `kv metadata delete`), KV v1 its path. Vault has no check-and-set on deletes, so
 * `expectedVersion` is compared with the metadata read just before (a narrow race remains);
 * KV v1 has no versions to compare. A definition naming one `key:` of a shared secret is
 * refused: deleting it would delete its siblings.
 */
export async function removeVaultSecret(
  connection: VaultConnection,
  target: VaultTarget,
  config: VaultSecretConfig,
  request: RemoveRequest,
): Promise<RemoveResult> {
  const options = { provider: PROVIDER_NAME, secret: request.secret }
  if (target.kind === 'logical')
    throw new UnsupportedError(
      `secret "${request.secret}" at ${target.dataPath} is not a KV secret: floe deletes KV secrets only`,
      options,
    )
  if (config.key)
    throw new InvalidSecretError(
      `definition "${request.secret}" is key "${config.key}" of ${target.dataPath}, which other keys share: floe deletes whole secrets only`,
      { ...options, hint: `delete it with vault kv metadata delete, or put the remaining keys` },
    )
  const call = (path: string, action: string) =>
    connection.session
      .run((c) => connection.api.delete(path, c))
      .catch((error: unknown) => {
        throw vaultError(error, { secret: request.secret, action, address: connection.address })
      })
  if (target.kind === 'kv1') {
    if (request.expectedVersion !== undefined)
      throw new UnsupportedError(
        `secret "${request.secret}" is in KV v1, which has no versions: compare-and-set is impossible`,
        { ...options, hint: 'drop --expected-version' },
      )
    try {
      await connection.session.run((c) => connection.api.read(target.dataPath, c))
    } catch (error) {
      if (vaultStatus(error) === 404) return { deleted: false }
      throw vaultError(error, {
        secret: request.secret,
        action: `read ${target.dataPath}`,
        address: connection.address,
      })
    }
    await call(target.dataPath, `delete ${target.dataPath}`)
    return { deleted: true }
  }
  let version: string | undefined
  try {
    version = (await describeVaultSecret(connection, target, request, undefined)).version
  } catch (error) {
    if (!isFloeError(error, 'NOT_FOUND')) throw error
    if (request.expectedVersion !== undefined)
      throw new ConflictError(
        `secret "${request.secret}" does not exist at ${target.dataPath} (expected version ${request.expectedVersion})`,
        options,
      )
    return { deleted: false }
  }
  if (request.expectedVersion !== undefined && version !== request.expectedVersion)
    throw new ConflictError(
      `secret "${request.secret}" is at version ${version}, not ${request.expectedVersion}: nothing deleted`,
      options,
    )
  await call(target.metadataPath, `delete ${target.metadataPath}`)
  return { deleted: true, ...(version ? { version } : {}) }
}
