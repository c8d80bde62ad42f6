import {
  ConfigError,
  parseProviderConfig,
  type DeclaredCapabilities,
  type FetchRequest,
  type FetchedSecret,
  type LeaseInfo,
  type ListOptions,
  type ProviderCheck,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type RemoveRequest,
  type RemoveResult,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'
import {
  VaultConnections,
  type VaultConnection,
  type VaultConnectionOptions,
} from './connection.js'
import { removeVaultSecret } from './delete.js'
import { describeVaultSecret } from './describe.js'
import { vaultError } from './errors.js'
import { vaultHealth } from './health.js'
import { LeaseRegistry } from './leases.js'
import { listVaultSecrets } from './list.js'
import { pluginConfigSchema, withPathPrefix, type VaultPluginConfig } from './plugin-config.js'
import { putVaultSecret } from './put.js'
import { VaultReader } from './read.js'
import {
  PROVIDER_NAME,
  resolveTarget,
  settingsSchema,
  type VaultSecretConfig,
  type VaultTarget,
} from './validate.js'

export type { VaultConnection } from './connection.js'

export interface VaultProviderOptions extends VaultConnectionOptions {
  /**
   * the manifest's `plugins.secrets.config` when `plugins.secrets.type: vault` (the resolver
   * passes it): address, auth_method, role, mount_path, secret_path_prefix, each used only
   * when neither the definition, these options nor the environment set it
   */
  pluginConfig?: Record<string, unknown>
  now?: () => number
}

/** A Vault provider; `options` are the defaults under every definition's own settings. */
export function createVaultProvider(options: VaultProviderOptions = {}): VaultProvider {
  return new VaultProvider(options)
}

export class VaultProvider implements SecretProvider {
  readonly name = PROVIDER_NAME
  // no fetchMany: one KV path per HTTP call, Vault has no batch read
  readonly capabilities: DeclaredCapabilities = { versions: true, dynamic: true }

  private readonly connections: VaultConnections
  private readonly leases = new LeaseRegistry()
  private readonly reader: VaultReader
  private readonly now: () => number

  /** `plugins.secrets.config` (the manifest schema checked its types when it loaded) */
  private readonly plugin: VaultPluginConfig | undefined

  constructor(options: VaultProviderOptions = {}) {
    this.now = options.now ?? Date.now
    const parsed = options.pluginConfig && pluginConfigSchema.safeParse(options.pluginConfig)
    this.plugin = parsed && parsed.success ? parsed.data : undefined
    this.connections = new VaultConnections(options, this.plugin, this.now)
    this.reader = new VaultReader(this.leases, this.now)
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
    return this.connections.get(config, ctx)
  }

  // ───────────── fetch ─────────────

  async fetchOne(request: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    try {
      const config = this.parse(request)
      const target = this.target(config, request.secret)
      return await this.reader.read(request, config, target, () => this.connection(config, ctx))
    } catch (error) {
      throw vaultError(error, { secret: request.secret, action: `read secret "${request.secret}"` })
    }
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
    return this.leases.renew(lease, incrementSeconds, this.now)
  }

  async revoke(lease: LeaseInfo, _ctx: ProviderContext): Promise<void> {
    return this.leases.revoke(lease)
  }

  // ───────────── check / dispose ─────────────

  async check(ctx: ProviderContext, config?: Record<string, unknown>): Promise<ProviderCheck> {
    try {
      const parsed = this.parse({ secret: '(check)', config: config ?? {} })
      return await vaultHealth(await this.connection(parsed, ctx))
    } catch (error) {
      return { status: 'error', detail: vaultError(error, { action: 'check Vault' }).message }
    }
  }

  // Leases are revoked by their owner, the resolver, before it disposes its providers (see
  // leases.ts): disposing ends the sessions only.
  async dispose(): Promise<void> {
    this.connections.dispose()
  }
}
