import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import {
  ConfigError,
  InvalidSecretError,
  SecretNotFoundError,
  fetchedFromMap,
  type FetchRequest,
  type FetchedSecret,
  type LeaseInfo,
  type ListOptions,
  type DeclaredCapabilities,
  type ProviderCheck,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type RemoveRequest,
  type RemoveResult,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
  parseProviderConfig,
} from '@floe/core'
import { VaultSession } from './auth.js'
import { describeVaultSecret } from './describe.js'
import { listVaultSecrets } from './list.js'
import { SINGLE_VALUE_KEY, stringMap } from './kv-data.js'
import { putVaultSecret } from './put.js'
import { removeVaultSecret } from './delete.js'
import {
  VaultApi,
  createNodeVaultClient,
  type NodeVaultClient,
  type VaultSecretResponse,
} from './client.js'
import { LeaseRegistry, leaseFrom } from './leases.js'
import {
  pluginAuth,
  pluginConfigSchema,
  withPathPrefix,
  type VaultPluginConfig,
} from './plugin-config.js'
import {
  PROVIDER_NAME,
  authSchema,
  durationSeconds,
  resolveTarget,
  settingsSchema,
  type VaultAuthConfig,
  type VaultSecretConfig,
  type VaultTarget,
} from './validate.js'
import { vaultError } from './errors.js'

export interface VaultProviderOptions {
  /** an injected node-vault client (tests bind one to an emulator); shared by every connection */
  client?: NodeVaultClient
  /** default Vault address when a definition has no `vault.address` (else VAULT_ADDR) */
  address?: string
  /** default namespace (else VAULT_NAMESPACE) */
  namespace?: string
  /** token for `auth.method: token` (else token_file, VAULT_TOKEN, ~/.vault-token) */
  token?: string
  /** default auth settings merged under each definition's `auth` */
  auth?: Partial<VaultAuthConfig>
  /** request timeout, default 10 s */
  timeoutMs?: number
  /**
   * the manifest's `plugins.secrets.config` when `plugins.secrets.type: vault` (the resolver
   * passes it): address, auth_method, role, mount_path, secret_path_prefix, each used only
   * when neither the definition, these options nor the environment set it
   */
  pluginConfig?: Record<string, unknown>
  now?: () => number
}

export interface VaultConnection {
  key: string
  address: string
  namespace?: string
  api: VaultApi
  session: VaultSession
}

/** A Vault provider; `options` are the defaults under every definition's own settings. */
export function createVaultProvider(options: VaultProviderOptions = {}): VaultProvider {
  return new VaultProvider(options)
}

export class VaultProvider implements SecretProvider {
  readonly name = PROVIDER_NAME
  // no fetchMany: one KV path per HTTP call, Vault has no batch read
  readonly capabilities: DeclaredCapabilities = { versions: true, dynamic: true }

  private readonly connections = new Map<string, Promise<VaultConnection>>()
  private readonly clients = new Map<string, Promise<NodeVaultClient>>()
  private readonly sessions: VaultSession[] = []
  private readonly leases = new LeaseRegistry()
  private readonly inFlight = new Map<string, Promise<VaultSecretResponse>>()
  private readonly now: () => number

  /** `plugins.secrets.config` (the manifest schema checked its types when it loaded) */
  private readonly plugin: VaultPluginConfig | undefined

  constructor(private readonly options: VaultProviderOptions = {}) {
    this.now = options.now ?? Date.now
    const parsed = options.pluginConfig && pluginConfigSchema.safeParse(options.pluginConfig)
    this.plugin = parsed && parsed.success ? parsed.data : undefined
  }

  // ───────────── connections ─────────────

  private parse(request: { secret: string; config: Record<string, unknown> }): VaultSecretConfig {
    return parseProviderConfig(settingsSchema, request, PROVIDER_NAME)
  }

  private target(config: VaultSecretConfig, secret: string): VaultTarget {
    try {
      return resolveTarget(withPathPrefix(config, this.plugin?.secret_path_prefix), secret)
    } catch (error) {
      throw new ConfigError((error as Error).message, { provider: PROVIDER_NAME, secret })
    }
  }

  /** One connection (client + session) per (address, namespace, auth, TLS), shared by secrets. */
  async connection(config: VaultSecretConfig, ctx: ProviderContext): Promise<VaultConnection> {
    const address =
      config.vault?.address ??
      this.options.address ??
      (ctx.env.VAULT_ADDR || undefined) ??
      this.plugin?.address ??
      (this.options.client ? 'injected' : '')
    if (!address) {
      throw new ConfigError(
        'no Vault address: set vault.address on the secret, VAULT_ADDR, or plugins.secrets.config.address (with plugins.secrets.type: vault)',
        { provider: PROVIDER_NAME },
      )
    }
    const namespace = config.vault?.namespace ?? this.options.namespace ?? ctx.env.VAULT_NAMESPACE
    const auth = authSchema.parse({
      ...pluginAuth(this.plugin, ctx.env),
      ...(this.options.auth ?? {}),
      ...(config.auth ?? {}),
    })
    const tls = {
      skip: config.vault?.tls_skip_verify ?? ctx.env.VAULT_SKIP_VERIFY === 'true',
      ca: config.vault?.ca_cert ?? ctx.env.VAULT_CACERT,
      timeout: durationSeconds(config.vault?.timeout),
    }
    const key = JSON.stringify({ address, namespace: namespace ?? '', auth, tls })
    let pending = this.connections.get(key)
    if (!pending) {
      pending = (async () => {
        const api = new VaultApi(await this.client(address, tls, ctx))
        const session = new VaultSession(api, auth, namespace || undefined, address, {
          env: ctx.env,
          cwd: ctx.cwd,
          logger: ctx.logger,
          now: this.now,
          ...(this.options.token ? { token: this.options.token } : {}),
        })
        this.sessions.push(session)
        return { key, address, ...(namespace ? { namespace } : {}), api, session }
      })()
      pending.catch(() => this.connections.delete(key))
      this.connections.set(key, pending)
    }
    return pending
  }

