import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpEmulator, type HttpEmulator } from '../src/emulator/index.js'

let emu: HttpEmulator

beforeAll(async () => {
  emu = await startHttpEmulator({
    name: 'probe',
    operation: (req) =>
      req.path === '/forbidden-route'
        ? { status: 404, body: { error: 'no route' } }
        : req.path.slice(1) || 'root',
    handle: (operation, _req, call) => ({ status: 200, body: { operation, n: call.n } }),
    faultResponse: (kind, fault) => ({
      status: kind === 'throttle' ? 429 : (fault.status ?? 500),
      headers:
        kind === 'throttle' && fault.retryAfterSeconds !== undefined
          ? { 'retry-after': String(fault.retryAfterSeconds) }
          : {},
      body: { error: kind },
    }),
  })
})
afterAll(() => emu.close())
beforeEach(() => {
  emu.calls.reset()
  emu.faults.clear()
})

const get = async (
  path: string,
): Promise<{ status: number; body: unknown; retryAfter: string | null }> => {
  const res = await fetch(emu.url + path)
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') }
}

describe('HTTP emulator base', () => {
  it('listens on 127.0.0.1 and counts calls per operation', async () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await get('/a')
    await get('/a')
    await get('/b')
    expect(emu.calls.byOperation()).toEqual({ a: 2, b: 1 })
    expect(emu.calls.records.map((r) => [r.operation, r.n])).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 1],
    ])
  })

  it('early rejections from operation() are answered but not counted', async () => {
    expect((await get('/forbidden-route')).status).toBe(404)
    expect(emu.calls.count()).toBe(0)
  })

  it('scripts faults per operation and call number', async () => {
    emu.faults.add({ operation: 'a', kind: 'error', status: 503, calls: [2] })
    expect((await get('/a')).status).toBe(200)
    expect((await get('/a')).status).toBe(503)
    expect((await get('/a')).status).toBe(200)
    expect((await get('/b')).status).toBe(200)
    expect(emu.calls.records.map((r) => r.fault)).toEqual([
      undefined,
      'error',
      undefined,
      undefined,
    ])
  })

  it('throttles with Retry-After for the next N calls only', async () => {
    emu.faults.add({ operation: '*', kind: 'throttle', times: 2, retryAfterSeconds: 3 })
    const first = await get('/x')
    expect(first).toMatchObject({ status: 429, retryAfter: '3' })
    expect((await get('/y')).status).toBe(429)
    expect((await get('/x')).status).toBe(200)
  })

  it('adds latency (a slow call finishes after a fast one started later)', async () => {
    emu.faults.add({ operation: 'slow', kind: 'latency', ms: 300 })
    const order: string[] = []
    const slow = get('/slow').then(() => order.push('slow'))
    await new Promise((r) => setTimeout(r, 20))
    const fast = get('/fast').then(() => order.push('fast'))
    await Promise.all([slow, fast])
    expect(order).toEqual(['fast', 'slow'])
    expect(emu.calls.records.find((r) => r.operation === 'slow')?.fault).toBeUndefined()
  })

  it('resets connections and times out by holding then dropping the socket', async () => {
    emu.faults.add({ operation: 'reset', kind: 'reset' })
    emu.faults.add({ operation: 'hang', kind: 'timeout', ms: 100 })
    await expect(fetch(`${emu.url}/reset`)).rejects.toThrow()
    await expect(fetch(`${emu.url}/hang`)).rejects.toThrow()
    expect(emu.calls.records.map((r) => r.fault)).toEqual(['reset', 'timeout'])
  })

  it('reset() of the log and clear() of the plan start over', async () => {
    emu.faults.add({ kind: 'error' })
    expect((await get('/a')).status).toBe(500)
    emu.faults.clear()
    emu.calls.reset()
    expect(emu.calls.count()).toBe(0)
    expect(await get('/a')).toMatchObject({ status: 200, body: { operation: 'a', n: 1 } })
  })

  it('close() stops accepting connections', async () => {
    const other = await startHttpEmulator({
      name: 'closing',
      operation: () => 'op',
      handle: () => ({ status: 204 }),
      faultResponse: () => ({ status: 500 }),
    })
    expect((await fetch(other.url)).status).toBe(204)
    await other.close()
    await expect(fetch(other.url)).rejects.toThrow()
  })
})
