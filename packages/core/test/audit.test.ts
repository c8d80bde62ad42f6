import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createAuditLog,
  createProviderRegistry,
  createResolver,
  GENESIS_HASH,
  parseSecretRef,
  SecretValue,
  verifyAuditLog,
} from '@floe/core'
import { createMemoryProvider, memoryProviderModule, testManifest } from '@floe/core/testing'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'floe-audit-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const fixedNow = () => new Date('2026-03-01T12:00:00Z')

describe('audit log', () => {
  it('appends hash-chained JSON lines that verify', () => {
    const path = join(dir, 'chain.jsonl')
    const log = createAuditLog({ path, actor: 'ci@runner', now: fixedNow })
    const first = log.append({ action: 'resolve', secret: 'db', provider: 'vault', outcome: 'ok' })
    const second = log.append({
      action: 'rotate',
      secret: 'db',
      provider: 'vault',
      outcome: 'ok',
      detail: 'version 3',
    })
    expect(first.prev).toBe(GENESIS_HASH)
    expect(second.prev).toBe(first.hash)
    expect(first).toMatchObject({
      ts: '2026-03-01T12:00:00.000Z',
      actor: 'ci@runner',
      action: 'resolve',
    })
    // A new writer on the same file continues the chain.
    const third = createAuditLog({ path, actor: 'other@host' }).append({
      action: 'describe',
      outcome: 'NOT_FOUND',
    })
    expect(third.prev).toBe(second.hash)
    const result = verifyAuditLog(path)
    expect(result).toMatchObject({ ok: true })
    expect(result.records.map((r) => r.action)).toEqual(['resolve', 'rotate', 'describe'])
  })

  it('keeps one chain when two writers (processes) interleave on the same file', () => {
    const path = join(dir, 'interleaved.jsonl')
    const a = createAuditLog({ path, actor: 'proc-a' })
    const b = createAuditLog({ path, actor: 'proc-b' })
    for (let i = 0; i < 4; i += 1) {
      a.append({ action: 'resolve', secret: `a${i}`, outcome: 'ok' })
      b.append({ action: 'resolve', secret: `b${i}`, outcome: 'ok' })
    }
    const result = verifyAuditLog(path)
    expect(result.ok).toBe(true)
    expect(result.records.map((r) => r.actor)).toEqual(Array(4).fill(['proc-a', 'proc-b']).flat())
  })

  it('detects a modified record, a removed record and garbage', () => {
    const path = join(dir, 'tamper.jsonl')
    const log = createAuditLog({ path, actor: 'me@here' })
    for (const secret of ['a', 'b', 'c']) log.append({ action: 'resolve', secret, outcome: 'ok' })
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')

    writeFileSync(
      path,
      [lines[0], lines[1]!.replace('"secret":"b"', '"secret":"z"'), lines[2]].join('\n') + '\n',
    )
    expect(verifyAuditLog(path).firstBroken).toEqual({
      line: 2,
      reason: expect.stringMatching(/HMAC mismatch/),
    })

    writeFileSync(path, [lines[0], lines[2]].join('\n') + '\n')
    const removed = verifyAuditLog(path)
    expect(removed.ok).toBe(false)
    expect(removed.firstBroken).toEqual({ line: 2, reason: expect.stringMatching(/chain broken/) })
    expect(removed.records).toHaveLength(1)

    writeFileSync(path, [lines[0], 'not json', lines[1]].join('\n') + '\n')
    expect(verifyAuditLog(path).firstBroken).toEqual({ line: 2, reason: 'not valid JSON' })
  })

  it('rejects a missing log file; an empty one verifies', () => {
    expect(() => verifyAuditLog(join(dir, 'absent.jsonl'))).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    )
    writeFileSync(join(dir, 'empty.jsonl'), '')
    expect(verifyAuditLog(join(dir, 'empty.jsonl'))).toMatchObject({
      ok: true,
      status: 'unkeyed',
      records: [],
    })
  })

  it('uses FLOE_ACTOR, else user@host', () => {
    const path = join(dir, 'actor.jsonl')
    expect(
      createAuditLog({ path, env: { FLOE_ACTOR: 'deploy-bot' } }).append({
        action: 'x',
        outcome: 'ok',
      }).actor,
    ).toBe('deploy-bot')
    expect(createAuditLog({ path, env: {} }).append({ action: 'x', outcome: 'ok' }).actor).toMatch(
      /^.+@.+$/,
    )
  })

  it('refuses values in fields', () => {
    const log = createAuditLog({ path: join(dir, 'values.jsonl') })
    expect(() =>
      log.append({
        action: 'resolve',
        outcome: 'ok',
        detail: new SecretValue('hunter22') as unknown as string,
      }),
    ).toThrow(/plain string/)
  })

  it('records every resolve and describe of a resolver, never values', async () => {
    const path = join(dir, 'resolver.jsonl')
    const provider = createMemoryProvider({
      data: { db: { password: 'canary-pw-91' }, api: 'canary-token-17' },
    })
    provider.deny('api')
    const resolver = createResolver({
      manifest: testManifest(
        {
          db: { provider: 'memory', fields: { id: 'db' } },
          api: { provider: 'memory', fields: { id: 'api' } },
        },
        { audit: { enabled: true, logAccess: true } },
      ),
      catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
      audit: createAuditLog({ path, actor: 'tester' }),
    })
    await resolver.resolve([parseSecretRef('secret://db/password'), parseSecretRef('secret://api')])
    await resolver.resolve([parseSecretRef('secret://db/password')])
    await resolver.describe(['db'])
    const text = readFileSync(path, 'utf8')
    expect(text).not.toContain('canary-pw-91')
    expect(text).not.toContain('canary-token-17')
    const { ok, records } = verifyAuditLog(path)
    expect(ok).toBe(true)
    expect(records.map((r) => [r.action, r.secret, r.provider, r.outcome])).toEqual([
      ['resolve', 'db', 'memory', 'ok'],
      ['resolve', 'api', 'memory', 'FORBIDDEN'],
      ['resolve', 'db', 'memory', 'cached'],
      ['describe', 'db', 'memory', 'ok'],
    ])
  })

  it('writes nothing when auditing is disabled, and only failures without log_access', async () => {
    const path = join(dir, 'disabled.jsonl')
    const provider = createMemoryProvider({ data: { db: 'pw-value' } })
    const make = (enabled: boolean) =>
      createResolver({
        manifest: testManifest(
          {
            db: { provider: 'memory', fields: { id: 'db' } },
            gone: { provider: 'memory', fields: { id: 'gone' } },
          },
          { audit: { enabled, logAccess: false, path } },
        ),
        catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
      })
    await make(false).resolve([parseSecretRef('secret://db')])
    expect(existsSync(path)).toBe(false)
    await make(true).resolve([parseSecretRef('secret://db'), parseSecretRef('secret://gone')])
    expect(verifyAuditLog(path).records.map((r) => [r.secret, r.outcome])).toEqual([
      ['gone', 'NOT_FOUND'],
    ])
  })
})
