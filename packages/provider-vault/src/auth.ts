/**
 * One authenticated Vault session per connection (address, namespace, auth): logs in on first
 * use, renews its token at ~2/3 of the TTL while renewable, logs in again when renewal is
 * impossible, and — when a call is denied because the token expired or was revoked behind
 * its back — logs in once more and retries that call.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { ConfigError, ForbiddenError, type FloeError, type Logger } from '@floe/core'
import { type VaultApi, type VaultAuthInfo, type VaultCall } from './client.js'
import { signGetCallerIdentity } from './aws-iam-login.js'
import type { VaultAuthConfig } from './validate.js'
import { PROVIDER_NAME } from './validate.js'
import { vaultError, vaultStatus } from './errors.js'

export const DEFAULT_JWT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token'

export interface SessionEnvironment {
  env: NodeJS.ProcessEnv
  cwd: string
  logger: Logger
  now: () => number
  /** token given to the provider directly (`create({ token })`) */
  token?: string
}

interface TokenState {
  token: string
  /** ms epoch; undefined = does not expire */
  expiresAt?: number
  renewable: boolean
  /** the TTL the token was issued (or last renewed) with, seconds */
  ttlSeconds: number
}

export class VaultSession {
  private state: TokenState | undefined
  private pending: Promise<TokenState> | undefined
  private timer: NodeJS.Timeout | undefined
  private disposed = false
  /** how many logins this session performed (status output, tests) */
  logins = 0

  constructor(
    private readonly api: VaultApi,
    private readonly auth: VaultAuthConfig,
    private readonly namespace: string | undefined,
    private readonly address: string,
    private readonly environment: SessionEnvironment,
  ) {}

  get method(): VaultAuthConfig['method'] {
    return this.auth.method
  }

  /** Runs `fn` with a valid token; on a 403 caused by a dead token, logs in again and retries once. */
  async run<T>(fn: (call: VaultCall) => Promise<T>): Promise<T> {
    const state = await this.current()
    try {
      return await fn(this.call(state.token))
    } catch (error) {
      if (vaultStatus(error) !== 403 || !(await this.tokenIsDead(state))) throw error
      this.environment.logger.info('vault token expired or revoked; logging in again', {
        method: this.auth.method,
      })
      this.invalidate(state)
      const fresh = await this.current()
      if (fresh.token === state.token) throw error
      return fn(this.call(fresh.token))
    }
  }

  /** A call with no token (logins, sys/health). */
  anonymous(): VaultCall {
    return this.namespace ? { namespace: this.namespace } : {}
  }

  async lookupSelf(): Promise<{ ttl: number; renewable: boolean; policies: string[] }> {
    return this.run((call) => this.api.tokenLookupSelf(call))
  }

