import { randomBytes } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import { CallLog, FaultPlan, sleep, type FaultSpec } from '../emulator/faults.js'
import { crc32c } from './crc32c.js'
import { loadSecretManagerService } from './protos.js'

export type GcpVersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED'

export interface GcpSeedVersion {
  data: string | Buffer
  state?: GcpVersionState
  /** stored checksum; omit to compute the right one, set a wrong one to simulate corruption */
  crc32c?: number
}

export interface GcpSeedSecret {
  project: string
  /** secret id, e.g. 'warehouse-password' */
  secret: string
  /** regional secret (projects/p/locations/l/secrets/s) */
  location?: string
  labels?: Record<string, string>
  /** oldest first; a string is an ENABLED version */
  versions?: (string | Buffer | GcpSeedVersion)[]
}

export interface GcpEmulatorOptions {
  port?: number
  host?: string
}

export interface GcpSecretManagerEmulator {
  readonly name: 'gcp-secret-manager'
  readonly host: string
  readonly port: number
  /** `http://127.0.0.1:PORT` — what the provider's `endpoint` field takes */
  readonly url: string
  readonly calls: CallLog
  readonly faults: FaultPlan
  /** creates (or appends versions to) a secret without going through the wire */
  seed(secret: GcpSeedSecret): string
  /** PERMISSION_DENIED for every call on this secret (id or full resource name) */
  deny(secret: string): void
  allow(secret: string): void
  /** version state as stored, for assertions (undefined when absent) */
  versionState(secretName: string, version: number): GcpVersionState | undefined
  /** names of the stored secrets, full resource names */
  secretNames(): string[]
  reset(): void
  close(): Promise<void>
}

interface StoredVersion {
  number: number
  data: Buffer
  crc32c: number
  clientChecksum: boolean
  state: GcpVersionState
  createTime: Date
  destroyTime?: Date
  etag: string
}

interface StoredSecret {
  name: string
  createTime: Date
  labels: Record<string, string>
  annotations: Record<string, string>
  replication: unknown
  etag: string
  versions: StoredVersion[]
}

/** a gRPC status to answer with; an Error so it can be thrown */
class GrpcFailure extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details)
  }
}

const SECRET_NAME = /^projects\/([^/]+)(?:\/locations\/([^/]+))?\/secrets\/([^/]+)$/
const VERSION_NAME = /^(projects\/[^/]+(?:\/locations\/[^/]+)?\/secrets\/[^/]+)\/versions\/([^/]+)$/
const PARENT_NAME = /^projects\/([^/]+)(?:\/locations\/([^/]+))?$/
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u
const MAX_PAYLOAD = 65_536
const MAX_PAGE = 25_000

/** IAM permission each operation needs, used in PERMISSION_DENIED messages like the real API */
const PERMISSIONS: Record<string, string> = {
  AccessSecretVersion: 'secretmanager.versions.access',
  GetSecretVersion: 'secretmanager.versions.get',
  ListSecretVersions: 'secretmanager.versions.list',
  AddSecretVersion: 'secretmanager.versions.add',
  DisableSecretVersion: 'secretmanager.versions.disable',
  EnableSecretVersion: 'secretmanager.versions.enable',
  DestroySecretVersion: 'secretmanager.versions.destroy',
  GetSecret: 'secretmanager.secrets.get',
  ListSecrets: 'secretmanager.secrets.list',
  CreateSecret: 'secretmanager.secrets.create',
  UpdateSecret: 'secretmanager.secrets.update',
  DeleteSecret: 'secretmanager.secrets.delete',
}

const fail = (code: grpc.status, details: string): GrpcFailure => new GrpcFailure(code, details)
const isFailure = (e: unknown): e is GrpcFailure => e instanceof GrpcFailure

const timestamp = (d: Date) => ({
  seconds: String(Math.floor(d.getTime() / 1000)),
  nanos: (d.getTime() % 1000) * 1_000_000,
})
const newEtag = () => `"${randomBytes(6).toString('hex')}"`

/**
 * Google Cloud Secret Manager v1 on 127.0.0.1: a grpc-js server built from the SDK's own
 * protos (see protos.ts). Strict like the real service: every call needs an `authorization`
 * bearer (UNAUTHENTICATED otherwise), resource names are validated, disabled/destroyed versions
 * cannot be accessed (FAILED_PRECONDITION), and faults come from the shared FaultPlan:
 * 'throttle' → RESOURCE_EXHAUSTED, 'error' → UNAVAILABLE (or `status` as a gRPC code),
 * 'reset' → UNAVAILABLE "Connection reset", 'timeout' → held, then DEADLINE_EXCEEDED.
 */
