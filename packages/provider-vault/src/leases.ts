/**
 * Leases of dynamic secrets. `LeaseInfo` carries only the lease id, so the provider remembers
 * which connection (address, namespace, token) issued each lease: renewals and revocations
 * must go to the same Vault namespace with a token allowed to touch it. Leases are revoked by
 * their owner, the resolver (createResolver().dispose()), before it disposes its providers:
 * this registry only routes renew/revoke to the issuing connection.
 */
import { InvalidSecretError, type LeaseInfo } from '@floe/core'
import type { VaultConnection } from './connection.js'
import { vaultError } from './errors.js'
import { PROVIDER_NAME } from './validate.js'

export interface TrackedLease {
  lease: LeaseInfo
  connection: VaultConnection
  secret: string
}

export class LeaseRegistry {
  private readonly leases = new Map<string, TrackedLease>()

  track(lease: LeaseInfo, connection: VaultConnection, secret: string): void {
    this.leases.set(lease.id, { lease, connection, secret })
  }

  get(id: string): TrackedLease | undefined {
    return this.leases.get(id)
  }

  update(lease: LeaseInfo): void {
    const tracked = this.leases.get(lease.id)
    if (tracked) tracked.lease = lease
  }

  forget(id: string): void {
    this.leases.delete(id)
  }

  all(): TrackedLease[] {
    return [...this.leases.values()]
  }

  /** Renews a lease through the connection that issued it; `now` dates the renewed lease. */
  async renew(
    lease: LeaseInfo,
    incrementSeconds: number | undefined,
    now: () => number,
  ): Promise<LeaseInfo> {
    const tracked = this.leases.get(lease.id)
    if (!tracked) {
      throw new InvalidSecretError(`lease ${lease.id} was not issued through this provider`, {
        provider: PROVIDER_NAME,
      })
    }
    const { connection } = tracked
    const issuedAt = new Date(now())
    try {
      const renewed = await connection.session.run((call) =>
        connection.api.renewLease(lease.id, incrementSeconds, call),
      )
      const next: LeaseInfo = {
        id: renewed.lease_id || lease.id,
        ttlSeconds: renewed.lease_duration,
        renewable: renewed.renewable,
        issuedAt,
        ...(lease.maxTtlSeconds !== undefined ? { maxTtlSeconds: lease.maxTtlSeconds } : {}),
      }
      this.update(next)
      return next
    } catch (error) {
      throw vaultError(error, {
        secret: tracked.secret,
        action: `renew lease of secret "${tracked.secret}"`,
        address: connection.address,
      })
    }
  }

  /** Revokes a lease this provider issued (one it does not know is left alone). */
  async revoke(lease: LeaseInfo): Promise<void> {
    const tracked = this.leases.get(lease.id)
    if (!tracked) return
    const { connection } = tracked
    try {
      await connection.session.run((call) => connection.api.revokeLease(lease.id, call))
      this.forget(lease.id)
    } catch (error) {
      throw vaultError(error, {
        secret: tracked.secret,
        action: `revoke lease of secret "${tracked.secret}"`,
        address: connection.address,
      })
    }
  }
}

/** The LeaseInfo of a Vault secret response, when it carries a lease. */
export function leaseFrom(
  response: {
    lease_id: string
    lease_duration: number
    renewable: boolean
  },
  issuedAt: Date,
): LeaseInfo | undefined {
  if (!response.lease_id) return undefined
  return {
    id: response.lease_id,
    ttlSeconds: response.lease_duration,
    renewable: response.renewable,
    issuedAt,
  }
}
