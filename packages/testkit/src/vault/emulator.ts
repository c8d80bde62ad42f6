/**
 * A strict HashiCorp Vault HTTP API emulator on 127.0.0.1, built on `startHttpEmulator`.
 * It speaks what node-vault, the `vault` CLI and hvac send: KV v1/v2, token/approle/
 * kubernetes/aws logins, dynamic database credentials with leases, ACL policies, namespaces,
 * and Vault's error JSON (`{"errors":[…]}`) with its status codes.
 */
import { createHash } from 'node:crypto'
import type { CallRecord, FaultSpec } from '../emulator/faults.js'
import {
  startHttpEmulator,
  type EmulatorRequest,
  type EmulatorResponse,
  type HttpEmulator,
} from '../emulator/http-emulator.js'
import {
  capabilitiesFor,
  parseVaultPolicyHcl,
  renderVaultPolicyHcl,
  requiredCapability,
  type VaultCapability,
  type VaultPolicyRule,
} from './policy.js'
import {
  NamespaceState,
  kvKey,
  newAccessor,
  newPassword,
  newRequestId,
  newTokenId,
  trimSlashes,
  type AppRole,
  type AwsRole,
  type DatabaseRole,
  type KubernetesRole,
  type KvEntry,
  type LeaseRecord,
  type LoginRoleTokenSettings,
  type VaultMountConfig,
  type VaultToken,
} from './state.js'

export interface VaultEmulatorOptions {
  /** the root token (all capabilities), default 'root' */
  rootToken?: string
  /** mount table applied to every namespace; default `secret` kv2, `kv` kv1, `database` */
  mounts?: Record<string, VaultMountConfig>
  /** named policies: rule lists or HCL text */
  policies?: Record<string, VaultPolicyRule[] | string>
  approles?: Record<string, AppRole>
  kubernetesRoles?: Record<string, KubernetesRole>
  awsRoles?: Record<string, AwsRole>
  databaseRoles?: Record<string, DatabaseRole>
  /** default token TTL issued by logins, seconds (default 3600) */
  defaultTokenTtlSeconds?: number
  /** clock, for tests that move time without waiting */
  now?: () => number
  tls?: boolean
  port?: number
}

export interface CreateTokenOptions {
  policies?: string[]
  ttlSeconds?: number
  maxTtlSeconds?: number
  renewable?: boolean
  id?: string
  displayName?: string
}

export interface VaultEmulator extends HttpEmulator {
  readonly rootToken: string
  /** writes a KV secret bypassing the wire; `path` is `<mount>/<path>` (a kv2 `data/` segment is accepted) */
  writeKv(
    path: string,
    data: Record<string, unknown>,
    options?: { namespace?: string; customMetadata?: Record<string, string> },
  ): number
  readKv(
    path: string,
    options?: { namespace?: string; version?: number },
  ): Record<string, unknown> | undefined
  deleteKv(path: string, options?: { namespace?: string }): void
  mount(path: string, config: VaultMountConfig, options?: { namespace?: string }): void
  setPolicy(name: string, rules: VaultPolicyRule[] | string): void
  createToken(options?: CreateTokenOptions): string
  /** marks a token expired server-side (as if its TTL ran out) */
  expireToken(token: string): void
  revokeToken(token: string): void
  /** expires every token issued by a login (or matching `filter`); returns how many */
  expireTokens(filter?: (token: Readonly<VaultToken>) => boolean): number
  lookupToken(token: string): Readonly<VaultToken> | undefined
  addAppRole(name: string, role: AppRole): void
  addKubernetesRole(name: string, role: KubernetesRole): void
  addAwsRole(name: string, role: AwsRole): void
  addDatabaseRole(name: string, role: DatabaseRole, options?: { namespace?: string }): void
  /** issued dynamic credentials (usernames and lease state; never passwords) */
  leases(options?: { namespace?: string }): readonly Readonly<LeaseRecord>[]
  /** whether a dynamic credential is still usable (issued, not revoked, not expired) */
  credentialValid(username: string, options?: { namespace?: string }): boolean
  /** number of successful logins per auth method, e.g. { approle: 1 } */
  logins(): Record<string, number>
}

const DEFAULT_MOUNTS: Record<string, VaultMountConfig> = {
  secret: { type: 'kv', version: 2 },
  kv: { type: 'kv', version: 1 },
  database: { type: 'database' },
}

const PERMISSION_DENIED_POLICY = '1 error occurred:\n\t* permission denied\n\n'

function errors(status: number, ...messages: string[]): EmulatorResponse {
  return { status, body: { errors: messages } }
}

const denied = (): EmulatorResponse => errors(403, PERMISSION_DENIED_POLICY)
const badToken = (): EmulatorResponse => errors(403, 'permission denied')

/** Parses a Vault duration: integer seconds or "1h30m10s". */
export function parseVaultDuration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number')
    return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : undefined
  if (typeof value !== 'string') return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const re = /(\d+)(h|m|s)/g
  let total = 0
  let matched = ''
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1)
    matched += m[0]
  }
  return matched === value ? total : undefined
}

