import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
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
    const request: EmulatorRequest = {
      method: req.method ?? 'GET',
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

  const server: Server = options.tls
    ? createHttpsServer({ ...testCertificate() }, listener)
    : createHttpServer(listener)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`

  return {
    name: options.name,
    url,
    port,
    calls,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) }
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
