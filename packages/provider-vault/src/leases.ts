/**
 * Leases of dynamic secrets. `LeaseInfo` carries only the lease id, so the provider remembers
 * which connection (address, namespace, token) issued each lease: renewals and revocations
 * must go to the same Vault namespace with a token allowed to touch it.
 */
import type { LeaseInfo } from '@floe/core'
import type { VaultConnection } from './provider.js'

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
