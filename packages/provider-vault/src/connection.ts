/**
 * Connections to Vault: one client + session per (address, namespace, auth, TLS), shared by
 * every secret that names the same, and one HTTP client per (address, TLS). Each setting comes
 * from the definition, else the provider options, else the environment, else the manifest's
 * `plugins.secrets.config` (see plugin-config.ts).
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { ConfigError, type ProviderContext } from '@floe/core'
import { VaultSession } from './auth.js'
import { VaultApi, createNodeVaultClient, type NodeVaultClient } from './client.js'
import { pluginAuth, type VaultPluginConfig } from './plugin-config.js'
import {
  PROVIDER_NAME,
  authSchema,
  durationSeconds,
  type VaultAuthConfig,
  type VaultSecretConfig,
} from './validate.js'

export interface VaultConnection {
  key: string
  address: string
  namespace?: string
  api: VaultApi
  session: VaultSession
}

/** The provider options that shape a connection (see VaultProviderOptions in provider.ts). */
export interface VaultConnectionOptions {
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
}

interface TlsSettings {
  skip: boolean
  ca?: string | undefined
  timeout?: number | undefined
}

export class VaultConnections {
  private readonly connections = new Map<string, Promise<VaultConnection>>()
  private readonly clients = new Map<string, Promise<NodeVaultClient>>()
  private readonly sessions: VaultSession[] = []

  constructor(
    private readonly options: VaultConnectionOptions,
    /** `plugins.secrets.config` (the manifest schema checked its types when it loaded) */
    private readonly plugin: VaultPluginConfig | undefined,
    private readonly now: () => number,
  ) {}

  /** The connection for a definition's settings, opened on first use. */
  async get(config: VaultSecretConfig, ctx: ProviderContext): Promise<VaultConnection> {
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
    const tls: TlsSettings = {
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
    tls: TlsSettings,
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

  /** Ends every session (token renewal timers) and forgets the connections. */
  dispose(): void {
    for (const session of this.sessions) session.dispose()
    this.sessions.length = 0
    this.connections.clear()
    this.clients.clear()
  }
}
