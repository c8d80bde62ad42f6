import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  auditLogFile,
  canonicalJson,
  createAuditLog,
  openAuditLog,
  verifyAuditLog,
  type AuditRecord,
} from '@floe/core'

let dir: string
let n = 0
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-audit-keyed-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** A fresh log with `count` records, in its own directory. */
function freshLog(count: number): { path: string; lines: () => string[] } {
  const sub = join(dir, `log-${(n += 1)}`)
  mkdirSync(sub)
  const path = join(sub, 'audit.jsonl')
  const log = createAuditLog({ path, actor: 'tester' })
  for (let i = 0; i < count; i += 1)
    log.append({ action: 'resolve', secret: `s${i}`, outcome: 'ok' })
  return { path, lines: () => readFileSync(path, 'utf8').trimEnd().split('\n') }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

/** What a forger without the key can do: recompute every hash as a plain SHA-256 chain. */
function rechainWithoutKey(records: AuditRecord[]): string {
  let prev = '0'.repeat(64)
  return (
    records
      .map((record) => {
        const { hash: _hash, kid: _kid, ...body } = record
        const next = { ...body, prev }
        const hash = sha(prev + canonicalJson(next))
        prev = hash
        return JSON.stringify({ ...next, hash })
      })
      .join('\n') + '\n'
  )
}

describe('keyed audit log (HMAC chain + checkpoint)', () => {
  it('creates an owner-only key file and checkpoint on first use and verifies authenticated', () => {
    const { path } = freshLog(3)
    expect(statSync(`${path}.key`).mode & 0o777).toBe(0o600)
    expect(statSync(`${path}.checkpoint`).mode & 0o777).toBe(0o600)
    const report = verifyAuditLog(path)
    expect(report).toMatchObject({ ok: true, status: 'authenticated', keyed: 3, unkeyed: 0 })
    expect(report.checkpoint).toMatchObject({ count: 3 })
    expect(report.proven.join('\n')).toMatch(/valid HMAC/)
    expect(report.unproven.join('\n')).toMatch(/holds the key/)
  })

  it('catches a deleted last line', () => {
    const { path, lines } = freshLog(3)
    writeFileSync(path, lines().slice(0, 2).join('\n') + '\n')
    expect(verifyAuditLog(path)).toMatchObject({
      ok: false,
      status: 'broken',
      firstBroken: { line: 3, reason: expect.stringMatching(/truncated/) },
    })
  })

  it('catches an emptied file (and a deleted checkpoint with it)', () => {
    const { path } = freshLog(3)
    writeFileSync(path, '')
    expect(verifyAuditLog(path).firstBroken?.reason).toMatch(/truncated.*holds 0/)
    rmSync(`${path}.checkpoint`)
    expect(verifyAuditLog(path).firstBroken?.reason).toMatch(/checkpoint .* is missing/)
  })

  it('catches a forged appended record, keyed-looking or plain', () => {
    const { path, lines } = freshLog(2)
    const last = JSON.parse(lines()[1]!) as AuditRecord
    const forged = { ...last, secret: 'forged', prev: last.hash, ts: new Date().toISOString() }
    const { hash: _h, ...body } = forged
    // a guessed hash (no key): the HMAC does not match
    writeFileSync(
      path,
      [...lines(), JSON.stringify({ ...body, hash: sha(body.prev) })].join('\n') + '\n',
    )
    expect(verifyAuditLog(path).firstBroken).toMatchObject({
      line: 3,
      reason: expect.stringMatching(/HMAC mismatch/),
    })
    // a plain SHA-256 record after keyed ones
    const { path: path2, lines: lines2 } = freshLog(2)
    const prev = (JSON.parse(lines2()[1]!) as AuditRecord).hash
    const plain = { ts: 'x', actor: 'forger', action: 'rotate', outcome: 'ok', prev }
    const line = JSON.stringify({ ...plain, hash: sha(prev + canonicalJson(plain)) })
    writeFileSync(path2, [...lines2(), line].join('\n') + '\n')
    expect(verifyAuditLog(path2).firstBroken?.reason).toMatch(/unkeyed record after keyed/)
  })

  it('catches an edited record whose chain was recomputed without the key', () => {
    const { path, lines } = freshLog(3)
    const records = lines().map((l) => JSON.parse(l) as AuditRecord)
    records[1]!.secret = 'edited'
    writeFileSync(path, rechainWithoutKey(records))
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, status: 'broken' })
    expect(verifyAuditLog(path).firstBroken?.reason).toMatch(/rewritten/)
    // and with the checkpoint removed too, the key file still says the log was keyed
    rmSync(`${path}.checkpoint`)
    expect(verifyAuditLog(path).firstBroken?.reason).toMatch(/checkpoint .* is missing/)
  })

  it('without the key it says what it cannot prove', () => {
    const { path } = freshLog(2)
    const report = verifyAuditLog(path, { key: null })
    expect(report).toMatchObject({ ok: true, status: 'unauthenticated' })
    expect(report.unproven.join('\n')).toMatch(/key is not available.*recomputed chain/)
  })

  it('a writer never blesses a truncated log: the next append leaves the checkpoint alone', () => {
    const { path, lines } = freshLog(3)
    writeFileSync(path, lines().slice(0, 2).join('\n') + '\n')
    const warnings: string[] = []
    createAuditLog({ path, actor: 'next', warn: (m) => warnings.push(m) }).append({
      action: 'exec',
      outcome: 'ok',
    })
    expect(warnings.join('\n')).toMatch(/does not match its checkpoint/)
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, status: 'broken' })
  })

  it('a writer that stopped between its two writes is recovered by the next append', () => {
    const { path } = freshLog(2)
    const saved = `${path}.saved`
    copyFileSync(`${path}.checkpoint`, saved)
    createAuditLog({ path, actor: 't' }).append({ action: 'exec', outcome: 'ok' })
    copyFileSync(saved, `${path}.checkpoint`) // as if the process died before moving it
    const between = verifyAuditLog(path)
    expect(between).toMatchObject({ ok: true, status: 'authenticated' })
    expect(between.proven.join('\n')).toMatch(/1 record\(s\) after the checkpoint/)
    createAuditLog({ path, actor: 't' }).append({ action: 'exec', outcome: 'ok' })
    expect(verifyAuditLog(path).checkpoint?.count).toBe(4)
  })

  it('verifies an old unkeyed log as unkeyed, then keys it from the next append on', () => {
    const sub = join(dir, 'legacy')
    mkdirSync(sub)
    const path = join(sub, 'audit.jsonl')
    const old = [0, 1].map(
      (i) =>
        ({
          ts: 't',
          actor: 'old',
          action: 'resolve',
          secret: `s${i}`,
          outcome: 'ok',
        }) as AuditRecord,
    )
    writeFileSync(path, rechainWithoutKey(old))
    const before = verifyAuditLog(path)
    expect(before).toMatchObject({ ok: true, status: 'unkeyed', unkeyed: 2 })
    expect(before.unproven.join('\n')).toMatch(/recompute the chain/)
    createAuditLog({ path, actor: 'new' }).append({ action: 'exec', outcome: 'ok' })
    const after = verifyAuditLog(path)
    expect(after).toMatchObject({ ok: true, status: 'authenticated', keyed: 1, unkeyed: 2 })
    expect(after.unproven.join('\n')).toMatch(/first 2 record\(s\) predate the key/)
  })

  it('uses a key from a secret reference (no key file) through openAuditLog', async () => {
    const sub = join(dir, 'ref-key')
    const key = 'k'.repeat(40)
    const log = await openAuditLog(
      { audit: { enabled: true, logAccess: true, path: 'audit.jsonl', key: 'secret://audit-key' } },
      sub,
      { resolveKey: async (reference) => (reference === 'secret://audit-key' ? key : '') },
    )
    log!.append({ action: 'exec', outcome: 'ok' })
    const path = join(sub, 'audit.jsonl')
    expect(existsSync(`${path}.key`)).toBe(false)
    expect(verifyAuditLog(path).status).toBe('unauthenticated')
    expect(
      verifyAuditLog(path, { key: { bytes: Buffer.from(key), source: 'secret://audit-key' } }),
    ).toMatchObject({ ok: true, status: 'authenticated', keySource: 'secret://audit-key' })
    const wrong = { bytes: Buffer.from('w'.repeat(40)), source: 'wrong' }
    expect(verifyAuditLog(path, { key: wrong }).firstBroken?.reason).toMatch(/names key/)
  })
})

