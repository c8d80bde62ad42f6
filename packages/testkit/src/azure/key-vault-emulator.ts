import { randomBytes } from 'node:crypto'
import type { CallRecord, CallLog, FaultPlan } from '../emulator/faults.js'
import {
  startHttpEmulator,
  type EmulatorRequest,
  type EmulatorResponse,
} from '../emulator/http-emulator.js'

export const DEFAULT_TENANT_ID = '72f988bf-0000-4000-8000-00000000f10e'
export const DEFAULT_CLIENT_ID = '00000000-0000-4000-8000-00000000c11e'
export const DEFAULT_CLIENT_SECRET = 'floe-emulator-client-secret'

export interface AzureSeedSecret {
  name: string
  value: string
  contentType?: string
  tags?: Record<string, string>
  enabled?: boolean
  expiresOn?: Date
  notBefore?: Date
}

export interface AzureKeyVaultEmulatorOptions {
  /** tenant named in the bearer challenge and served by the token endpoint */
  tenantId?: string
  /** service principals the token endpoint accepts: client id → client secret */
  clients?: Record<string, string>
  port?: number
}

export interface AzureKeyVaultEmulator {
  readonly name: 'azure-key-vault'
  /** https://127.0.0.1:PORT — the vault URL and also the Entra authority host */
  readonly url: string
  readonly port: number
  readonly tenantId: string
  readonly calls: CallLog
  readonly faults: FaultPlan
  /** stores a new version without the wire; returns its version id */
  seed(secret: AzureSeedSecret): string
  /** 403 Forbidden (ForbiddenByRbac) for every operation on this secret name */
  deny(name: string): void
  allow(name: string): void
  /** a bearer token the vault accepts, for clients with a static TokenCredential */
  issueToken(): string
  /** version ids of a secret, oldest first */
  versions(name: string): string[]
  reset(): void
  close(): Promise<void>
}

interface StoredVersion {
  version: string
  value: string
  contentType?: string
  tags?: Record<string, string>
  enabled: boolean
  exp?: number
  nbf?: number
  created: number
  updated: number
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/
const VERSION_ID = /^[0-9a-f]{32}$/
const MAX_PAGE = 25
const KV_RESOURCE = 'https://vault.azure.net'

const kvError = (
  status: number,
  code: string,
  message: string,
  inner?: string,
  headers?: Record<string, string>,
): EmulatorResponse => ({
  status,
  ...(headers ? { headers } : {}),
  body: { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } },
})

const now = () => Math.floor(Date.now() / 1000)

/**
 * Azure Key Vault (secrets, REST api-version 7.x) plus a minimal Microsoft Entra token endpoint,
 * over HTTPS with the committed test certificate. Strict like the service: api-version is
 * required; a request without a bearer gets the 401 challenge naming the tenant and the
 * https://vault.azure.net resource; unknown bearers are rejected; disabled versions answer
 * 403 SecretDisabled. Expired secrets are still returned (as the real service does — the
 * `exp` attribute is advisory), so clients must check `attributes.exp` themselves.
 */
