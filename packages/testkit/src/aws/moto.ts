import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { delimiter, join } from 'node:path'
import { sleep, startHttpEmulator, type HttpEmulator } from '../emulator/index.js'
import { sdkClientConfig, sdkEnv, type AwsClientConfig } from './endpoint.js'
import { awsFaultResponse } from './errors.js'

/**
 * A second AWS back end that floe did not write: moto's `moto_server` (python3 moto 5.2.x),
 * spawned on a free 127.0.0.1 port and fronted by a thin recording proxy so tests keep the
 * call log and fault injection they have with `startAwsEmulator`. The proxy forwards every
 * byte unchanged; only injected faults are answered by the proxy itself.
 */
export interface MotoServer extends HttpEmulator {
  readonly backend: 'moto'
  readonly region: string
  /** process id of moto_server */
  readonly pid: number
  /** the moto_server address without the proxy (for debugging) */
  readonly directUrl: string
  clientConfig(): AwsClientConfig
  /** environment for boto3, the AWS CLI and the SDKs' default chain */
  env(): Record<string, string>
  /** wipe every moto back end (POST /moto-api/reset), the call log and the faults */
  reset(): Promise<void>
}

export interface MotoServerOptions {
  region?: string
  /** moto_server executable; default: FLOE_MOTO_SERVER, else `moto_server` on PATH */
  command?: string
  /** how long to wait for moto to answer (it imports every service on start) */
  startTimeoutMs?: number
}

export class MotoUnavailableError extends Error {}

const CREDENTIALS = { accessKeyId: 'AKIAFLOEMOTO00000001', secretAccessKey: 'floe-moto-secret' }

/** Locate moto_server, or explain how to get it (tests must fail, never skip, without it). */
export function findMotoServer(command = process.env.FLOE_MOTO_SERVER): string {
  const found = command
    ? command.includes('/')
      ? executable(command)
        ? command
        : undefined
      : onPath(command)
    : onPath('moto_server')
  if (found) return found
  throw new MotoUnavailableError(
    `${command ?? 'moto_server'} was not found${command?.includes('/') ? '' : ' on PATH'}. The AWS providers are also tested against moto ` +
      '(python3 package moto[server] 5.2.x, with boto3). Install it for the python3 on PATH ' +
      '(`python3 -m pip install "moto[server]==5.2.1" boto3`) or point FLOE_MOTO_SERVER at the ' +
      'executable; `bash scripts/ensure-python-deps.sh` checks it.',
  )
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name)
  }
  return undefined
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

interface Forwarded {
  status: number
  headers: Record<string, string>
  body: Buffer
}

function forward(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: { ...headers, host: base.host, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) {
            if (
              v === undefined ||
              ['content-length', 'connection', 'transfer-encoding'].includes(k)
            )
              continue
            headers[k] = Array.isArray(v) ? v.join(', ') : v
          }
          resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) })
        })
      },
    )
    out.on('error', reject)
    out.end(body)
  })
}

async function waitForMoto(url: URL, child: ChildProcess, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs
  const state: { exited?: string } = {}
  child.once('exit', (code, signal) => (state.exited = String(code ?? signal)))
  child.once('error', (error) => (state.exited = error.message))
  for (;;) {
    if (state.exited !== undefined)
      throw new MotoUnavailableError(`moto_server exited (${state.exited}) on start:\n${log()}`)
    try {
      const res = await forward(url, 'GET', '/moto-api/data.json', {}, Buffer.alloc(0))
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new MotoUnavailableError(`moto_server did not answer within ${timeoutMs} ms:\n${log()}`)
    await sleep(150)
  }
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Start `moto_server -H 127.0.0.1 -p PORT` and a recording proxy in front of it. Throws
 * MotoUnavailableError with install instructions when moto is missing. Call `close()` in
 * afterAll: it stops the process (and a process exit hook stops any left running).
 */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const command = findMotoServer(options.command)
  const region = options.region ?? 'us-east-1'
  let child: ChildProcess | undefined
  let directUrl: URL | undefined
  let output = ''
  for (let attempt = 0; attempt < 3 && !directUrl; attempt++) {
    const port = await freePort()
    child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    })
    running.add(child)
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.once('exit', () => {
        for (const c of running) c.kill('SIGKILL')
      })
    }
    output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const url = new URL(`http://127.0.0.1:${port}`)
    try {
      await waitForMoto(url, child, options.startTimeoutMs ?? 60_000, () => output)
      directUrl = url
    } catch (error) {
      await stopChild(child)
      // another process may have taken the port between freePort() and the bind: retry
      if (!/Address already in use/i.test(output) || attempt === 2) throw error
    }
  }
  const moto = child!
  const target = directUrl!

  const proxy = await startHttpEmulator({
    name: 'moto',
    operation(req) {
      const header = String(req.headers['x-amz-target'] ?? '')
      if (header) return header.slice(header.indexOf('.') + 1)
      const action = new URLSearchParams(req.body.toString('utf8')).get('Action')
      return action ?? `${req.method} ${req.path}`
    },
    async handle(_operation, req) {
      const query = req.query.toString()
      const res = await forward(
        target,
        req.method,
        `${req.path}${query ? `?${query}` : ''}`,
        req.headers,
        req.body,
      )
      return { status: res.status, headers: res.headers, body: res.body }
    },
    faultResponse: awsFaultResponse,
  })

  return {
    backend: 'moto',
    name: proxy.name,
    url: proxy.url,
    port: proxy.port,
    calls: proxy.calls,
    faults: proxy.faults,
    region,
    directUrl: target.origin,
    pid: moto.pid ?? -1,
    clientConfig: () => sdkClientConfig(proxy.url, region, CREDENTIALS),
    env: () => sdkEnv(proxy.url, region, CREDENTIALS),
    async reset() {
      const res = await forward(target, 'POST', '/moto-api/reset', {}, Buffer.alloc(0))
      if (res.status !== 200) throw new Error(`moto reset failed: HTTP ${res.status}`)
      proxy.calls.reset()
      proxy.faults.clear()
    },
    async close() {
      await proxy.close()
      await stopChild(moto)
    },
  }
}
