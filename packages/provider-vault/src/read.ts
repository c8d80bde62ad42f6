/**
 * Reading a secret: the KV v2 version asked for, one request shared by concurrent reads of
 * the same static path, the lease of a dynamic secret (recorded so renew/revoke reach the
 * connection that issued it), and the declared `keys`/`key` picked out of the data.
 */
import {
  InvalidSecretError,
  SecretNotFoundError,
  fetchedFromMap,
  type FetchRequest,
  type FetchedSecret,
  type LeaseInfo,
} from '@floe/core'
import type { VaultSecretResponse } from './client.js'
import type { VaultConnection } from './connection.js'
import { vaultError } from './errors.js'
import { SINGLE_VALUE_KEY, stringMap } from './kv-data.js'
import { leaseFrom, type LeaseRegistry } from './leases.js'
import { PROVIDER_NAME, type VaultSecretConfig, type VaultTarget } from './validate.js'

export class VaultReader {
  private readonly inFlight = new Map<string, Promise<VaultSecretResponse>>()

  constructor(
    private readonly leases: LeaseRegistry,
    private readonly now: () => number,
  ) {}

  /** `connect` opens the connection once the request itself is known to be valid. */
  async read(
    request: FetchRequest,
    config: VaultSecretConfig,
    target: VaultTarget,
    connect: () => Promise<VaultConnection>,
  ): Promise<FetchedSecret> {
    const version =
      request.version ?? (config.version !== undefined ? String(config.version) : undefined)
    const path = version === undefined ? target.dataPath : versionPath(request, target, version)
    const connection = await connect()
    const issuedAt = new Date(this.now())
    let response
    try {
      response = await this.singleFlight(connection, path, target)
    } catch (error) {
      throw vaultError(error, {
        secret: request.secret,
        action: `read ${target.dataPath}${version ? ` version ${version}` : ''} for secret "${request.secret}"`,
        address: connection.address,
      })
    }
    let data: Record<string, unknown> | null = response.data
    let fetchedVersion: string | undefined
    if (target.kind === 'kv2') {
      const inner = data?.data
      const metadata = data?.metadata as { version?: number } | undefined
      data = inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : null
      if (typeof metadata?.version === 'number') fetchedVersion = String(metadata.version)
    }
    if (!data) {
      throw new SecretNotFoundError(
        `secret "${request.secret}" has no data at ${target.dataPath}`,
        {
          provider: PROVIDER_NAME,
          secret: request.secret,
        },
      )
    }
    const lease = leaseFrom(response, issuedAt)
    if (lease) this.leases.track(lease, connection, request.secret)
    return selectKeys(request.secret, target.dataPath, config, stringMap(data), {
      ...(fetchedVersion ? { version: fetchedVersion } : {}),
      ...(lease ? { lease } : {}),
    })
  }

  /**
   * Concurrent reads of the same KV path through the same connection share one request
   * (`_groups` members point at one Vault secret). Never for dynamic paths: each read there
   * issues a new credential.
   */
  private singleFlight(connection: VaultConnection, path: string, target: VaultTarget) {
    const read = () => connection.session.run((call) => connection.api.read(path, call))
    if (target.kind === 'logical' && target.dynamic) return read()
    const key = `${connection.key}\u0000${path}`
    let pending = this.inFlight.get(key)
    if (!pending) {
      pending = read().finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, pending)
    }
    return pending
  }
}

/** The path of one KV v2 version; versions of anything else are refused. */
function versionPath(request: FetchRequest, target: VaultTarget, version: string): string {
  if (target.kind !== 'kv2') {
    throw new InvalidSecretError(
      `secret "${request.secret}": only KV v2 secrets have versions (${target.dataPath})`,
      { provider: PROVIDER_NAME, secret: request.secret },
    )
  }
  if (!/^[1-9]\d*$/.test(version)) {
    throw new InvalidSecretError(
      `secret "${request.secret}": "${version}" is not a KV v2 version number`,
      { provider: PROVIDER_NAME, secret: request.secret },
    )
  }
  return `${target.dataPath}?version=${version}`
}

/** The declared `keys` (all present) and `key` (the value) of the data read. */
function selectKeys(
  secret: string,
  path: string,
  config: VaultSecretConfig,
  data: Record<string, string>,
  extras: { version?: string; lease?: LeaseInfo },
): FetchedSecret {
  let selected = data
  if (config.keys?.length) {
    const missing = config.keys.filter((k) => !(k in data))
    if (missing.length) {
      throw new SecretNotFoundError(
        `secret "${secret}" at ${path} lacks declared key${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (keys: ${Object.keys(data).join(', ') || 'none'})`,
        { provider: PROVIDER_NAME, secret },
      )
    }
    selected = Object.fromEntries(config.keys.map((k) => [k, data[k] ?? '']))
    if (config.key && !(config.key in selected) && config.key in data) {
      selected[config.key] = data[config.key] ?? ''
    }
  }
  const fetched = fetchedFromMap(selected, secret, extras)
  const keys = fetched.keys ?? {}
  if (config.key) {
    const value = keys[config.key]
    if (!value) {
      throw new SecretNotFoundError(
        `secret "${secret}" at ${path} has no key "${config.key}" (keys: ${Object.keys(selected).join(', ') || 'none'})`,
        { provider: PROVIDER_NAME, secret },
      )
    }
    return { ...fetched, value }
  }
  const names = Object.keys(selected)
  if (names.length === 1 && names[0] === SINGLE_VALUE_KEY && keys[SINGLE_VALUE_KEY]) {
    return { ...fetched, value: keys[SINGLE_VALUE_KEY] }
  }
  return fetched
}
