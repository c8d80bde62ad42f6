import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import {
  connect,
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { CallLog, FaultPlan, sleep, type CallRecord, type FaultSpec } from './faults.js'
import { testCertificate } from './tls.js'

export interface EmulatorRequest {
  method: string
  /** path without the query string */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Buffer
  /** body parsed as JSON when the content type says JSON and it parses; else undefined */
  json?: unknown
}

export interface EmulatorResponse {
  status: number
  headers?: Record<string, string>
  /** objects are sent as JSON */
  body?: unknown
  /**
   * a streamed answer (e.g. a Kubernetes watch): headers go out at once, then `stream` writes
   * chunks until it resolves or the client goes away (`signal` aborts); `body` is ignored
   */
  stream?: (write: (chunk: string) => void, signal: AbortSignal) => Promise<void>
}

export interface HttpEmulatorOptions {
  /** used in logs and error messages, e.g. 'aws', 'vault' */
  name: string
  /** name the operation (for counters and faults) or return a response to reject early */
  operation(req: EmulatorRequest): string | EmulatorResponse
  handle(
    operation: string,
    req: EmulatorRequest,
    call: CallRecord,
  ): Promise<EmulatorResponse> | EmulatorResponse
  /** the service's own shape for injected 'error' and 'throttle' faults */
  faultResponse(kind: 'error' | 'throttle', fault: FaultSpec): EmulatorResponse
  tls?: boolean
  port?: number
  host?: string
  /**
   * HTTP methods Node's parser rejects before any handler runs (e.g. Vault's `LIST`): a
   * front listener rewrites such a request line to `GET` plus an `x-floe-method` header, and
   * `EmulatorRequest.method` reports the original method.
   */
  extraMethods?: readonly string[]
}

export interface HttpEmulator {
  readonly name: string
  readonly url: string
  readonly port: number
  readonly calls: CallLog
  readonly faults: FaultPlan
  /** stop accepting connections and destroy open sockets */
  close(): Promise<void>
}

/**
 * A strict HTTP(S) emulator on 127.0.0.1. Subclasses supply `operation` (routing + early
 * rejection of malformed requests) and `handle`; the base does accounting and faults.
 */
export async function startHttpEmulator(options: HttpEmulatorOptions): Promise<HttpEmulator> {
  const calls = new CallLog()
  const faults = new FaultPlan()
  const sockets = new Set<Socket>()
  const host = options.host ?? '127.0.0.1'

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, {
          status: 500,
          body: { message: `${options.name} emulator error: ${String(error)}` },
        })
      } else res.destroy()
    })
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', 'http://emulator')
    const body = Buffer.concat(chunks)
    const rewritten = options.extraMethods?.length ? req.headers[METHOD_HEADER] : undefined
    const request: EmulatorRequest = {
      method: typeof rewritten === 'string' ? rewritten : (req.method ?? 'GET'),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    }
    const contentType = String(req.headers['content-type'] ?? '')
    if (body.length && /json/.test(contentType)) {
      try {
        request.json = JSON.parse(body.toString('utf8'))
      } catch {
        request.json = undefined
      }
    }
    const routed = options.operation(request)
    if (typeof routed !== 'string') {
      send(res, routed)
      return
    }
    const call = calls.next(routed)
    const { latencyMs, failure } = faults.match(routed, call.n)
    if (latencyMs) await sleep(latencyMs)
    if (failure) {
      call.fault = failure.kind
      const lost = failure.afterApply && (failure.kind === 'reset' || failure.kind === 'timeout')
      if (lost) await options.handle(routed, request, call)
      if (failure.kind === 'reset') {
        req.socket.destroy()
        return
      }
      if (failure.kind === 'timeout') {
        await sleep(failure.ms ?? 30_000)
        req.socket.destroy()
        return
      }
      send(res, options.faultResponse(failure.kind === 'throttle' ? 'throttle' : 'error', failure))
      return
    }
    send(res, await options.handle(routed, request, call))
  }

  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  }
  const extra = options.extraMethods ?? []
  // With extra methods the HTTP server listens on a private port behind a byte rewriter.
  const server: Server =
    options.tls && extra.length === 0
      ? createHttpsServer({ ...testCertificate() }, listener)
      : createHttpServer(listener)
  server.on('connection', track)
  const listen = (target: Server | NetServer, port: number): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      target.once('error', reject)
      target.listen(port, host, () => resolve((target.address() as AddressInfo).port))
    })
  let front: NetServer | undefined
  let port: number
  if (extra.length) {
    const inner = await listen(server, 0)
    const onClient = (client: Socket): void => {
      track(client)
      const upstream = connect(inner, host)
      track(upstream)
      client.on('data', (chunk: Buffer) => upstream.write(rewriteMethods(chunk, extra)))
      client.on('end', () => upstream.end())
      upstream.pipe(client)
      client.on('error', () => upstream.destroy())
      upstream.on('error', () => client.destroy())
      client.on('close', () => upstream.destroy())
    }
    front = options.tls
      ? createTlsServer({ ...testCertificate() }, onClient)
      : createNetServer(onClient)
    port = await listen(front, options.port ?? 0)
  } else port = await listen(server, options.port ?? 0)
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`

  return {
    name: options.name,
    url,
    port,
    calls,
    faults,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      if (front) await new Promise<void>((resolve) => front.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const METHOD_HEADER = 'x-floe-method'

/**
 * `LIST /v1/x HTTP/1.1\r\n…` → `GET /v1/x HTTP/1.1\r\nx-floe-method: LIST\r\n…`. Clients send
 * one request per write and wait for the answer (no pipelining), so a request line starts a
 * chunk (or follows a bodiless request's blank line).
 */
export function rewriteMethods(chunk: Buffer, methods: readonly string[]): Buffer {
  const text = chunk.toString('latin1')
  const pattern = new RegExp(
    String.raw`(^|\r\n\r\n)(${methods.join('|')}) (\S+ HTTP\/1\.[01]\r\n)`,
    'g',
  )
  if (!pattern.test(text)) return chunk
  pattern.lastIndex = 0
  return Buffer.from(
    text.replace(
      pattern,
      (_m, lead: string, method: string, rest: string) =>
        `${lead}GET ${rest}${METHOD_HEADER}: ${method}\r\n`,
    ),
    'latin1',
  )
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) }
  if (response.stream) {
    void stream(res, response.stream, headers, response.status)
    return
  }
  let payload: Buffer | string = ''
  if (response.body !== undefined) {
    if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) payload = response.body
    else {
      payload = JSON.stringify(response.body)
      const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
      if (!hasType) headers['content-type'] = 'application/json'
    }
  }
  headers['content-length'] = String(Buffer.byteLength(payload))
  res.writeHead(response.status, headers)
  res.end(payload)
}

/** Chunked transfer (no content-length): written as `stream` produces, ended when it resolves. */
async function stream(
  res: ServerResponse,
  produce: NonNullable<EmulatorResponse['stream']>,
  headers: Record<string, string>,
  status: number,
): Promise<void> {
  const gone = new AbortController()
  res.on('close', () => gone.abort())
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json'
  res.writeHead(status, headers)
  res.flushHeaders()
  try {
    await produce((chunk) => {
      if (!gone.signal.aborted) res.write(chunk)
    }, gone.signal)
  } finally {
    if (!gone.signal.aborted) res.end()
  }
}