export async function startAzureKeyVaultEmulator(
  options: AzureKeyVaultEmulatorOptions = {},
): Promise<AzureKeyVaultEmulator> {
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID
  const clients = new Map(
    Object.entries(options.clients ?? { [DEFAULT_CLIENT_ID]: DEFAULT_CLIENT_SECRET }),
  )
  const secrets = new Map<string, StoredVersion[]>()
  const denied = new Set<string>()
  const tokens = new Set<string>()
  let origin = ''

  const challenge = {
    'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${KV_RESOURCE}"`,
  }

  const newToken = () => {
    const token = `floe-emu.${randomBytes(24).toString('base64url')}`
    tokens.add(token)
    return token
  }

  const attributes = (v: StoredVersion) => ({
    enabled: v.enabled,
    ...(v.nbf !== undefined ? { nbf: v.nbf } : {}),
    ...(v.exp !== undefined ? { exp: v.exp } : {}),
    created: v.created,
    updated: v.updated,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
  })

  const bundle = (name: string, v: StoredVersion, withValue: boolean) => ({
    ...(withValue ? { value: v.value } : {}),
    id: `${origin}/secrets/${name}/${v.version}`,
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    attributes: attributes(v),
    ...(v.tags ? { tags: v.tags } : {}),
  })

  const item = (name: string, v: StoredVersion, withVersion: boolean) => ({
    id: `${origin}/secrets/${name}${withVersion ? `/${v.version}` : ''}`,
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    attributes: attributes(v),
    ...(v.tags ? { tags: v.tags } : {}),
  })

  function addVersion(
    name: string,
    input: Omit<StoredVersion, 'version' | 'created' | 'updated'>,
  ): StoredVersion {
    const created = now()
    const version: StoredVersion = {
      ...input,
      version: randomBytes(16).toString('hex'),
      created,
      updated: created,
    }
    const list = secrets.get(name) ?? []
    list.push(version)
    secrets.set(name, list)
    return version
  }

  const notFound = (name: string, version?: string) =>
    kvError(
      404,
      'SecretNotFound',
      version
        ? `A secret with (name/id) ${name}/${version} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`
        : `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    )

  function findVersion(
    name: string,
    version: string | undefined,
  ): StoredVersion | EmulatorResponse {
    const list = secrets.get(name)
    if (!list?.length) return notFound(name, version)
    if (!version) return list[list.length - 1] as StoredVersion
    return list.find((v) => v.version === version) ?? notFound(name, version)
  }

  function page<T>(
    req: EmulatorRequest,
    items: T[],
    basePath: string,
  ): EmulatorResponse | { value: T[]; nextLink: string | null } {
    const max = req.query.get('maxresults')
    const size = max === null ? MAX_PAGE : Number(max)
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      return kvError(
        400,
        'BadParameter',
        `Invalid value for maxresults: must be between 1 and ${MAX_PAGE}.`,
      )
    }
    const token = req.query.get('$skiptoken')
    let offset = 0
    if (token) {
      const decoded = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
      if (!decoded) return kvError(400, 'BadParameter', 'Invalid $skiptoken.')
      offset = Number(decoded[1])
    }
    const end = offset + size
    const nextLink =
      end < items.length
        ? `${origin}${basePath}?api-version=${req.query.get('api-version')}&$skiptoken=${Buffer.from(`o${end}`).toString('base64url')}&maxresults=${size}`
        : null
    return { value: items.slice(offset, end), nextLink }
  }

  function parseAttributes(
    raw: unknown,
  ): { enabled?: boolean; exp?: number; nbf?: number } | string {
    if (raw === undefined) return {}
    if (!raw || typeof raw !== 'object') return 'attributes must be an object'
    const a = raw as Record<string, unknown>
    const out: { enabled?: boolean; exp?: number; nbf?: number } = {}
    if (a.enabled !== undefined) {
      if (typeof a.enabled !== 'boolean') return 'attributes.enabled must be a boolean'
      out.enabled = a.enabled
    }
    for (const key of ['exp', 'nbf'] as const) {
      if (a[key] === undefined || a[key] === null) continue
      if (typeof a[key] !== 'number' || !Number.isInteger(a[key]))
        return `attributes.${key} must be a Unix time in seconds`
      out[key] = a[key]
    }
    return out
  }

  function parseTags(raw: unknown): Record<string, string> | undefined | string {
    if (raw === undefined || raw === null) return undefined
    if (typeof raw !== 'object' || Array.isArray(raw)) return 'tags must be an object'
    const entries = Object.entries(raw as Record<string, unknown>)
    if (entries.length > 15) return 'A maximum of 15 tags is allowed.'
    if (entries.some(([, v]) => typeof v !== 'string')) return 'tag values must be strings'
    return Object.fromEntries(entries) as Record<string, string>
  }

  // ─────────────── Entra ID (login.microsoftonline.com) ───────────────

  function openIdConfiguration(tenant: string): EmulatorResponse {
    const base = `${origin}/${tenant}`
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
        issuer: `${origin}/${tenant}/v2.0`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
      },
    }
  }

  const oauthError = (status: number, error: string, description: string): EmulatorResponse => ({
    status,
    body: {
      error,
      error_description: description,
      error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
    },
  })

  function token(tenant: string, req: EmulatorRequest): EmulatorResponse {
    if (!/^application\/x-www-form-urlencoded/.test(String(req.headers['content-type'] ?? ''))) {
      return oauthError(
        400,
        'invalid_request',
        'AADSTS900144: The request body must contain form-urlencoded parameters.',
      )
    }
    if (tenant !== tenantId) {
      return oauthError(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`)
    }
    const form = new URLSearchParams(req.body.toString('utf8'))
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'AADSTS70003: The app requested an unsupported grant type.',
      )
    }
    const clientId = form.get('client_id') ?? ''
    if (!clients.has(clientId)) {
      return oauthError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`,
      )
    }
    if (clients.get(clientId) !== form.get('client_secret')) {
      return oauthError(
        401,
        'invalid_client',
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      )
    }
    const scope = form.get('scope') ?? ''
    if (!scope.split(' ').includes(`${KV_RESOURCE}/.default`)) {
      return oauthError(
        400,
        'invalid_scope',
        `AADSTS1002012: The provided value for scope ${scope} is not valid.`,
      )
    }
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: newToken(),
      },
    }
  }

  // ─────────────── routing ───────────────

  function operation(req: EmulatorRequest): string | EmulatorResponse {
    // Entra endpoints: /<tenant>/v2.0/.well-known/openid-configuration, /<tenant>/oauth2/v2.0/token
    if (
      /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(req.path) &&
      req.method === 'GET'
    )
      return 'OpenIdConfiguration'
    if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(req.path)) {
      return req.method === 'POST'
        ? 'Token'
        : oauthError(
            405,
            'invalid_request',
            'AADSTS900561: The endpoint only accepts POST requests.',
          )
    }
    const apiVersion = req.query.get('api-version')
    if (!apiVersion)
      return kvError(400, 'BadParameter', 'The request URI must contain an api-version parameter.')
    if (!/^(7\.\d|20\d\d-\d\d-\d\d)(-preview(\.\d+)?)?$/.test(apiVersion)) {
      return kvError(
        400,
        'BadParameter',
        `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`,
      )
    }
    const authorization = String(req.headers.authorization ?? '')
    if (!authorization) {
      return {
        ...kvError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'),
        headers: challenge,
      }
    }
    const bearer = /^Bearer (\S+)$/.exec(authorization)?.[1]
    if (!bearer || !tokens.has(bearer)) {
      return {
        ...kvError(
          401,
          'Unauthorized',
          'AKV10032: Invalid issuer. The token was not issued for this tenant.',
        ),
        headers: challenge,
      }
    }
    const parts = req.path.replace(/^\/+/, '').split('/')
    if (parts[0] !== 'secrets') return kvError(400, 'BadParameter', `Unsupported path ${req.path}.`)
    const [, name, third, ...rest] = parts
    if (rest.length) return kvError(400, 'BadParameter', `Unsupported path ${req.path}.`)
    if (!name)
      return req.method === 'GET'
        ? 'GetSecrets'
        : kvError(405, 'BadParameter', `Method ${req.method} is not allowed on /secrets.`)
    if (!SECRET_NAME.test(name)) {
      return kvError(
        400,
        'BadParameter',
        `The request URI contains an invalid name: ${name}. Follow this link for more information on how to choose valid names: https://aka.ms/keyvault-names`,
      )
    }
    if (third === 'versions' && req.method === 'GET') return 'GetSecretVersions'
    if (third !== undefined && third !== '' && !VERSION_ID.test(third)) {
      return kvError(400, 'BadParameter', `Invalid secret version: ${third}.`)
    }
    if (req.method === 'GET') return 'GetSecret'
    if (req.method === 'PATCH') return 'UpdateSecret'
    if (req.method === 'PUT' && third === undefined) return 'SetSecret'
    if (req.method === 'DELETE' && third === undefined) return 'DeleteSecret'
    return kvError(405, 'BadParameter', `Method ${req.method} is not allowed on ${req.path}.`)
  }

  const actionFor: Record<string, string> = {
    GetSecret: 'getSecret',
    GetSecrets: 'readMetadata',
    GetSecretVersions: 'readMetadata',
    SetSecret: 'setSecret',
    UpdateSecret: 'writeMetadata',
    DeleteSecret: 'delete',
  }

  function handle(op: string, req: EmulatorRequest, call: CallRecord): EmulatorResponse {
    if (op === 'OpenIdConfiguration') return openIdConfiguration(req.path.split('/')[1] ?? '')
    if (op === 'Token') return token(req.path.split('/')[1] ?? '', req)

    const [, , name = '', versionSegment] = req.path.split('/')
    const version = versionSegment || undefined
    if (name) call.detail = { name, ...(version && version !== 'versions' ? { version } : {}) }
    if (name && denied.has(name)) {
      return kvError(
        403,
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nAction: 'Microsoft.KeyVault/vaults/secrets/${actionFor[op] ?? 'read'}/action'\r\nResource: '${name}'\r\nAssignment: (not found)`,
        'ForbiddenByRbac',
      )
    }

    switch (op) {
      case 'GetSecret': {
        const found = findVersion(name, version)
        if ('status' in found) return found
        if (!found.enabled)
          return kvError(
            403,
            'Forbidden',
            'Operation get is not allowed on a disabled secret.',
            'SecretDisabled',
          )
        return { status: 200, body: bundle(name, found, true) }
      }
      case 'GetSecrets': {
        const latest = [...secrets.entries()]
          .filter(([, list]) => list.length)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([n, list]) => item(n, list[list.length - 1] as StoredVersion, false))
        const result = page(req, latest, '/secrets')
        return 'status' in result ? result : { status: 200, body: result }
      }
      case 'GetSecretVersions': {
        const list = secrets.get(name)
        if (!list?.length) return notFound(name)
        const result = page(
          req,
          list.map((v) => item(name, v, true)),
          `/secrets/${name}/versions`,
        )
        return 'status' in result ? result : { status: 200, body: result }
      }
      case 'SetSecret': {
        if (!/^application\/json/.test(String(req.headers['content-type'] ?? ''))) {
          return kvError(400, 'BadParameter', 'The request content type must be application/json.')
        }
        const body = req.json as Record<string, unknown> | undefined
        if (!body || typeof body !== 'object')
          return kvError(400, 'BadParameter', 'The request body is not valid JSON.')
        if (typeof body.value !== 'string')
          return kvError(400, 'BadParameter', 'Property "value" is required and must be a string.')
        if (Buffer.byteLength(body.value) > 25_600)
          return kvError(400, 'BadParameter', 'Secret value is too large: the maximum is 25 KB.')
        if (body.contentType !== undefined && typeof body.contentType !== 'string') {
          return kvError(400, 'BadParameter', 'contentType must be a string.')
        }
        const attrs = parseAttributes(body.attributes)
        if (typeof attrs === 'string') return kvError(400, 'BadParameter', attrs)
        const tags = parseTags(body.tags)
        if (typeof tags === 'string') return kvError(400, 'BadParameter', tags)
        const stored = addVersion(name, {
          value: body.value,
          ...(typeof body.contentType === 'string' ? { contentType: body.contentType } : {}),
          ...(tags ? { tags } : {}),
          enabled: attrs.enabled ?? true,
          ...(attrs.exp !== undefined ? { exp: attrs.exp } : {}),
          ...(attrs.nbf !== undefined ? { nbf: attrs.nbf } : {}),
        })
        return { status: 200, body: bundle(name, stored, true) }
      }
      case 'UpdateSecret': {
        const body = req.json as Record<string, unknown> | undefined
        if (!body || typeof body !== 'object')
          return kvError(400, 'BadParameter', 'The request body is not valid JSON.')
        const found = findVersion(name, version)
        if ('status' in found) return found
        const attrs = parseAttributes(body.attributes)
        if (typeof attrs === 'string') return kvError(400, 'BadParameter', attrs)
        const tags = parseTags(body.tags)
        if (typeof tags === 'string') return kvError(400, 'BadParameter', tags)
        if (attrs.enabled !== undefined) found.enabled = attrs.enabled
        if (attrs.exp !== undefined) found.exp = attrs.exp
        if (attrs.nbf !== undefined) found.nbf = attrs.nbf
        if (tags) found.tags = tags
        if (typeof body.contentType === 'string') found.contentType = body.contentType
        found.updated = now()
        return { status: 200, body: bundle(name, found, false) }
      }
      case 'DeleteSecret': {
        const list = secrets.get(name)
        if (!list?.length) return notFound(name)
        secrets.delete(name)
        const latest = list[list.length - 1] as StoredVersion
        return {
          status: 200,
          body: {
            ...bundle(name, latest, false),
            recoveryId: `${origin}/deletedsecrets/${name}`,
            deletedDate: now(),
            scheduledPurgeDate: now() + 90 * 86400,
          },
        }
      }
      default:
        return kvError(400, 'BadParameter', `Unsupported operation ${op}.`)
    }
  }

  const http = await startHttpEmulator({
    name: 'azure-key-vault',
    tls: true,
    ...(options.port !== undefined ? { port: options.port } : {}),
    operation,
    handle,
    faultResponse(kind, fault) {
      if (kind === 'throttle') {
        return kvError(
          429,
          'Throttled',
          'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
          undefined,
          { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        )
      }
      const status = fault.status ?? 500
      return kvError(
        status,
        status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        'The service encountered an internal error. Please try again.',
      )
    },
  })
  origin = http.url

  return {
    name: 'azure-key-vault',
    url: http.url,
    port: http.port,
    tenantId,
    calls: http.calls,
    faults: http.faults,
    seed(secret) {
      if (!SECRET_NAME.test(secret.name))
        throw new Error(`invalid Key Vault secret name: ${secret.name}`)
      return addVersion(secret.name, {
        value: secret.value,
        ...(secret.contentType !== undefined ? { contentType: secret.contentType } : {}),
        ...(secret.tags ? { tags: secret.tags } : {}),
        enabled: secret.enabled ?? true,
        ...(secret.expiresOn ? { exp: Math.floor(secret.expiresOn.getTime() / 1000) } : {}),
        ...(secret.notBefore ? { nbf: Math.floor(secret.notBefore.getTime() / 1000) } : {}),
      }).version
    },
    deny: (name) => void denied.add(name),
    allow: (name) => void denied.delete(name),
    issueToken: newToken,
    versions: (name) => (secrets.get(name) ?? []).map((v) => v.version),
    reset() {
      secrets.clear()
      denied.clear()
      http.calls.reset()
      http.faults.clear()
    },
    close: () => http.close(),
  }
}