describe('audit settings', () => {
  it('log_destination is the log path; a directory receives floe-audit.jsonl; a URL is refused', () => {
    const base = { enabled: true, logAccess: true }
    expect(auditLogFile({ ...base, destination: 'security-audit-logs' }, dir)).toBe(
      join(dir, 'security-audit-logs'),
    )
    mkdirSync(join(dir, 'logs'))
    expect(auditLogFile({ ...base, destination: 'logs' }, dir)).toBe(
      join(dir, 'logs', 'floe-audit.jsonl'),
    )
    expect(auditLogFile({ ...base, path: 'a.jsonl', destination: 'logs' }, dir)).toBe(
      join(dir, 'a.jsonl'),
    )
    expect(() => auditLogFile({ ...base, destination: 's3://bucket/audit' }, dir)).toThrow(
      /not a file path/,
    )
    expect(auditLogFile({ ...base, enabled: false, path: 'a.jsonl' }, dir)).toBeUndefined()
  })
})

describe('concurrent writers', () => {
  const coreDist = pathToFileURL(
    resolve(dirname(fileURLToPath(import.meta.url)), '../dist/index.js'),
  ).href

  function writer(path: string, id: number, count: number): Promise<number> {
    const script = `
      const { createAuditLog } = await import(${JSON.stringify(coreDist)})
      const log = createAuditLog({ path: ${JSON.stringify(path)}, actor: 'proc-${id}' })
      for (let i = 0; i < ${count}; i += 1) log.append({ action: 'exec', secret: 's' + i, outcome: 'ok' })
    `
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      child.on('error', fail)
      child.on('exit', (code) => done(code ?? 1))
    })
  }

  it('N processes appending at once keep one intact chain', async () => {
    expect(existsSync(fileURLToPath(coreDist)), 'build @floe/core first').toBe(true)
    const sub = join(dir, 'concurrent')
    mkdirSync(sub)
    const path = join(sub, 'audit.jsonl')
    const processes = 6
    const each = 40
    const codes = await Promise.all(
      Array.from({ length: processes }, (_, id) => writer(path, id, each)),
    )
    expect(codes).toEqual(Array(processes).fill(0))
    const report = verifyAuditLog(path)
    expect(report.firstBroken).toBeUndefined()
    expect(report).toMatchObject({ ok: true, status: 'authenticated', keyed: processes * each })
    expect(report.checkpoint?.count).toBe(processes * each)
  }, 60_000)
})