  dispose(): void {
    this.disposed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  private call(token: string): VaultCall {
    return { token, ...(this.namespace ? { namespace: this.namespace } : {}) }
  }

  private async current(): Promise<TokenState> {
    const state = this.state
    if (state && (state.expiresAt === undefined || state.expiresAt > this.environment.now())) {
      return state
    }
    this.pending ??= this.authenticate().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  private invalidate(state: TokenState): void {
    if (this.state === state) this.state = undefined
  }

  /** A 403 means "dead token" only if Vault no longer knows the token. */
  private async tokenIsDead(state: TokenState): Promise<boolean> {
    if (state.expiresAt !== undefined && state.expiresAt <= this.environment.now()) return true
    try {
      await this.api.tokenLookupSelf(this.call(state.token))
      return false
    } catch (error) {
      return vaultStatus(error) === 403
    }
  }

  private async authenticate(): Promise<TokenState> {
    const state = await this.login()
    this.state = state
    this.schedule(state)
    return state
  }

  private fromAuth(auth: VaultAuthInfo): TokenState {
    this.logins += 1
    const ttl = auth.lease_duration
    return {
      token: auth.client_token,
      ...(ttl > 0 ? { expiresAt: this.environment.now() + ttl * 1000 } : {}),
      renewable: auth.renewable,
      ttlSeconds: ttl,
    }
  }

  private async login(): Promise<TokenState> {
    const { method } = this.auth
    const mount = this.auth.mount_path?.replace(/^\/+|\/+$/g, '') ?? method
    const action = `vault ${method} login`
    const fail = (error: unknown): FloeError => {
      const classified = vaultError(error, { action, address: this.address })
      const status = vaultStatus(error)
      // a rejected login (bad role, bad JWT, bad secret id) is a denial, not a bad secret
      if (status === 400 || status === 401 || status === 403) {
        return new ForbiddenError(classified.message.replace(/^\[vault\] /, ''), {
          provider: PROVIDER_NAME,
          hint: `check the ${method} auth settings (role, credentials, mount_path "${mount}")`,
        })
      }
      return classified
    }
    switch (method) {
      case 'token': {
        const token = await this.readToken()
        try {
          const lookup = await this.api.tokenLookupSelf(this.call(token))
          this.logins += 1
          return {
            token,
            ...(lookup.ttl > 0 ? { expiresAt: this.environment.now() + lookup.ttl * 1000 } : {}),
            renewable: lookup.renewable,
            ttlSeconds: lookup.ttl,
          }
        } catch (error) {
          throw fail(error)
        }
      }
      case 'approle': {
        const roleId = await this.credential(
          this.auth.role_id,
          this.auth.role_id_file,
          'VAULT_ROLE_ID',
        )
        if (!roleId) {
          throw new ConfigError('approle auth needs role_id (or role_id_file, or VAULT_ROLE_ID)', {
            provider: PROVIDER_NAME,
          })
        }
        const secretId = await this.credential(
          this.auth.secret_id,
          this.auth.secret_id_file,
          'VAULT_SECRET_ID',
        )
        try {
          return this.fromAuth(
            await this.api.approleLogin(
              { role_id: roleId, ...(secretId ? { secret_id: secretId } : {}), mount_point: mount },
              this.anonymous(),
            ),
          )
        } catch (error) {
          throw fail(error)
        }
      }
      case 'kubernetes': {
        if (!this.auth.role) {
          throw new ConfigError('kubernetes auth needs `role`', { provider: PROVIDER_NAME })
        }
        const jwtPath = this.path(this.auth.jwt_path ?? DEFAULT_JWT_PATH)
        let jwt: string
        try {
          jwt = (await readFile(jwtPath, 'utf8')).trim()
        } catch (error) {
          throw new ConfigError(
            `kubernetes auth cannot read the service-account token at ${jwtPath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
            {
              provider: PROVIDER_NAME,
              hint: 'set auth.jwt_path or run inside a pod with a service account',
            },
          )
        }
        try {
          return this.fromAuth(
            await this.api.kubernetesLogin(
              { role: this.auth.role, jwt, mount_point: mount },
              this.anonymous(),
            ),
          )
        } catch (error) {
          throw fail(error)
        }
      }
      case 'aws': {
        if (!this.auth.role)
          throw new ConfigError('aws auth needs `role`', { provider: PROVIDER_NAME })
        const signed = signGetCallerIdentity({
          env: this.environment.env,
          region: this.auth.region,
          serverId: this.auth.header_value,
          now: new Date(this.environment.now()),
        })
        try {
          return this.fromAuth(
            await this.api.awsIamLogin(
              { role: this.auth.role, ...signed, mount_point: mount },
              this.anonymous(),
            ),
          )
        } catch (error) {
          throw fail(error)
        }
      }
    }
  }

  private path(p: string): string {
    return isAbsolute(p) ? p : resolve(this.environment.cwd, p)
  }

  private async credential(
    literal: string | undefined,
    file: string | undefined,
    envName: string,
  ): Promise<string | undefined> {
    if (literal) return literal
    if (file) return (await readFile(this.path(file), 'utf8')).trim()
    const fromEnv = this.environment.env[envName]
    return fromEnv ? fromEnv : undefined
  }

  /** token auth: token_file, provider option, VAULT_TOKEN, then ~/.vault-token (like the CLI). */
  private async readToken(): Promise<string> {
    if (this.auth.token_file) {
      try {
        return (await readFile(this.path(this.auth.token_file), 'utf8')).trim()
      } catch (error) {
        throw new ConfigError(
          `cannot read the Vault token file ${this.auth.token_file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
          { provider: PROVIDER_NAME },
        )
      }
    }
    const direct = this.environment.token ?? this.environment.env.VAULT_TOKEN
    if (direct) return direct
    const home = this.environment.env.HOME ?? homedir()
    try {
      const fromFile = (await readFile(join(home, '.vault-token'), 'utf8')).trim()
      if (fromFile) return fromFile
    } catch {
      // no token helper file: fall through to the error below
    }
    throw new ConfigError(
      'no Vault token: set VAULT_TOKEN, auth.token_file, or use another auth method',
      {
        provider: PROVIDER_NAME,
      },
    )
  }

  /**
   * Renews at 2/3 of the TTL while the token is renewable and renewals still extend it;
   * otherwise logs in again at that point (methods that can), so calls never meet a dead token.
   */
  private schedule(state: TokenState): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.disposed || state.expiresAt === undefined) return
    const remaining = state.expiresAt - this.environment.now()
    const delay = Math.max(0, (remaining * 2) / 3)
    this.timer = setTimeout(() => void this.refresh(state), delay)
    this.timer.unref()
  }

  private async refresh(state: TokenState): Promise<void> {
    if (this.disposed || this.state !== state) return
    if (state.renewable) {
      try {
        const renewed = await this.api.tokenRenewSelf(
          state.ttlSeconds || undefined,
          this.call(state.token),
        )
        const next: TokenState = {
          token: renewed.client_token || state.token,
          ...(renewed.lease_duration > 0
            ? { expiresAt: this.environment.now() + renewed.lease_duration * 1000 }
            : {}),
          // a renewal cut short by the max TTL cannot be repeated usefully
          renewable: renewed.renewable && renewed.lease_duration >= state.ttlSeconds * 0.9,
          ttlSeconds: renewed.lease_duration,
        }
        if (this.state !== state || this.disposed) return
        this.state = next
        this.schedule(next)
        return
      } catch (error) {
        this.environment.logger.warn('vault token renewal failed; logging in again', {
          error: vaultError(error, { action: 'renew token' }).message,
        })
      }
    }
    if (this.auth.method === 'token' && !this.auth.token_file) {
      // a static token cannot be replaced: let it run out, calls will report FORBIDDEN
      return
    }
    try {
      this.invalidate(state)
      await this.current()
    } catch (error) {
      this.environment.logger.warn('vault re-login failed', {
        error: vaultError(error, { action: 'login' }).message,
      })
    }
  }
}
