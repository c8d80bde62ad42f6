import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import {
  ConfigError,
  ConflictError,
  FloeError,
  InvalidSecretError,
  SecretNotFoundError,
  SecretValue,
  UnsupportedError,
  fetchedFromMap,
  isFloeError,
  type FetchRequest,
  type FetchedSecret,
  type LeaseInfo,
  type ListOptions,
  type DeclaredCapabilities,
  type ProviderCheck,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
  parseProviderConfig,
} from '@floe/core'
import { VaultSession } from './auth.js'
import { casWrite } from './cas-write.js'
import {
  PROVIDER,
  VaultApi,
  createNodeVaultClient,
  vaultError,
  vaultStatus,
  type NodeVaultClient,
  type VaultSecretResponse,
} from './client.js'
import { LeaseRegistry, leaseFrom } from './leases.js'
import {
  authSchema,
  configSchema,
  durationSeconds,
  resolveTarget,
  type VaultAuthConfig,
  type VaultSecretConfig,
  type VaultTarget,
} from './validate.js'

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
  now?: () => number
}

export interface VaultConnection {
  key: string
  address: string
  namespace?: string
  api: VaultApi
  session: VaultSession
}

/** A KV secret whose only key is `value` is a single-value secret (how `put` stores one). */
export const SINGLE_VALUE_KEY = 'value'

const MAX_LISTED = 10_000

export class VaultProvider implements SecretProvider {
  readonly name = PROVIDER
  // no fetchMany: one KV path per HTTP call, Vault has no batch read
  readonly capabilities: DeclaredCapabilities = { versions: true, dynamic: true }

  private readonly connections = new Map<string, Promise<VaultConnection>>()
  private readonly clients = new Map<string, Promise<NodeVaultClient>>()
  private readonly sessions: VaultSession[] = []
  private readonly leases = new LeaseRegistry()
  private readonly inFlight = new Map<string, Promise<VaultSecretResponse>>()
  private readonly now: () => number

  constructor(private readonly options: VaultProviderOptions = {}) {
    this.now = options.now ?? Date.now
  }

  // ───────────── connections ─────────────

  private parse(request: { secret: string; config: Record<string, unknown> }): VaultSecretConfig {
    return parseProviderConfig(configSchema, request, PROVIDER)
  }

  private target(config: VaultSecretConfig, secret: string): VaultTarget {
    try {
      return resolveTarget(config, secret)
    } catch (error) {
      throw new ConfigError((error as Error).message, { provider: PROVIDER, secret })
    }
  }