export async function startVaultEmulator(
  options: VaultEmulatorOptions = {},
): Promise<VaultEmulator> {
  const now = options.now ?? Date.now
  const rootToken = options.rootToken ?? 'root'
  const mountTable = options.mounts ?? DEFAULT_MOUNTS
  const namespaces = new Map<string, NamespaceState>()
  const tokens = new Map<string, VaultToken>()
  const policies = new Map<string, VaultPolicyRule[]>()
  const approles = new Map<string, AppRole & { name: string }>()
  const kubernetesRoles = new Map<string, KubernetesRole>()
  const awsRoles = new Map<string, AwsRole>()
  const authMounts = new Map<string, 'approle' | 'kubernetes' | 'aws'>([
    ['approle', 'approle'],
    ['kubernetes', 'kubernetes'],
    ['aws', 'aws'],
  ])
  const loginCounts: Record<string, number> = {}
  const defaultTtl = options.defaultTokenTtlSeconds ?? 3600

  const ns = (name = ''): NamespaceState => {
    const key = trimSlashes(name)
    let state = namespaces.get(key)
    if (!state) {
      state = new NamespaceState(mountTable)
      namespaces.set(key, state)
    }
    return state
  }

  tokens.set(rootToken, {
    id: rootToken,
    accessor: newAccessor(),
    policies: ['root'],
    ttlSeconds: 0,
    maxTtlSeconds: 0,
    renewable: false,
    createdAt: now(),
    revoked: false,
    displayName: 'root',
    meta: {},
  })

  /** policy name → HCL as written (sys/policy reads it back); rule lists are rendered */
  const policyText = new Map<string, string>()
  const setPolicy = (name: string, rules: VaultPolicyRule[] | string): void => {
    policies.set(name, typeof rules === 'string' ? parseVaultPolicyHcl(rules) : rules)
    policyText.set(name, typeof rules === 'string' ? rules : renderVaultPolicyHcl(rules))
  }
  for (const [name, rules] of Object.entries(options.policies ?? {})) setPolicy(name, rules)

  const issueToken = (
    settings: CreateTokenOptions & { meta?: Record<string, string> },
  ): VaultToken => {
    const ttl = settings.ttlSeconds ?? defaultTtl
    const token: VaultToken = {
      id: settings.id ?? newTokenId(),
      accessor: newAccessor(),
      policies: settings.policies ?? ['default'],
      ttlSeconds: ttl,
      maxTtlSeconds: settings.maxTtlSeconds ?? 0,
      renewable: settings.renewable ?? true,
      createdAt: now(),
      ...(ttl > 0 ? { expiresAt: now() + ttl * 1000 } : {}),
      revoked: false,
      displayName: settings.displayName ?? 'token',
      meta: settings.meta ?? {},
    }
    tokens.set(token.id, token)
    return token
  }

  const loginToken = (
    method: string,
    role: LoginRoleTokenSettings,
    meta: Record<string, string>,
  ) => {
    loginCounts[method] = (loginCounts[method] ?? 0) + 1
    return issueToken({
      policies: ['default', ...role.policies],
      ttlSeconds: role.tokenTtlSeconds ?? defaultTtl,
      maxTtlSeconds: role.tokenMaxTtlSeconds ?? 0,
      renewable: role.renewable ?? true,
      displayName: method,
      meta,
    })
  }

  const addAppRole = (name: string, role: AppRole): void => {
    approles.set(role.roleId, { ...role, name })
  }
  const addKubernetesRole = (name: string, role: KubernetesRole): void => {
    const mount = trimSlashes(role.mount ?? 'kubernetes')
    authMounts.set(mount, 'kubernetes')
    kubernetesRoles.set(`${mount}\u0000${name}`, role)
  }
  const addAwsRole = (name: string, role: AwsRole): void => {
    const mount = trimSlashes(role.mount ?? 'aws')
    authMounts.set(mount, 'aws')
    awsRoles.set(`${mount}\u0000${name}`, role)
  }
  for (const [n, r] of Object.entries(options.approles ?? {})) addAppRole(n, r)
  for (const [n, r] of Object.entries(options.kubernetesRoles ?? {})) addKubernetesRole(n, r)
  for (const [n, r] of Object.entries(options.awsRoles ?? {})) addAwsRole(n, r)
  for (const [n, r] of Object.entries(options.databaseRoles ?? {})) ns('').databaseRoles.set(n, r)

  const liveToken = (id: string | undefined): VaultToken | undefined => {
    if (!id) return undefined
    const token = tokens.get(id)
    if (!token || token.revoked) return undefined
    if (token.expiresAt !== undefined && token.expiresAt <= now()) return undefined
    return token
  }

  const rulesOf = (token: VaultToken): VaultPolicyRule[] =>
    token.policies.flatMap((p) => policies.get(p) ?? [])

  const allowed = (token: VaultToken, path: string, capability: VaultCapability): boolean => {
    if (token.policies.includes('root')) return true
    return capabilitiesFor(rulesOf(token), path).has(capability)
  }

  const envelope = (extra: Record<string, unknown>): Record<string, unknown> => ({
    request_id: newRequestId(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  })

  const ttlLeft = (token: VaultToken): number =>
    token.expiresAt === undefined ? 0 : Math.max(0, Math.round((token.expiresAt - now()) / 1000))

  const authBlock = (token: VaultToken): Record<string, unknown> => ({
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: ttlLeft(token),
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: true,
  })

  // ───────────── KV helpers ─────────────

  const kvEntry = (state: NamespaceState, mount: string, path: string): KvEntry | undefined =>
    state.kv.get(kvKey(mount, trimSlashes(path)))

  const writeVersion = (
    state: NamespaceState,
    mount: string,
    path: string,
    data: Record<string, unknown>,
  ): { entry: KvEntry; version: number } => {
    const key = kvKey(mount, trimSlashes(path))
    const at = new Date(now())
    let entry = state.kv.get(key)
    if (!entry) {
      entry = {
        versions: new Map(),
        currentVersion: 0,
        createdAt: at,
        updatedAt: at,
        customMetadata: {},
        maxVersions: 10,
      }
      state.kv.set(key, entry)
    }
    entry.currentVersion += 1
    entry.updatedAt = at
    entry.versions.set(entry.currentVersion, { data: { ...data }, createdAt: at, destroyed: false })
    for (const v of [...entry.versions.keys()].sort((a, b) => a - b)) {
      if (entry.versions.size <= entry.maxVersions) break
      entry.versions.delete(v)
    }
    return { entry, version: entry.currentVersion }
  }

  const versionMetadata = (entry: KvEntry, version: number): Record<string, unknown> => {
    const v = entry.versions.get(version)
    return {
      created_time: v?.createdAt.toISOString() ?? '',
      custom_metadata: Object.keys(entry.customMetadata).length ? entry.customMetadata : null,
      deletion_time: v?.deletedAt?.toISOString() ?? '',
      destroyed: v?.destroyed ?? false,
      version,
    }
  }

  const listKeys = (state: NamespaceState, mount: string, prefix: string): string[] => {
    const base = prefix ? `${trimSlashes(prefix)}/` : ''
    const out = new Set<string>()
    for (const key of state.kv.keys()) {
      const [m, p] = key.split('\u0000') as [string, string]
      if (m !== mount || !p.startsWith(base)) continue
      const rest = p.slice(base.length)
      const slash = rest.indexOf('/')
      out.add(slash === -1 ? rest : rest.slice(0, slash + 1))
    }
    return [...out].filter(Boolean).sort()
  }

  const splitKvPath = (path: string, namespace?: string) => {
    const state = ns(namespace)
    const target = state.mountFor(trimSlashes(path))
    if (!target || target.config.type !== 'kv') throw new Error(`no kv mount for "${path}"`)
    let rest = target.rest
    if (target.config.version === 2 && rest.startsWith('data/')) rest = rest.slice(5)
    return { state, mount: target.mount, rest, version: target.config.version }
  }

  // ───────────── routing ─────────────

  interface Routed {
    namespace: string
    apiPath: string
    list: boolean
  }

  const routeOf = (req: EmulatorRequest): Routed => ({
    namespace: trimSlashes(String(req.headers['x-vault-namespace'] ?? '')),
    apiPath: trimSlashes(req.path.replace(/^\/v1\//, '')),
    list:
      req.method === 'LIST' ||
      (req.method === 'GET' && ['1', 'true'].includes(req.query.get('list') ?? '')),
  })

  const operation = (req: EmulatorRequest): string | EmulatorResponse => {
    if (!req.path.startsWith('/v1/')) return errors(404)
    if (req.body.length) {
      try {
        req.json = JSON.parse(req.body.toString('utf8'))
      } catch (error) {
        return errors(400, `failed to parse JSON input: ${(error as Error).message}`)
      }
    }
    const { apiPath, list, namespace } = routeOf(req)
    if (apiPath === 'sys/health') return 'sys.health'
    if (apiPath.startsWith('sys/leases/')) return `sys.leases.${apiPath.slice(11)}`
    if (apiPath.startsWith('sys/internal/ui/mounts')) return 'sys.ui-mounts'
    if (apiPath === 'sys/mounts' || apiPath.startsWith('sys/mounts/')) return 'sys.mounts'
    if (/^sys\/(policy|policies\/acl)(\/|$)/.test(apiPath)) return 'sys.policy'
    if (apiPath.startsWith('auth/token/')) return `token.${apiPath.slice(11)}`
    const login = /^auth\/(.+)\/login$/.exec(apiPath)
    if (login) return `auth.${authMounts.get(login[1] ?? '') ?? 'unknown'}.login`
    const target = ns(namespace).mountFor(apiPath)
    if (!target) return 'unknown'
    if (target.config.type === 'database') {
      if (target.rest.startsWith('creds/')) return 'database.creds'
      if (target.rest.startsWith('roles')) return 'database.roles'
      return 'unknown'
    }
    if (target.config.version === 1) {
      if (list) return 'kv.list'
      return req.method === 'GET' ? 'kv.read' : req.method === 'DELETE' ? 'kv.delete' : 'kv.write'
    }
    const [area] = target.rest.split('/')
    switch (area) {
      case 'data':
        return req.method === 'GET' ? 'kv.read' : req.method === 'DELETE' ? 'kv.delete' : 'kv.write'
      case 'metadata':
        if (list) return 'kv.list'
        return req.method === 'GET'
          ? 'kv.metadata'
          : req.method === 'DELETE'
            ? 'kv.metadata-delete'
            : 'kv.metadata-write'
      case 'delete':
        return 'kv.delete-versions'
      case 'undelete':
      case 'destroy':
        return `kv.${area}`
      default:
        return 'unknown'
    }
  }

  const body = (req: EmulatorRequest): Record<string, unknown> =>
    req.json && typeof req.json === 'object' && !Array.isArray(req.json)
      ? (req.json as Record<string, unknown>)
      : {}

  const handle = (op: string, req: EmulatorRequest, call: CallRecord): EmulatorResponse => {
    const route = routeOf(req)
    call.detail = {
      path: route.apiPath,
      ...(route.namespace ? { namespace: route.namespace } : {}),
    }
    if (op === 'sys.health') {
      return {
        status: 200,
        body: {
          initialized: true,
          sealed: false,
          standby: false,
          performance_standby: false,
          server_time_utc: Math.floor(now() / 1000),
          version: '1.17.0+floe-emulator',
          cluster_name: 'floe-emulator',
          cluster_id: 'floe-emulator',
        },
      }
    }
    if (op.startsWith('auth.') && op.endsWith('.login')) return handleLogin(op, req, route)

    const headerToken = req.headers['x-vault-token']
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1]
    const token = liveToken(typeof headerToken === 'string' ? headerToken : bearer)
    if (!token) return badToken()

    if (op.startsWith('token.')) return handleToken(op, req, token)
    if (op.startsWith('sys.leases.')) return handleLeases(op, req, route, token)
    if (op === 'sys.policy' || op === 'sys.mounts') {
      const capability = requiredCapability(req.method, { list: route.list, exists: true })
      const aclPath = route.list ? `${route.apiPath}/` : route.apiPath
      if (!allowed(token, aclPath, capability)) return denied()
      return op === 'sys.policy' ? handlePolicies(req, route) : handleMounts(req, route)
    }
    if (op === 'sys.ui-mounts') {
      // the vault CLI's preflight for `vault kv …`: which mount and KV version a path is on
      const found = ns(route.namespace).mountFor(
        route.apiPath.replace(/^sys\/internal\/ui\/mounts\/?/, ''),
      )
      if (!found) return errors(403, PERMISSION_DENIED_POLICY)
      const version = found.config.type === 'kv' ? { version: String(found.config.version) } : {}
      return {
        status: 200,
        body: envelope({
          data: {
            path: `${found.mount}/`,
            type: found.config.type,
            options: found.config.type === 'kv' ? version : null,
          },
        }),
      }
    }

    const state = ns(route.namespace)
    const target = state.mountFor(route.apiPath)
    const exists =
      target?.config.type === 'kv'
        ? kvEntry(
            state,
            target.mount,
            target.config.version === 2 ? target.rest.replace(/^[a-z]+\/?/, '') : target.rest,
          ) !== undefined
        : true
    const capability = requiredCapability(req.method, { list: route.list, exists })
    // Vault checks list requests against the folder path with its trailing slash
    const aclPath = route.list ? `${route.apiPath}/` : route.apiPath
    if (!allowed(token, aclPath, capability)) return denied()
    if (!target || op === 'unknown') {
      return errors(404, `no handler for route "${route.apiPath}". route entry not found.`)
    }
    if (op.startsWith('database.')) return handleDatabase(op, req, route, state, target)
    return handleKv(op, req, route, state, target)
  }

  // ───────────── auth ─────────────

  const handleLogin = (op: string, req: EmulatorRequest, route: Routed): EmulatorResponse => {
    if (req.method !== 'POST' && req.method !== 'PUT') return errors(405)
    const b = body(req)
    const mount = /^auth\/(.+)\/login$/.exec(route.apiPath)?.[1] ?? ''
    if (op === 'auth.approle.login') {
      if (typeof b.role_id !== 'string' || !b.role_id) return errors(400, 'missing role_id')
      const role = approles.get(b.role_id)
      if (!role || (role.secretId !== undefined && b.secret_id !== role.secretId)) {
        return errors(400, 'invalid role or secret ID')
      }
      const token = loginToken('approle', role, { role_name: role.name })
      return { status: 200, body: envelope({ auth: authBlock(token) }) }
    }
    if (op === 'auth.kubernetes.login') {
      if (typeof b.role !== 'string' || !b.role) return errors(400, 'missing role')
      if (typeof b.jwt !== 'string' || !b.jwt) return errors(400, 'missing jwt')
      const role = kubernetesRoles.get(`${mount}\u0000${b.role}`)
      if (!role) return errors(400, `invalid role name "${b.role}"`)
      if (b.jwt.trim() !== role.jwt.trim()) return errors(403, 'permission denied')
      const token = loginToken('kubernetes', role, { role: b.role })
      return { status: 200, body: envelope({ auth: authBlock(token) }) }
    }
    if (op === 'auth.aws.login') {
      const problem = checkAwsLogin(mount, b)
      if (typeof problem === 'string') return errors(400, problem)
      const token = loginToken('aws', problem.role, { role: problem.name })
      return { status: 200, body: envelope({ auth: authBlock(token) }) }
    }
    return errors(404, `no handler for route "${route.apiPath}". route entry not found.`)
  }

  /**
   * The aws IAM login accepts a signed sts:GetCallerIdentity request. The emulator does not
   * verify the SigV4 signature (it cannot call STS); it checks the shape Vault checks first:
   * POST to an sts endpoint, an `Action=GetCallerIdentity` body, an `AWS4-HMAC-SHA256`
   * Authorization header, and — when the role sets them — the server-id header and the
   * access key id in the credential scope.
   */
  const checkAwsLogin = (
    mount: string,
    b: Record<string, unknown>,
  ): string | { role: AwsRole; name: string } => {
    const name = typeof b.role === 'string' ? b.role : ''
    const role = awsRoles.get(`${mount}\u0000${name}`)
    if (!role) return `entry for role ${name} not found`
    if (b.iam_http_request_method !== 'POST')
      return 'invalid iam_http_request_method; only POST is supported'
    const decode = (v: unknown): string =>
      typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : ''
    const url = decode(b.iam_request_url)
    if (!/^https:\/\/sts(\.[a-z0-9-]+)?\.amazonaws\.com\/?$/.test(url))
      return 'invalid iam_request_url'
    if (!decode(b.iam_request_body).includes('Action=GetCallerIdentity')) {
      return 'iam_request_body must be a GetCallerIdentity request'
    }
    let headers: Record<string, unknown>
    try {
      headers = JSON.parse(decode(b.iam_request_headers)) as Record<string, unknown>
    } catch {
      return 'error parsing iam_request_headers'
    }
    const header = (n: string): string => {
      const found = Object.entries(headers).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1]
      return Array.isArray(found) ? String(found[0]) : typeof found === 'string' ? found : ''
    }
    const authorization = header('Authorization')
    if (!authorization.startsWith('AWS4-HMAC-SHA256 '))
      return 'missing or invalid Authorization header'
    if (role.serverId !== undefined && header('X-Vault-AWS-IAM-Server-ID') !== role.serverId) {
      return 'expected X-Vault-AWS-IAM-Server-ID header value did not match'
    }
    if (
      role.accessKeyId !== undefined &&
      !authorization.includes(`Credential=${role.accessKeyId}/`)
    ) {
      return 'IAM principal is not bound to this role'
    }
    return { role, name }
  }

  const handleToken = (op: string, req: EmulatorRequest, token: VaultToken): EmulatorResponse => {
    const b = body(req)
    switch (op) {
      case 'token.lookup-self':
        if (req.method !== 'GET') return errors(405)
        return {
          status: 200,
          body: envelope({
            data: {
              accessor: token.accessor,
              creation_time: Math.floor(token.createdAt / 1000),
              creation_ttl: token.ttlSeconds,
              display_name: token.displayName,
              entity_id: '',
              expire_time: token.expiresAt ? new Date(token.expiresAt).toISOString() : null,
              explicit_max_ttl: token.maxTtlSeconds,
              id: token.id,
              issue_time: new Date(token.createdAt).toISOString(),
              meta: token.meta,
              num_uses: 0,
              orphan: true,
              path: 'auth/token/create',
              policies: token.policies,
              renewable: token.renewable,
              ttl: ttlLeft(token),
              type: 'service',
            },
          }),
        }
      case 'token.renew-self': {
        if (req.method !== 'POST' && req.method !== 'PUT') return errors(405)
        if (!token.renewable || token.expiresAt === undefined)
          return errors(400, 'lease is not renewable')
        const increment = parseVaultDuration(b.increment) ?? token.ttlSeconds
        let until = now() + increment * 1000
        const warnings: string[] = []
        if (token.maxTtlSeconds > 0) {
          const cap = token.createdAt + token.maxTtlSeconds * 1000
          if (until > cap) {
            until = cap
            warnings.push(
              'TTL of the token exceeded the effective max_ttl; TTL value is capped accordingly',
            )
          }
        }
        token.expiresAt = until
        return {
          status: 200,
          body: envelope({ auth: authBlock(token), ...(warnings.length ? { warnings } : {}) }),
        }
      }
      case 'token.revoke-self':
        token.revoked = true
        return { status: 204 }
      case 'token.create': {
        if (
          !allowed(token, 'auth/token/create', 'update') &&
          !allowed(token, 'auth/token/create', 'create')
        ) {
          return denied()
        }
        const created = issueToken({
          policies: Array.isArray(b.policies) ? b.policies.map(String) : token.policies,
          ttlSeconds: parseVaultDuration(b.ttl) ?? defaultTtl,
          maxTtlSeconds: parseVaultDuration(b.explicit_max_ttl) ?? 0,
          renewable: b.renewable === undefined ? true : Boolean(b.renewable),
          ...(typeof b.display_name === 'string' ? { displayName: b.display_name } : {}),
        })
        return { status: 200, body: envelope({ auth: authBlock(created) }) }
      }
      default:
        return errors(404, `no handler for route "auth/${op.slice(6)}". route entry not found.`)
    }
  }

  // ───────────── sys/policy, sys/policies/acl, sys/mounts ─────────────

  const handlePolicies = (req: EmulatorRequest, route: Routed): EmulatorResponse => {
    // sys/policy (old API: top-level `policies`, `rules`) and sys/policies/acl (`data`)
    const acl = route.apiPath.startsWith('sys/policies/acl')
    const name = route.apiPath.replace(/^sys\/(policy|policies\/acl)\/?/, '')
    const names = ['default', 'root', ...[...policies.keys()].filter((n) => n !== 'default')]
    if (!name) {
      if (req.method !== 'GET') return errors(405)
      if (acl && !route.list) return errors(405)
      return acl
        ? { status: 200, body: envelope({ data: { keys: names } }) }
        : {
            status: 200,
            body: envelope({
              policies: names,
              keys: names,
              data: { policies: names, keys: names },
            }),
          }
    }
    switch (req.method) {
      case 'GET': {
        const text =
          name === 'root' ? '' : (policyText.get(name) ?? (name === 'default' ? '' : undefined))
        if (text === undefined) return errors(404)
        return acl
          ? { status: 200, body: envelope({ data: { name, policy: text } }) }
          : { status: 200, body: envelope({ name, rules: text, data: { name, rules: text } }) }
      }
      case 'PUT':
      case 'POST': {
        if (name === 'root') return errors(400, 'cannot update "root" policy')
        const b = body(req)
        const text =
          typeof b.policy === 'string'
            ? b.policy
            : typeof b.rules === 'string'
              ? b.rules
              : undefined
        if (text === undefined) return errors(400, "'policy' parameter not supplied or empty")
        try {
          setPolicy(name, text)
        } catch (error) {
          return errors(400, `failed to parse policy: ${(error as Error).message}`)
        }
        return { status: 204 }
      }
      case 'DELETE':
        if (name === 'root' || name === 'default')
          return errors(400, `cannot delete "${name}" policy`)
        policies.delete(name)
        policyText.delete(name)
        return { status: 204 }
      default:
        return errors(405)
    }
  }

  const mountEntry = (config: VaultMountConfig, path: string) => ({
    type: config.type,
    description: '',
    accessor: `${config.type}_${createHash('sha256').update(path).digest('hex').slice(0, 8)}`,
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
    options: config.type === 'kv' ? { version: String(config.version) } : null,
    local: false,
    seal_wrap: false,
  })

  const handleMounts = (req: EmulatorRequest, route: Routed): EmulatorResponse => {
    const state = ns(route.namespace)
    const path = trimSlashes(route.apiPath.replace(/^sys\/mounts\/?/, ''))
    if (!path) {
      if (req.method !== 'GET') return errors(405)
      const table = Object.fromEntries(
        [...state.mounts].map(([mount, config]) => [`${mount}/`, mountEntry(config, mount)]),
      )
      return { status: 200, body: { ...table, ...envelope({ data: table }) } }
    }
    switch (req.method) {
      case 'GET': {
        const config = state.mounts.get(path)
        if (!config) return errors(400, `No secret engine mount at ${path}/`)
        return { status: 200, body: envelope({ data: mountEntry(config, path) }) }
      }
      case 'PUT':
      case 'POST': {
        if (state.mounts.has(path)) return errors(400, `path is already in use at ${path}/`)
        const b = body(req)
        const type = typeof b.type === 'string' ? b.type : ''
        const options = (b.options ?? {}) as { version?: unknown }
        if (type === 'kv' || type === 'kv-v2') {
          const version = type === 'kv-v2' || ['2', 2].includes(options.version as string) ? 2 : 1
          state.mounts.set(path, { type: 'kv', version })
        } else if (type === 'database') state.mounts.set(path, { type: 'database' })
        else return errors(400, `plugin not found in the catalog: ${type}`)
        return { status: 204 }
      }
      case 'DELETE':
        state.mounts.delete(path)
        return { status: 204 }
      default:
        return errors(405)
    }
  }

  // ───────────── leases ─────────────

  const handleLeases = (
    op: string,
    req: EmulatorRequest,
    route: Routed,
    token: VaultToken,
  ): EmulatorResponse => {
    if (req.method !== 'PUT' && req.method !== 'POST') return errors(405)
    if (!allowed(token, route.apiPath, 'update')) return denied()
    const b = body(req)
    const leaseId = typeof b.lease_id === 'string' ? b.lease_id : ''
    if (!leaseId) return errors(400, 'lease_id must be specified')
    const state = ns(route.namespace)
    const lease = state.leases.get(leaseId)
    const live = lease && !lease.revoked && lease.expiresAt > now() ? lease : undefined
    switch (op) {
      case 'sys.leases.renew': {
        if (!live) return errors(400, 'lease not found')
        const role = state.databaseRoles.get(live.role)
        const increment = parseVaultDuration(b.increment) ?? role?.defaultTtlSeconds ?? 3600
        let until = now() + increment * 1000
        const warnings: string[] = []
        if (until > live.maxExpiresAt) {
          until = live.maxExpiresAt
          warnings.push(
            `TTL of "${increment}s" exceeded the effective max_ttl of "${Math.round((live.maxExpiresAt - now()) / 1000)}s"; TTL value is capped accordingly`,
          )
        }
        live.expiresAt = until
        live.renewals += 1
        live.lastRenewalAt = now()
        return {
          status: 200,
          body: envelope({
            lease_id: live.id,
            renewable: true,
            lease_duration: Math.max(0, Math.round((until - now()) / 1000)),
            ...(warnings.length ? { warnings } : {}),
          }),
        }
      }
      case 'sys.leases.revoke':
        if (lease) lease.revoked = true
        return { status: 204 }
      case 'sys.leases.lookup':
        if (!live) return errors(400, 'invalid lease')
        return {
          status: 200,
          body: envelope({
            data: {
              id: live.id,
              issue_time: new Date(live.issuedAt).toISOString(),
              expire_time: new Date(live.expiresAt).toISOString(),
              last_renewal:
                live.lastRenewalAt !== undefined
                  ? new Date(live.lastRenewalAt).toISOString()
                  : null,
              renewable: true,
              ttl: Math.round((live.expiresAt - now()) / 1000),
            },
          }),
        }
      default:
        return errors(404, `no handler for route "${route.apiPath}". route entry not found.`)
    }
  }

  // ───────────── database ─────────────

  const handleDatabase = (
    op: string,
    req: EmulatorRequest,
    route: Routed,
    state: NamespaceState,
    target: { mount: string; rest: string },
  ): EmulatorResponse => {
    if (op === 'database.roles') {
      const name = target.rest.replace(/^roles\/?/, '')
      if (route.list || !name) {
        const keys = [...state.databaseRoles.keys()].sort()
        return keys.length ? { status: 200, body: envelope({ data: { keys } }) } : errors(404)
      }
      const role = state.databaseRoles.get(name)
      if (!role) return errors(404)
      return {
        status: 200,
        body: envelope({
          data: {
            db_name: 'emulated',
            default_ttl: role.defaultTtlSeconds,
            max_ttl: role.maxTtlSeconds,
            creation_statements: [],
            revocation_statements: [],
          },
        }),
      }
    }
    if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'PUT') return errors(405)
    const name = target.rest.slice('creds/'.length)
    const role = state.databaseRoles.get(name)
    if (!role) return errors(400, `unknown role: ${name}`)
    const suffix = newRequestId().replace(/-/g, '').slice(0, 20)
    const username = `v-token-${role.usernamePrefix ?? name}-${suffix}`.slice(0, 63)
    const issued = now()
    const lease: LeaseRecord = {
      id: `${target.mount}/creds/${name}/${newTokenId().slice(4, 28)}`,
      namespace: route.namespace,
      role: name,
      username,
      issuedAt: issued,
      expiresAt: issued + role.defaultTtlSeconds * 1000,
      maxExpiresAt: issued + role.maxTtlSeconds * 1000,
      renewals: 0,
      revoked: false,
    }
    state.leases.set(lease.id, lease)
    return {
      status: 200,
      body: envelope({
        lease_id: lease.id,
        renewable: true,
        lease_duration: role.defaultTtlSeconds,
        data: { username, password: newPassword() },
      }),
    }
  }

  // ───────────── KV ─────────────

  const handleKv = (
    op: string,
    req: EmulatorRequest,
    route: Routed,
    state: NamespaceState,
    target: { mount: string; rest: string; config: VaultMountConfig },
  ): EmulatorResponse => {
    const kv2 = target.config.type === 'kv' && target.config.version === 2
    const b = body(req)
    if (!kv2) {
      const path = target.rest
      switch (op) {
        case 'kv.list': {
          const keys = listKeys(state, target.mount, path)
          return keys.length ? { status: 200, body: envelope({ data: { keys } }) } : errors(404)
        }
        case 'kv.read': {
          const entry = kvEntry(state, target.mount, path)
          const version = entry?.versions.get(entry.currentVersion)
          if (!entry || !version) return errors(404)
          return { status: 200, body: envelope({ lease_duration: 2764800, data: version.data }) }
        }
        case 'kv.write':
          if (req.method !== 'POST' && req.method !== 'PUT') return errors(405)
          if (!path) return errors(405)
          if (!Object.keys(b).length) return errors(400, 'missing data fields')
          state.kv.delete(kvKey(target.mount, path))
          writeVersion(state, target.mount, path, b)
          return { status: 204 }
        case 'kv.delete':
          state.kv.delete(kvKey(target.mount, path))
          return { status: 204 }
        default:
          return errors(405)
      }
    }

    const path = target.rest.replace(/^[a-z]+\/?/, '')
    const entry = kvEntry(state, target.mount, path)
    const versionsArg = (): number[] | string =>
      Array.isArray(b.versions) && b.versions.every((v) => Number.isInteger(v))
        ? (b.versions as number[])
        : 'no versions provided'
    switch (op) {
      case 'kv.read': {
        if (!entry) return errors(404)
        const requested = req.query.get('version')
        const number = requested && requested !== '0' ? Number(requested) : entry.currentVersion
        if (!Number.isInteger(number)) return errors(400, 'invalid version')
        const version = entry.versions.get(number)
        if (!version || version.deletedAt || version.destroyed) {
          return {
            status: 404,
            body: envelope({
              data: version ? { data: null, metadata: versionMetadata(entry, number) } : null,
            }),
          }
        }
        return {
          status: 200,
          body: envelope({
            data: { data: version.data, metadata: versionMetadata(entry, number) },
          }),
        }
      }
      case 'kv.write': {
        if (req.method !== 'POST' && req.method !== 'PUT') return errors(405)
        if (!path) return errors(405)
        const data = b.data
        if (!data || typeof data !== 'object' || Array.isArray(data))
          return errors(400, 'no data provided')
        const opts = (b.options ?? {}) as Record<string, unknown>
        if (opts.cas !== undefined) {
          const cas = Number(opts.cas)
          if (!Number.isInteger(cas) || cas !== (entry?.currentVersion ?? 0)) {
            return errors(400, 'check-and-set parameter did not match the current version')
          }
        }
        const written = writeVersion(state, target.mount, path, data as Record<string, unknown>)
        return {
          status: 200,
          body: envelope({ data: versionMetadata(written.entry, written.version) }),
        }
      }
      case 'kv.delete': {
        const current = entry?.versions.get(entry.currentVersion)
        if (current && !current.deletedAt) current.deletedAt = new Date(now())
        return { status: 204 }
      }
      case 'kv.delete-versions':
      case 'kv.undelete':
      case 'kv.destroy': {
        if (req.method !== 'POST' && req.method !== 'PUT') return errors(405)
        const versions = versionsArg()
        if (typeof versions === 'string') return errors(400, versions)
        for (const n of versions) {
          const v = entry?.versions.get(n)
          if (!v) continue
          if (op === 'kv.undelete') delete v.deletedAt
          else if (op === 'kv.destroy') {
            v.destroyed = true
            v.data = {}
          } else v.deletedAt ??= new Date(now())
        }
        return { status: 204 }
      }
      case 'kv.list': {
        const keys = listKeys(state, target.mount, path)
        return keys.length ? { status: 200, body: envelope({ data: { keys } }) } : errors(404)
      }
      case 'kv.metadata': {
        if (!entry) return errors(404)
        const versions: Record<string, unknown> = {}
        for (const [n, v] of entry.versions) {
          versions[String(n)] = {
            created_time: v.createdAt.toISOString(),
            deletion_time: v.deletedAt?.toISOString() ?? '',
            destroyed: v.destroyed,
          }
        }
        return {
          status: 200,
          body: envelope({
            data: {
              cas_required: false,
              created_time: entry.createdAt.toISOString(),
              current_version: entry.currentVersion,
              custom_metadata: Object.keys(entry.customMetadata).length
                ? entry.customMetadata
                : null,
              delete_version_after: '0s',
              max_versions: 0,
              oldest_version: Math.min(...entry.versions.keys()),
              updated_time: entry.updatedAt.toISOString(),
              versions,
            },
          }),
        }
      }
      case 'kv.metadata-delete':
        state.kv.delete(kvKey(target.mount, path))
        return { status: 204 }
      case 'kv.metadata-write': {
        if (req.method !== 'POST' && req.method !== 'PUT') return errors(405)
        const meta = b.custom_metadata
        const target2 =
          entry ??
          (() => {
            const created: KvEntry = {
              versions: new Map(),
              currentVersion: 0,
              createdAt: new Date(now()),
              updatedAt: new Date(now()),
              customMetadata: {},
              maxVersions: 10,
            }
            state.kv.set(kvKey(target.mount, path), created)
            return created
          })()
        if (meta && typeof meta === 'object') {
          target2.customMetadata = Object.fromEntries(
            Object.entries(meta as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
          )
        }
        if (Number.isInteger(b.max_versions) && Number(b.max_versions) > 0) {
          target2.maxVersions = Number(b.max_versions)
        }
        return { status: 204 }
      }
      default:
        return errors(405)
    }
  }

  const base = await startHttpEmulator({
    name: 'vault',
    // the vault CLI, hvac and Vault's own SDK list with the LIST verb
    extraMethods: ['LIST'],
    operation,
    handle,
    faultResponse: (kind: 'error' | 'throttle', fault: FaultSpec): EmulatorResponse => {
      if (kind === 'throttle') {
        return {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          body: { errors: ['request path "": rate limit quota exceeded'] },
        }
      }
      const status = fault.status ?? 503
      return errors(status, status === 503 ? 'Vault is sealed' : 'internal error')
    },
    ...(options.tls ? { tls: true } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  })

  const emulator: VaultEmulator = {
    name: base.name,
    url: base.url,
    port: base.port,
    calls: base.calls,
    faults: base.faults,
    close: () => base.close(),
    rootToken,
    writeKv(path, data, opts = {}) {
      const { state, mount, rest, version } = splitKvPath(path, opts.namespace)
      if (version === 1) state.kv.delete(kvKey(mount, rest))
      const written = writeVersion(state, mount, rest, data)
      if (opts.customMetadata) written.entry.customMetadata = { ...opts.customMetadata }
      return written.version
    },
    readKv(path, opts = {}) {
      const { state, mount, rest } = splitKvPath(path, opts.namespace)
      const entry = kvEntry(state, mount, rest)
      const version = entry?.versions.get(opts.version ?? entry.currentVersion)
      if (!version || version.deletedAt || version.destroyed) return undefined
      return { ...version.data }
    },
    deleteKv(path, opts = {}) {
      const { state, mount, rest } = splitKvPath(path, opts.namespace)
      state.kv.delete(kvKey(mount, rest))
    },
    mount(path, config, opts = {}) {
      ns(opts.namespace).mounts.set(trimSlashes(path), config)
    },
    setPolicy,
    createToken: (settings = {}) => issueToken(settings).id,
    expireToken(id) {
      const token = tokens.get(id)
      if (token) token.expiresAt = now() - 1
    },
    expireTokens(filter) {
      let count = 0
      for (const token of tokens.values()) {
        const match = filter
          ? filter(token)
          : token.id !== rootToken && token.displayName !== 'token'
        if (match && !token.revoked) {
          token.expiresAt = now() - 1
          count += 1
        }
      }
      return count
    },
    revokeToken(id) {
      const token = tokens.get(id)
      if (token) token.revoked = true
    },
    lookupToken: (id) => tokens.get(id),
    addAppRole,
    addKubernetesRole,
    addAwsRole,
    addDatabaseRole(name, role, opts = {}) {
      ns(opts.namespace).databaseRoles.set(name, role)
    },
    leases: (opts = {}) => [...ns(opts.namespace).leases.values()].map((l) => ({ ...l })),
    credentialValid(username, opts = {}) {
      const lease = [...ns(opts.namespace).leases.values()].find((l) => l.username === username)
      return !!lease && !lease.revoked && lease.expiresAt > now()
    },
    logins: () => ({ ...loginCounts }),
  }
  return emulator
}
