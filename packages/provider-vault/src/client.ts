/**
 * Typed wrapper around node-vault 0.12 (whose methods all return Promise<any>). node-vault is
 * imported lazily so that importing this package costs nothing. Every call carries its token
 * and namespace as headers: one node-vault client can then serve several connections, and
 * node-vault's habit of replacing `client.token` after a login cannot leak a token from one
 * connection into another.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- node-vault answers Promise<any>; this file is the typed boundary */
import { createRequire } from 'node:module'
import { InvalidSecretError } from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

/** The subset of node-vault's client this provider uses. */
export interface NodeVaultClient {
  token?: string
  namespace?: string
  read(path: string, requestOptions?: RequestOptions): Promise<any>
  list(path: string, requestOptions?: RequestOptions): Promise<any>
  write(path: string, data: unknown, requestOptions?: RequestOptions): Promise<any>
  delete(path: string, requestOptions?: RequestOptions): Promise<any>
  approleLogin(args: Record<string, unknown>): Promise<any>
  kubernetesLogin(args: Record<string, unknown>): Promise<any>
  awsIamLogin(args: Record<string, unknown>): Promise<any>
  tokenLookupSelf(args?: Record<string, unknown>): Promise<any>
  tokenRenewSelf(args?: Record<string, unknown>): Promise<any>
  renew(args: Record<string, unknown>): Promise<any>
  revoke(args: Record<string, unknown>): Promise<any>
  health(args?: Record<string, unknown>): Promise<any>
}

interface RequestOptions {
  headers?: Record<string, string>
}

export interface VaultCall {
  token?: string
  namespace?: string
}

export interface VaultClientSettings {
  address: string
  tlsSkipVerify?: boolean
  /** PEM text */
  ca?: string
  timeoutMs?: number
}

/** Creates a node-vault client configured for floe (GET ?list=1, no ambient token/namespace). */
export async function createNodeVaultClient(
  settings: VaultClientSettings,
): Promise<NodeVaultClient> {
  // node-vault is CommonJS: load it with Node's own require, lazily. Under `--conditions import`
  // (test runners), require(esm) hands node-vault mustache's ESM namespace, whose template
  // engine hides under `default`: give node-vault the real one through its `mustache` option.
  const require = createRequire(import.meta.url)
  const factory = require('node-vault') as (config: Record<string, unknown>) => NodeVaultClient
  const mustacheModule = createRequire(require.resolve('node-vault'))('mustache') as {
    render?: unknown
    default?: unknown
  }
  const mustache =
    typeof mustacheModule.render === 'function' ? mustacheModule : mustacheModule.default
  const client = factory({
    endpoint: settings.address,
    mustache,
    // Node's HTTP parsers reject the LIST verb; Vault accepts GET ?list=true
    noCustomHTTPVerbs: true,
    rpDefaults: {
      timeout: settings.timeoutMs ?? 10_000,
      ...(settings.tlsSkipVerify ? { strictSSL: false } : {}),
    },
    ...(settings.ca ? { requestOptions: { ca: settings.ca } } : {}),
  })
  // node-vault reads VAULT_TOKEN / VAULT_NAMESPACE from process.env; floe passes both per call
  client.token = undefined
  client.namespace = undefined
  return client
}

export interface VaultSecretResponse {
  lease_id: string
  lease_duration: number
  renewable: boolean
  data: Record<string, unknown> | null
  warnings: string[] | null
}

export interface VaultAuthInfo {
  client_token: string
  lease_duration: number
  renewable: boolean
  policies: string[]
}

export interface VaultTokenLookup {
  ttl: number
  renewable: boolean
  policies: string[]
  expire_time: string | null
}

export interface VaultLeaseRenewal {
  lease_id: string
  lease_duration: number
  renewable: boolean
  warnings: string[] | null
}

export interface VaultHealth {
  initialized: boolean
  sealed: boolean
  standby: boolean
  version?: string
}

function options(call: VaultCall): RequestOptions {
  const headers: Record<string, string> = {}
  if (call.token) headers['X-Vault-Token'] = call.token
  if (call.namespace) headers['X-Vault-Namespace'] = call.namespace
  return { headers }
}

