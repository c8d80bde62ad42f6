import type { ProviderCheck } from '@floe/core'
import type { VaultConnection } from './connection.js'

/**
 * The provider's `check()`: Vault initialized and unsealed (asked without a token), then the
 * token's TTL and policies. Errors are left to the caller, which reports them as the check.
 */
export async function vaultHealth(connection: VaultConnection): Promise<ProviderCheck> {
  const health = await connection.api.health(connection.session.anonymous())
  if (!health.initialized)
    return { status: 'error', detail: `Vault at ${connection.address} is not initialized` }
  if (health.sealed) return { status: 'error', detail: `Vault at ${connection.address} is sealed` }
  const token = await connection.session.lookupSelf()
  const ttl = token.ttl > 0 ? `token TTL ${token.ttl}s` : 'token without expiry'
  return {
    status: 'ready',
    detail:
      `Vault ${health.version ?? ''} at ${connection.address}${connection.namespace ? ` (namespace ${connection.namespace})` : ''}: ${connection.session.method} auth, ${ttl}, policies ${token.policies.join(', ') || 'none'}`.replace(
        / {2,}/g,
        ' ',
      ),
  }
}