  /** One connection (client + session) per (address, namespace, auth, TLS), shared by secrets. */
  async connection(config: VaultSecretConfig, ctx: ProviderContext): Promise<VaultConnection> {
    const address =
      config.vault?.address ??
      this.options.address ??
      ctx.env.VAULT_ADDR ??
      (this.options.client ? 'injected' : '')
    if (!address) {
      throw new ConfigError('no Vault address: set vault.address in the manifest or VAULT_ADDR', {
        provider: PROVIDER,
      })
    }
    const namespace = config.vault?.namespace ?? this.options.namespace ?? ctx.env.VAULT_NAMESPACE
    const auth = authSchema.parse({ ...(this.options.auth ?? {}), ...(config.auth ?? {}) })
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
            throw new ConfigError(`cannot read vault.ca_cert ${file}`, { provider: PROVIDER })
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
          { provider: PROVIDER, secret: request.secret },
        )
      }
      if (!/^[1-9]\d*$/.test(version)) {
        throw new InvalidSecretError(
          `secret "${request.secret}": "${version}" is not a KV v2 version number`,
          { provider: PROVIDER, secret: request.secret },
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
          provider: PROVIDER,
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
          { provider: PROVIDER, secret },
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
          { provider: PROVIDER, secret },
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
    const notFound = (why: string) =>
      new SecretNotFoundError(`secret "${request.secret}" ${why}`, {
        provider: PROVIDER,
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
        const held = this.leases.all().find((t) => t.secret === request.secret)?.lease
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
        if (
          error instanceof FloeError &&
          (error.code === 'INVALID' || error.code === 'NOT_FOUND')
        ) {
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

  async *list(options: ListOptions, ctx: ProviderContext): AsyncIterable<SecretListing> {
    const config = this.parse({ secret: '(list)', config: options.config ?? {} })
    if (options.namespace) config.vault = { ...(config.vault ?? {}), namespace: options.namespace }
    const connection = await this.connection(config, ctx)
    // connection settings may come from any definition (the CLI passes the first one):
    // list its KV mount, or `secret` (KV v2) when it points at a dynamic engine
    let mount = 'secret'
    let kv2 = config.kv_version !== 1
    if (config.mount) mount = config.mount.replace(/^\/+|\/+$/g, '')
    else if (config.path) {
      const target = this.target(config, '(list)')
      if (target.kind !== 'logical') {
        mount = target.mount
        kv2 = target.kind === 'kv2'
      }
    }
    const queue = [(options.prefix ?? '').replace(/^\/+|\/+$/g, '')]
    let emitted = 0
    while (queue.length && emitted < MAX_LISTED) {
      const dir = queue.shift() ?? ''
      const path = `${mount}/${kv2 ? 'metadata/' : ''}${dir}`
      let keys: string[]
      try {
        keys = await connection.session.run((call) => connection.api.list(path, call))
      } catch (error) {
        if (vaultStatus(error) === 404) continue
        throw vaultError(error, { action: `list ${path}`, address: connection.address })
      }
      for (const key of keys) {
        const name = dir ? `${dir}/${key}` : key
        if (key.endsWith('/')) queue.push(name.slice(0, -1))
        else {
          emitted += 1
          yield { name, type: kv2 ? 'kv-v2' : 'kv-v1' }
        }
      }
    }
  }

  // ───────────── put ─────────────

  async put(request: PutRequest, ctx: ProviderContext): Promise<PutResult> {
    const config = this.parse(request)
    const target = this.target(config, request.secret)
    const connection = await this.connection(config, ctx)
    const fail = (error: unknown, action: string) =>
      vaultError(error, { secret: request.secret, action, address: connection.address })
    const call = <T>(fn: (api: VaultApi, c: Parameters<VaultApi['read']>[1]) => Promise<T>) =>
      connection.session.run((c) => fn(connection.api, c))

    const single = request.data instanceof SecretValue ? request.data : undefined
    const incoming: Record<string, string> = single
      ? {}
      : Object.fromEntries(
          Object.entries(request.data as Record<string, SecretValue>).map(([k, v]) => [
            k,
            v.reveal(),
          ]),
        )

    if (target.kind !== 'kv2') {
      if (target.kind === 'logical' && target.dynamic) {
        throw new UnsupportedError(
          `secret "${request.secret}" is a dynamic credential: Vault issues it`,
          {
            provider: PROVIDER,
            secret: request.secret,
          },
        )
      }
      if (request.expectedVersion !== undefined) {
        throw new UnsupportedError(
          `secret "${request.secret}" is in KV v1, which has no versions: compare-and-set is impossible`,
          {
            provider: PROVIDER,
            secret: request.secret,
            hint: 'use a KV v2 mount for safe rotation',
          },
        )
      }
      let existing: Record<string, string> | undefined
      try {
        existing = stringMap((await call((api, c) => api.read(target.dataPath, c))).data ?? {})
      } catch (error) {
        if (vaultStatus(error) !== 404) throw fail(error, `read ${target.dataPath}`)
      }
      if (existing && request.createOnly) {
        throw new ConflictError(`secret "${request.secret}" already exists at ${target.dataPath}`, {
          provider: PROVIDER,
          secret: request.secret,
        })
      }
      const data = single
        ? config.key
          ? { ...(existing ?? {}), [config.key]: single.reveal() }
          : { [SINGLE_VALUE_KEY]: single.reveal() }
        : config.key || config.keys?.length
          ? { ...(existing ?? {}), ...incoming }
          : incoming
      try {
        await call((api, c) => api.write(target.dataPath, data, c))
      } catch (error) {
        throw fail(error, `write ${target.dataPath}`)
      }
      return { created: !existing }
    }

    // KV v2: every write is check-and-set, so a concurrent writer is never silently overwritten
    let cas: number
    if (request.createOnly) cas = 0
    else if (request.expectedVersion !== undefined) {
      if (!/^\d+$/.test(request.expectedVersion)) {
        throw new InvalidSecretError(
          `secret "${request.secret}": expected version "${request.expectedVersion}" is not a KV v2 version number`,
          { provider: PROVIDER, secret: request.secret },
        )
      }
      cas = Number(request.expectedVersion)
    } else {
      try {
        const meta = await call((api, c) => api.read(target.metadataPath, c))
        cas = Number((meta.data as { current_version?: number } | null)?.current_version ?? 0)
      } catch (error) {
        if (vaultStatus(error) !== 404) throw fail(error, `read ${target.metadataPath}`)
        cas = 0
      }
    }
    let data: Record<string, string>
    // A definition that selects keys (`key:` / `keys:`) owns only those keys: merge them into
    // the version we compare against so the secret's other keys survive.
    const selective = Boolean(config.key || config.keys?.length)
    if ((single && config.key) || (!single && selective)) {
      let base: Record<string, string> = {}
      if (cas > 0) {
        try {
          const current = await call((api, c) => api.read(`${target.dataPath}?version=${cas}`, c))
          base = stringMap(((current.data ?? {}) as { data?: Record<string, unknown> }).data ?? {})
        } catch (error) {
          if (vaultStatus(error) !== 404) throw fail(error, `read ${target.dataPath}`)
        }
      }
      data =
        single && config.key ? { ...base, [config.key]: single.reveal() } : { ...base, ...incoming }
    } else data = single ? { [SINGLE_VALUE_KEY]: single.reveal() } : incoming

    let written
    try {
      written = await casWrite(data, cas, {
        secret: request.secret,
        dataPath: target.dataPath,
        fail,
        write: async (expected) => {
          const answer = await call((api, c) =>
            api.write(target.dataPath, { data, options: { cas: expected } }, c),
          )
          return (answer.data as { version?: number } | null)?.version
        },
        currentVersion: async () => {
          const meta = await call((api, c) => api.read(target.metadataPath, c))
          return Number((meta.data as { current_version?: number } | null)?.current_version ?? 0)
        },
        readVersion: async (version) => {
          const stored = await call((api, c) =>
            api.read(`${target.dataPath}?version=${version}`, c),
          )
          return stringMap(((stored.data ?? {}) as { data?: Record<string, unknown> }).data ?? {})
        },
      })
    } catch (error) {
      const classified = isFloeError(error) ? error : fail(error, `write ${target.dataPath}`)
      if (classified.code === 'CONFLICT') {
        throw new ConflictError(
          cas === 0
            ? `secret "${request.secret}" already exists at ${target.dataPath}`
            : `secret "${request.secret}" changed since version ${cas} at ${target.dataPath} (check-and-set failed); re-read and retry`,
          { provider: PROVIDER, secret: request.secret, details: { expectedVersion: String(cas) } },
        )
      }
      throw classified
    }
    const version = written.version
    return {
      ...(version !== undefined ? { version: String(version) } : {}),
      ...(written.warnings.length ? { warnings: written.warnings } : {}),
      ...(cas > 0 ? { previousVersion: String(cas) } : {}),
      created: cas === 0,
    }
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
        provider: PROVIDER,
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

/** KV values may be numbers, booleans or nested objects: hand them on as text. */
function stringMap(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  )
}