  private client(
    address: string,
    tls: { skip: boolean; ca?: string | undefined; timeout?: number | undefined },
    ctx: ProviderContext,
  ): Promise<NodeVaultClient> {
    if (this.options.client) return Promise.resolve(this.options.client)
    const key = JSON.stringify({ address, tls })
    let pending = this.clients.get(key)
    if (!pending) {
      pending = (async () => {
        let ca: string | undefined
        if (tls.ca) {
          const file = isAbsolute(tls.ca) ? tls.ca : resolve(ctx.cwd, tls.ca)
          try {
            ca = await readFile(file, 'utf8')
          } catch {
            throw new ConfigError(`cannot read vault.ca_cert ${file}`, { provider: PROVIDER_NAME })
          }
        }
        const timeoutMs = tls.timeout !== undefined ? tls.timeout * 1000 : this.options.timeoutMs
        return createNodeVaultClient({
          address,
          tlsSkipVerify: tls.skip,
          ...(ca ? { ca } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        })
      })()
      pending.catch(() => this.clients.delete(key))
      this.clients.set(key, pending)
    }
    return pending
  }

  // ───────────── fetch ─────────────

  async fetchOne(request: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    try {
      return await this.read(request, ctx)
    } catch (error) {
      throw vaultError(error, { secret: request.secret, action: `read secret "${request.secret}"` })
    }
  }

  private async read(request: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    const config = this.parse(request)
    const target = this.target(config, request.secret)
    const version =
      request.version ?? (config.version !== undefined ? String(config.version) : undefined)
    let path = target.dataPath
    if (version !== undefined) {
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
      path += `?version=${version}`
    }
    const connection = await this.connection(config, ctx)
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
    return this.build(request.secret, target.dataPath, config, stringMap(data), {
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

  private build(
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

  // ───────────── describe / list ─────────────

  async describe(request: FetchRequest, ctx: ProviderContext): Promise<SecretMetadata> {
    const config = this.parse(request)
    const target = this.target(config, request.secret)
    const connection = await this.connection(config, ctx)
    // the lease this provider holds for the secret, if it fetched it (status shows its TTL)
    const held = this.leases.all().find((t) => t.secret === request.secret)?.lease
    return describeVaultSecret(connection, target, request, held)
  }

  async *list(options: ListOptions, ctx: ProviderContext): AsyncIterable<SecretListing> {
    const config = this.parse({ secret: '(list)', config: options.config ?? {} })
    if (options.namespace) config.vault = { ...(config.vault ?? {}), namespace: options.namespace }
    yield* listVaultSecrets(await this.connection(config, ctx), config, options)
  }

  // ───────────── put ─────────────

  async put(request: PutRequest, ctx: ProviderContext): Promise<PutResult> {
    const config = this.parse(request)
    const target = this.target(config, request.secret)
    const connection = await this.connection(config, ctx)
    return putVaultSecret(connection, target, config, request)
  }

  async remove(request: RemoveRequest, ctx: ProviderContext): Promise<RemoveResult> {
    const config = this.parse(request)
    const target = this.target(config, request.secret)
    const connection = await this.connection(config, ctx)
    return removeVaultSecret(connection, target, config, request)
  }

  // ───────────── leases ─────────────

  async renew(
    lease: LeaseInfo,
    _ctx: ProviderContext,
    incrementSeconds?: number,
  ): Promise<LeaseInfo> {
    const tracked = this.leases.get(lease.id)
    if (!tracked) {
      throw new InvalidSecretError(`lease ${lease.id} was not issued through this provider`, {
        provider: PROVIDER_NAME,
      })
    }
    const { connection } = tracked
    const issuedAt = new Date(this.now())
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
      this.leases.update(next)
      return next
    } catch (error) {
      throw vaultError(error, {
        secret: tracked.secret,
        action: `renew lease of secret "${tracked.secret}"`,
        address: connection.address,
      })
    }
  }

  async revoke(lease: LeaseInfo, _ctx: ProviderContext): Promise<void> {
    const tracked = this.leases.get(lease.id)
    if (!tracked) return
    const { connection } = tracked
    try {
      await connection.session.run((call) => connection.api.revokeLease(lease.id, call))
      this.leases.forget(lease.id)
    } catch (error) {
      throw vaultError(error, {
        secret: tracked.secret,
        action: `revoke lease of secret "${tracked.secret}"`,
        address: connection.address,
      })
    }
  }

  // ───────────── check / dispose ─────────────

  async check(ctx: ProviderContext, config?: Record<string, unknown>): Promise<ProviderCheck> {
    try {
      const parsed = this.parse({ secret: '(check)', config: config ?? {} })
      const connection = await this.connection(parsed, ctx)
      const health = await connection.api.health(connection.session.anonymous())
      if (!health.initialized)
        return { status: 'error', detail: `Vault at ${connection.address} is not initialized` }
      if (health.sealed)
        return { status: 'error', detail: `Vault at ${connection.address} is sealed` }
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
    } catch (error) {
      return { status: 'error', detail: vaultError(error, { action: 'check Vault' }).message }
    }
  }

  // Leases are revoked by their owner, the resolver (createResolver().dispose()), before it
  // disposes its providers: this registry only routes renew/revoke to the issuing connection.
  async dispose(): Promise<void> {
    for (const session of this.sessions) session.dispose()
    this.sessions.length = 0
    this.connections.clear()
    this.clients.clear()
  }
}