function asSecret(body: any): VaultSecretResponse {
  return {
    lease_id: typeof body?.lease_id === 'string' ? body.lease_id : '',
    lease_duration: Number(body?.lease_duration ?? 0),
    renewable: Boolean(body?.renewable),
    data:
      body?.data && typeof body.data === 'object' ? (body.data as Record<string, unknown>) : null,
    warnings: Array.isArray(body?.warnings) ? body.warnings.map(String) : null,
  }
}

function asAuth(body: any): VaultAuthInfo {
  const auth = body?.auth
  if (!auth || typeof auth.client_token !== 'string') {
    throw new InvalidSecretError('Vault login answered without a client token', {
      provider: PROVIDER_NAME,
    })
  }
  return {
    client_token: auth.client_token,
    lease_duration: Number(auth.lease_duration ?? 0),
    renewable: Boolean(auth.renewable),
    policies: Array.isArray(auth.policies) ? auth.policies.map(String) : [],
  }
}

/** Typed calls. Errors are raw (node-vault / axios); classify them with `vaultError`. */
export class VaultApi {
  constructor(readonly raw: NodeVaultClient) {}

  async read(path: string, call: VaultCall): Promise<VaultSecretResponse> {
    return asSecret(await this.raw.read(path, options(call)))
  }

  async list(path: string, call: VaultCall): Promise<string[]> {
    const body = await this.raw.list(path, options(call))
    const keys = body?.data?.keys
    return Array.isArray(keys) ? keys.map(String) : []
  }

  async write(path: string, data: unknown, call: VaultCall): Promise<VaultSecretResponse> {
    return asSecret(await this.raw.write(path, data, options(call)))
  }

  async delete(path: string, call: VaultCall): Promise<void> {
    await this.raw.delete(path, options(call))
  }

  async approleLogin(
    args: { role_id: string; secret_id?: string; mount_point: string },
    call: VaultCall,
  ): Promise<VaultAuthInfo> {
    return asAuth(await this.raw.approleLogin({ ...args, requestOptions: options(call) }))
  }

  async kubernetesLogin(
    args: { role: string; jwt: string; mount_point: string },
    call: VaultCall,
  ): Promise<VaultAuthInfo> {
    return asAuth(await this.raw.kubernetesLogin({ ...args, requestOptions: options(call) }))
  }

  async awsIamLogin(args: Record<string, string>, call: VaultCall): Promise<VaultAuthInfo> {
    return asAuth(await this.raw.awsIamLogin({ ...args, requestOptions: options(call) }))
  }

  async tokenLookupSelf(call: VaultCall): Promise<VaultTokenLookup> {
    const body = await this.raw.tokenLookupSelf({ requestOptions: options(call) })
    const data = body?.data ?? {}
    return {
      ttl: Number(data.ttl ?? 0),
      renewable: Boolean(data.renewable),
      policies: Array.isArray(data.policies) ? data.policies.map(String) : [],
      expire_time: typeof data.expire_time === 'string' ? data.expire_time : null,
    }
  }

  async tokenRenewSelf(increment: number | undefined, call: VaultCall): Promise<VaultAuthInfo> {
    const args: Record<string, unknown> = { requestOptions: options(call) }
    if (increment !== undefined) args.increment = Math.round(increment)
    return asAuth(await this.raw.tokenRenewSelf(args))
  }

  async renewLease(
    leaseId: string,
    increment: number | undefined,
    call: VaultCall,
  ): Promise<VaultLeaseRenewal> {
    const args: Record<string, unknown> = { lease_id: leaseId, requestOptions: options(call) }
    if (increment !== undefined) args.increment = Math.round(increment)
    const body = await this.raw.renew(args)
    return {
      lease_id: typeof body?.lease_id === 'string' ? body.lease_id : leaseId,
      lease_duration: Number(body?.lease_duration ?? 0),
      renewable: Boolean(body?.renewable),
      warnings: Array.isArray(body?.warnings) ? body.warnings.map(String) : null,
    }
  }

  async revokeLease(leaseId: string, call: VaultCall): Promise<void> {
    await this.raw.revoke({ lease_id: leaseId, requestOptions: options(call) })
  }

  /** node-vault returns the body of sys/health whatever its status (503 when sealed). */
  async health(call: VaultCall): Promise<VaultHealth> {
    const body = await this.raw.health({ requestOptions: options(call) })
    return {
      initialized: Boolean(body?.initialized),
      sealed: body?.sealed !== false,
      standby: Boolean(body?.standby),
      ...(typeof body?.version === 'string' ? { version: body.version } : {}),
    }
  }
}
