import {
  FloeError,
  SecretNotFoundError,
  type FetchRequest,
  type LeaseInfo,
  type SecretMetadata,
} from '@floe/core'
import type { VaultApi } from './client.js'
import { vaultError } from './errors.js'
import type { VaultConnection } from './connection.js'
import type { VaultTarget } from './validate.js'
import { PROVIDER_NAME } from './validate.js'

/**
 * Metadata of one Vault secret without reading its value: KV v2 metadata, a dynamic engine's
 * role (reading `creds/` would issue a credential), or KV v1's parent folder listing.
 */
export async function describeVaultSecret(
  connection: VaultConnection,
  target: VaultTarget,
  request: Pick<FetchRequest, 'secret'>,
  heldLease: LeaseInfo | undefined,
): Promise<SecretMetadata> {
  const notFound = (why: string) =>
    new SecretNotFoundError(`secret "${request.secret}" ${why}`, {
      provider: PROVIDER_NAME,
      secret: request.secret,
    })
  const run = async <T>(
    path: string,
    fn: (api: VaultApi, call: Parameters<VaultApi['read']>[1]) => Promise<T>,
  ) => {
    try {
      return await connection.session.run((call) => fn(connection.api, call))
    } catch (error) {
      throw vaultError(error, {
        secret: request.secret,
        action: `describe ${path} for secret "${request.secret}"`,
        address: connection.address,
      })
    }
  }
  if (target.kind === 'kv2') {
    const response = await run(target.metadataPath, (api, call) =>
      api.read(target.metadataPath, call),
    )
    const meta = (response.data ?? {}) as {
      current_version?: number
      created_time?: string
      updated_time?: string
      custom_metadata?: Record<string, string> | null
      versions?: Record<string, { deletion_time?: string; destroyed?: boolean }>
    }
    const current = meta.current_version ?? 0
    const state = meta.versions?.[String(current)]
    if (!current || !state) throw notFound(`has no versions at ${target.dataPath}`)
    if (state.destroyed || state.deletion_time) {
      throw notFound(`has its current version ${current} deleted at ${target.dataPath}`)
    }
    const declaredKeys = meta.custom_metadata?.floe_keys
    return {
      exists: true,
      version: String(current),
      ...(meta.created_time ? { createdAt: new Date(meta.created_time) } : {}),
      ...(meta.updated_time ? { updatedAt: new Date(meta.updated_time) } : {}),
      ...(declaredKeys
        ? {
            keys: declaredKeys
              .split(',')
              .map((k) => k.trim())
              .filter(Boolean),
          }
        : {}),
      type: 'kv-v2',
    }
  }
  if (target.kind === 'logical' && target.dynamic) {
    // reading creds would issue a credential: look at the role definition instead
    const rolePath = target.dataPath.replace(/(^|\/)creds\/([^/]+)$/, '$1roles/$2')
    try {
      const response = await run(rolePath, (api, call) => api.read(rolePath, call))
      const role = (response.data ?? {}) as { default_ttl?: number; max_ttl?: number }
      // the lease this provider holds for the secret, if it fetched it (status shows its TTL)
      const held = heldLease
      return {
        exists: true,
        type: 'dynamic',
        ...(held ? { lease: held } : {}),
        status: {
          ...(role.default_ttl !== undefined ? { default_ttl: String(role.default_ttl) } : {}),
          ...(role.max_ttl !== undefined ? { max_ttl: String(role.max_ttl) } : {}),
        },
      }
    } catch (error) {
      if (error instanceof FloeError && (error.code === 'INVALID' || error.code === 'NOT_FOUND')) {
        throw notFound(`has no role at ${rolePath}`)
      }
      throw error
    }
  }
  // KV v1 has no metadata endpoint: list the parent folder instead of reading the value
  const slash = target.dataPath.lastIndexOf('/')
  const parent = target.dataPath.slice(0, slash)
  const leaf = target.dataPath.slice(slash + 1)
  let names: string[] = []
  try {
    names = await run(parent, (api, call) => api.list(parent, call))
  } catch (error) {
    if (!(error instanceof FloeError && error.code === 'NOT_FOUND')) throw error
  }
  if (!names.includes(leaf)) throw notFound(`does not exist at ${target.dataPath}`)
  return { exists: true, type: 'kv-v1' }
}