export async function startGcpSecretManagerEmulator(
  options: GcpEmulatorOptions = {},
): Promise<GcpSecretManagerEmulator> {
  const calls = new CallLog()
  const faults = new FaultPlan()
  const secrets = new Map<string, StoredSecret>()
  const denied = new Set<string>()
  const host = options.host ?? '127.0.0.1'

  const secretIdOf = (name: string) => name.slice(name.lastIndexOf('/') + 1)
  const isDenied = (secretName: string) =>
    denied.has(secretName) || denied.has(secretIdOf(secretName))

  function parseSecretName(name: unknown): string {
    if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
      throw fail(
        grpc.status.INVALID_ARGUMENT,
        `Invalid resource field value in the request: name "${String(name)}".`,
      )
    }
    return name
  }

  function parseVersionName(name: unknown): { secretName: string; version: string } {
    const match = typeof name === 'string' ? VERSION_NAME.exec(name) : null
    const version = match?.[2]
    if (!match || !version || !(version === 'latest' || /^[1-9]\d*$/.test(version))) {
      throw fail(
        grpc.status.INVALID_ARGUMENT,
        `Invalid resource field value in the request: name "${String(name)}".`,
      )
    }
    return { secretName: match[1] as string, version }
  }

  function getSecret(name: string): StoredSecret {
    const secret = secrets.get(name)
    if (!secret) throw fail(grpc.status.NOT_FOUND, `Secret [${name}] not found.`)
    return secret
  }

  function getVersion(name: unknown): { secret: StoredSecret; version: StoredVersion } {
    const parsed = parseVersionName(name)
    const secret = secrets.get(parsed.secretName)
    if (!secret) {
      throw fail(
        grpc.status.NOT_FOUND,
        `Secret [${parsed.secretName}] not found or has no versions.`,
      )
    }
    // "latest" is an alias of the most recently created version, whatever its state
    const version =
      parsed.version === 'latest'
        ? secret.versions[secret.versions.length - 1]
        : secret.versions.find((v) => v.number === Number(parsed.version))
    if (!version) {
      throw fail(
        grpc.status.NOT_FOUND,
        parsed.version === 'latest'
          ? `Secret [${parsed.secretName}] not found or has no versions.`
          : `Secret Version [${parsed.secretName}/versions/${parsed.version}] not found.`,
      )
    }
    return { secret, version }
  }

  const secretMessage = (s: StoredSecret) => ({
    name: s.name,
    create_time: timestamp(s.createTime),
    labels: s.labels,
    annotations: s.annotations,
    replication: s.replication,
    etag: s.etag,
  })

  const versionMessage = (s: StoredSecret, v: StoredVersion) => ({
    name: `${s.name}/versions/${v.number}`,
    create_time: timestamp(v.createTime),
    ...(v.destroyTime ? { destroy_time: timestamp(v.destroyTime) } : {}),
    state: v.state,
    etag: v.etag,
    client_specified_payload_checksum: v.clientChecksum,
  })

  function addVersion(
    secret: StoredSecret,
    data: Buffer,
    state: GcpVersionState,
    checksum?: number,
  ) {
    const version: StoredVersion = {
      number: (secret.versions[secret.versions.length - 1]?.number ?? 0) + 1,
      data,
      crc32c: checksum ?? crc32c(data),
      clientChecksum: checksum !== undefined,
      state,
      createTime: new Date(),
      etag: newEtag(),
      ...(state === 'DESTROYED' ? { destroyTime: new Date() } : {}),
    }
    if (state === 'DESTROYED') version.data = Buffer.alloc(0)
    secret.versions.push(version)
    return version
  }

  function validateLabels(labels: unknown): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries((labels ?? {}) as Record<string, unknown>)) {
      if (!LABEL_KEY.test(k) || typeof v !== 'string' || !LABEL_VALUE.test(v)) {
        throw fail(grpc.status.INVALID_ARGUMENT, `Invalid label: "${k}".`)
      }
      out[k] = v
    }
    if (Object.keys(out).length > 64) throw fail(grpc.status.INVALID_ARGUMENT, 'Too many labels.')
    return out
  }

  function page<T>(items: T[], pageSize: unknown, pageToken: unknown) {
    const size = Number(pageSize ?? 0)
    if (!Number.isInteger(size) || size < 0) {
      throw fail(grpc.status.INVALID_ARGUMENT, 'page_size must be a non-negative integer.')
    }
    let offset = 0
    if (typeof pageToken === 'string' && pageToken) {
      const decoded = /^o(\d+)$/.exec(Buffer.from(pageToken, 'base64url').toString('utf8'))
      if (!decoded) throw fail(grpc.status.INVALID_ARGUMENT, 'Invalid page token.')
      offset = Number(decoded[1])
    }
    const limit = Math.min(size || MAX_PAGE, MAX_PAGE)
    const slice = items.slice(offset, offset + limit)
    const next =
      offset + limit < items.length ? Buffer.from(`o${offset + limit}`).toString('base64url') : ''
    return { slice, next, total: items.length }
  }

  function secretFilter(filter: unknown): (s: StoredSecret) => boolean {
    if (typeof filter !== 'string' || !filter.trim()) return () => true
    const tests = filter
      .trim()
      .split(/\s+(?:AND\s+)?/)
      .map((term) => {
        let m = /^labels\.([^=:]+)=(.*)$/.exec(term)
        if (m) return (s: StoredSecret) => s.labels[m![1] as string] === m![2]
        m = /^labels\.([^=:]+):\*$/.exec(term)
        if (m) return (s: StoredSecret) => (m![1] as string) in s.labels
        m = /^name:(.+)$/.exec(term)
        if (m) return (s: StoredSecret) => secretIdOf(s.name).includes(m[1] as string)
        throw fail(grpc.status.INVALID_ARGUMENT, `Invalid filter: "${filter}".`)
      })
    return (s) => tests.every((t) => t(s))
  }

  function versionFilter(filter: unknown): (v: StoredVersion) => boolean {
    if (typeof filter !== 'string' || !filter.trim()) return () => true
    const m = /^state:(ENABLED|DISABLED|DESTROYED)$/.exec(filter.trim())
    if (!m) throw fail(grpc.status.INVALID_ARGUMENT, `Invalid filter: "${filter}".`)
    return (v) => v.state === m[1]
  }

  function setState(name: unknown, etag: unknown, target: GcpVersionState) {
    const { secret, version } = getVersion(name)
    if (parseVersionName(name).version === 'latest') {
      throw fail(
        grpc.status.INVALID_ARGUMENT,
        'The "latest" alias is not allowed here; name a version.',
      )
    }
    if (typeof etag === 'string' && etag && etag !== version.etag) {
      throw fail(
        grpc.status.ABORTED,
        `The etag provided does not match the current etag of the resource.`,
      )
    }
    if (version.state === 'DESTROYED') {
      throw fail(
        grpc.status.FAILED_PRECONDITION,
        `Secret Version [${secret.name}/versions/${version.number}] is in DESTROYED state.`,
      )
    }
    version.state = target
    version.etag = newEtag()
    if (target === 'DESTROYED') {
      version.data = Buffer.alloc(0)
      version.destroyTime = new Date()
    }
    return versionMessage(secret, version)
  }

  /** the resource an operation is about, for deny checks and the call log (never payloads) */
  function resourceOf(request: Record<string, unknown>): string | undefined {
    const name =
      request.name ?? request.parent ?? (request.secret as { name?: unknown } | undefined)?.name
    if (typeof name !== 'string') return undefined
    const version = VERSION_NAME.exec(name)
    if (version) return version[1]
    if (typeof request.secret_id === 'string') return `${name}/secrets/${request.secret_id}`
    return name
  }

  type Handler = (request: Record<string, unknown>) => unknown
  const handlers: Record<string, Handler> = {
    AccessSecretVersion(req) {
      const { secret, version } = getVersion(req.name)
      if (version.state !== 'ENABLED') {
        throw fail(
          grpc.status.FAILED_PRECONDITION,
          `Secret Version [${secret.name}/versions/${version.number}] is in ${version.state} state.`,
        )
      }
      return {
        name: `${secret.name}/versions/${version.number}`,
        payload: { data: version.data, data_crc32c: String(version.crc32c) },
      }
    },
    GetSecretVersion(req) {
      const { secret, version } = getVersion(req.name)
      return versionMessage(secret, version)
    },
    ListSecretVersions(req) {
      const secret = getSecret(parseSecretName(req.parent))
      const keep = versionFilter(req.filter)
      const newestFirst = [...secret.versions].reverse().filter(keep)
      const { slice, next, total } = page(newestFirst, req.page_size, req.page_token)
      return {
        versions: slice.map((v) => versionMessage(secret, v)),
        next_page_token: next,
        total_size: total,
      }
    },
    AddSecretVersion(req) {
      const secret = getSecret(parseSecretName(req.parent))
      const payload = req.payload as { data?: Buffer; data_crc32c?: string } | undefined
      if (!payload) throw fail(grpc.status.INVALID_ARGUMENT, 'Payload is required.')
      const data = payload.data ?? Buffer.alloc(0)
      if (data.length > MAX_PAYLOAD) {
        throw fail(
          grpc.status.INVALID_ARGUMENT,
          'Secret payload data length must be at most 65536 bytes.',
        )
      }
      let checksum: number | undefined
      if (payload.data_crc32c !== undefined) {
        checksum = Number(payload.data_crc32c)
        if (checksum !== crc32c(data)) {
          throw fail(
            grpc.status.INVALID_ARGUMENT,
            'Checksum mismatch: data_crc32c does not match the payload.',
          )
        }
      }
      return versionMessage(secret, addVersion(secret, data, 'ENABLED', checksum))
    },
    GetSecret(req) {
      return secretMessage(getSecret(parseSecretName(req.name)))
    },
    ListSecrets(req) {
      if (typeof req.parent !== 'string' || !PARENT_NAME.test(req.parent)) {
        throw fail(
          grpc.status.INVALID_ARGUMENT,
          `Invalid resource field value in the request: parent "${String(req.parent)}".`,
        )
      }
      const prefix = `${req.parent}/secrets/`
      const keep = secretFilter(req.filter)
      const matching = [...secrets.values()]
        .filter((s) => s.name.startsWith(prefix) && !s.name.slice(prefix.length).includes('/'))
        .filter(keep)
        .sort((a, b) => a.name.localeCompare(b.name))
      const { slice, next, total } = page(matching, req.page_size, req.page_token)
      return { secrets: slice.map(secretMessage), next_page_token: next, total_size: total }
    },
    CreateSecret(req) {
      if (typeof req.parent !== 'string' || !PARENT_NAME.test(req.parent)) {
        throw fail(
          grpc.status.INVALID_ARGUMENT,
          `Invalid resource field value in the request: parent "${String(req.parent)}".`,
        )
      }
      if (typeof req.secret_id !== 'string' || !SECRET_ID.test(req.secret_id)) {
        throw fail(grpc.status.INVALID_ARGUMENT, `Invalid secret_id "${String(req.secret_id)}".`)
      }
      const body = (req.secret ?? {}) as Record<string, unknown>
      const regional = PARENT_NAME.exec(req.parent)?.[2] !== undefined
      // global secrets need a replication policy; regional secrets must not have one
      if (!regional && !body.replication) {
        throw fail(grpc.status.INVALID_ARGUMENT, 'Secret.replication is required.')
      }
      const name = `${req.parent}/secrets/${req.secret_id}`
      if (secrets.has(name))
        throw fail(grpc.status.ALREADY_EXISTS, `Secret [${name}] already exists.`)
      const secret: StoredSecret = {
        name,
        createTime: new Date(),
        labels: validateLabels(body.labels),
        annotations: (body.annotations ?? {}) as Record<string, string>,
        replication: body.replication ?? undefined,
        etag: newEtag(),
        versions: [],
      }
      secrets.set(name, secret)
      return secretMessage(secret)
    },
    UpdateSecret(req) {
      const body = (req.secret ?? {}) as Record<string, unknown>
      const secret = getSecret(parseSecretName(body.name))
      const paths = ((req.update_mask as { paths?: string[] } | undefined)?.paths ?? []).filter(
        Boolean,
      )
      if (!paths.length) throw fail(grpc.status.INVALID_ARGUMENT, 'update_mask is required.')
      if (typeof body.etag === 'string' && body.etag && body.etag !== secret.etag) {
        throw fail(
          grpc.status.ABORTED,
          'The etag provided does not match the current etag of the resource.',
        )
      }
      for (const path of paths) {
        if (path === 'labels') secret.labels = validateLabels(body.labels)
        else if (path === 'annotations')
          secret.annotations = (body.annotations ?? {}) as Record<string, string>
        else throw fail(grpc.status.INVALID_ARGUMENT, `Unsupported update_mask path "${path}".`)
      }
      secret.etag = newEtag()
      return secretMessage(secret)
    },
    DeleteSecret(req) {
      const name = parseSecretName(req.name)
      const secret = getSecret(name)
      if (typeof req.etag === 'string' && req.etag && req.etag !== secret.etag) {
        throw fail(
          grpc.status.ABORTED,
          'The etag provided does not match the current etag of the resource.',
        )
      }
      secrets.delete(name)
      return {}
    },
    DisableSecretVersion: (req) => setState(req.name, req.etag, 'DISABLED'),
    EnableSecretVersion: (req) => setState(req.name, req.etag, 'ENABLED'),
    DestroySecretVersion: (req) => setState(req.name, req.etag, 'DESTROYED'),
  }

  function faultError(
    fault: FaultSpec,
    kind: 'error' | 'throttle' | 'reset' | 'timeout',
  ): GrpcFailure {
    if (kind === 'throttle') {
      return fail(
        grpc.status.RESOURCE_EXHAUSTED,
        "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project' of service 'secretmanager.googleapis.com'.",
      )
    }
    if (kind === 'reset') return fail(grpc.status.UNAVAILABLE, 'read ECONNRESET')
    if (kind === 'timeout') return fail(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded')
    const code =
      fault.status !== undefined && fault.status > 0 && fault.status <= 16
        ? fault.status
        : grpc.status.UNAVAILABLE
    return fail(code, 'The service is currently unavailable.')
  }

  async function serve(
    operation: string,
    call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
  ) {
    const authorization = call.metadata.get('authorization')[0]
    if (typeof authorization !== 'string' || !/^Bearer \S+/.test(authorization)) {
      throw fail(
        grpc.status.UNAUTHENTICATED,
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      )
    }
    const request = call.request ?? {}
    const resource = resourceOf(request)
    const record = calls.next(operation, resource ? { resource } : undefined)
    const { latencyMs, failure } = faults.match(operation, record.n)
    if (latencyMs) await sleep(latencyMs)
    if (failure) {
      record.fault = failure.kind
      // afterApply: the call is carried out, then its answer is lost (a write that landed)
      if (failure.afterApply && (failure.kind === 'reset' || failure.kind === 'timeout'))
        await handle(operation, request, resource)
      if (failure.kind === 'timeout') await sleep(failure.ms ?? 30_000)
      throw faultError(failure, failure.kind as 'error' | 'throttle' | 'reset' | 'timeout')
    }
    return handle(operation, request, resource)
  }

  async function handle(
    operation: string,
    request: Record<string, unknown>,
    resource: string | undefined,
  ) {
    if (resource && isDenied(resource)) {
      const permission = PERMISSIONS[operation] ?? 'secretmanager.secrets.get'
      throw fail(
        grpc.status.PERMISSION_DENIED,
        `Permission '${permission}' denied for resource '${resource}' (or it may not exist).`,
      )
    }
    const handler = handlers[operation]
    if (!handler)
      throw fail(
        grpc.status.UNIMPLEMENTED,
        `Method ${operation} is not implemented by the emulator.`,
      )
    return handler(request)
  }

  const service = loadSecretManagerService()
  const implementation: grpc.UntypedServiceImplementation = {}
  for (const [key, method] of Object.entries(service)) {
    const operation = method.path.slice(method.path.lastIndexOf('/') + 1)
    implementation[key] = (
      call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      serve(operation, call).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const failure = isFailure(error)
            ? error
            : fail(grpc.status.INTERNAL, `emulator error: ${String(error)}`)
          callback({
            code: failure.code,
            details: failure.details,
            metadata: new grpc.Metadata(),
          })
        },
      )
    }
  }

  const server = new grpc.Server()
  server.addService(service, implementation)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host}:${options.port ?? 0}`,
      grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    ),
  )

  return {
    name: 'gcp-secret-manager',
    host,
    port,
    url: `http://${host}:${port}`,
    calls,
    faults,
    seed(seed) {
      const parent = `projects/${seed.project}${seed.location ? `/locations/${seed.location}` : ''}`
      const name = `${parent}/secrets/${seed.secret}`
      let secret = secrets.get(name)
      if (!secret) {
        secret = {
          name,
          createTime: new Date(),
          labels: validateLabels(seed.labels),
          annotations: {},
          replication: seed.location ? undefined : { automatic: {} },
          etag: newEtag(),
          versions: [],
        }
        secrets.set(name, secret)
      } else if (seed.labels) secret.labels = validateLabels(seed.labels)
      for (const v of seed.versions ?? []) {
        const spec: GcpSeedVersion = typeof v === 'string' || Buffer.isBuffer(v) ? { data: v } : v
        const data = Buffer.isBuffer(spec.data) ? spec.data : Buffer.from(spec.data, 'utf8')
        const stored = addVersion(secret, data, spec.state ?? 'ENABLED')
        if (spec.crc32c !== undefined) stored.crc32c = spec.crc32c
      }
      return name
    },
    deny: (secret) => void denied.add(secret),
    allow: (secret) => void denied.delete(secret),
    versionState: (secretName, version) =>
      secrets.get(secretName)?.versions.find((v) => v.number === version)?.state,
    secretNames: () => [...secrets.keys()],
    reset() {
      secrets.clear()
      denied.clear()
      calls.reset()
      faults.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve())
        // in-flight calls held by 'timeout' faults must not keep the server open
        setTimeout(() => server.forceShutdown(), 200).unref()
      }),
  }
}
