import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, runFloe, type FixtureProject } from './helpers.js'

const value = `canary-audit-${randomBytes(6).toString('hex')}`
const auditKey = randomBytes(24).toString('hex')

const manifest = (audit: string) => `
secrets:
  _config:
    audit:
${audit}
  api:
    provider: env
    variable: API_TOKEN
  audit-key:
    provider: env
    variable: FLOE_AUDIT_KEY
env:
  TOKEN: secret://api
`
const env = { API_TOKEN: value, FLOE_AUDIT_KEY: auditKey }

let project: FixtureProject
beforeAll(() => {
  assertBuilt()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-env': 'packages/provider-env',
  })
})

async function floe(args: string[]) {
  const result = await runFloe(args, { cwd: project.dir, env })
  expect(result.stdout + result.stderr).not.toContain(value)
  expect(result.stdout + result.stderr).not.toContain(auditKey)
  return result
}

describe('floe secrets audit verify', () => {
  it('audits reads by default (log_access), and verifies authenticated with the key file', async () => {
    // the README's block: enabled + log_destination, no log_access
    project.write(
      'floe.yaml',
      manifest('      enabled: true\n      log_destination: security-audit.jsonl'),
    )
    expect((await floe(['secrets', 'get', 'api'])).code).toBe(0)
    const log = readFileSync(join(project.dir, 'security-audit.jsonl'), 'utf8')
    expect(log).toMatch(/"action":"resolve"[^\n]*"outcome":"ok"/)
    expect(log).not.toContain(value)

    const text = await floe(['secrets', 'audit', 'verify'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/authenticated with the key/)
    expect(text.stdout).toMatch(/Proven:[\s\S]*valid HMAC[\s\S]*Not proven:/)

    const json = await floe(['secrets', 'audit', 'verify', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'ok',
      result: { ok: true, status: 'authenticated', keyed: 1, unkeyed: 0, checkpoint: { count: 1 } },
    })
  })

  it('a deleted last line is reported (exit 1) with its reason, in text and --json', async () => {
    const path = join(project.dir, 'security-audit.jsonl')
    await floe(['secrets', 'get', 'api'])
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    writeFileSync(path, lines.slice(0, -1).join('\n') + '\n')
    const text = await floe(['secrets', 'audit', 'verify'])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/tampering or damage found[\s\S]*truncated/)
    const json = await floe(['secrets', 'audit', 'verify', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).result).toMatchObject({
      ok: false,
      status: 'broken',
      firstBroken: { line: lines.length, reason: expect.stringMatching(/truncated/) },
    })
  })

  it('without the key it passes only what it can prove; --strict fails', async () => {
    project.write('floe.yaml', manifest('      enabled: true\n      path: keyless.jsonl'))
    await floe(['secrets', 'get', 'api'])
    const other = join(project.dir, 'copy')
    const { mkdirSync, copyFileSync } = await import('node:fs')
    mkdirSync(other, { recursive: true })
    copyFileSync(join(project.dir, 'keyless.jsonl'), join(other, 'audit.jsonl'))
    copyFileSync(
      join(project.dir, 'keyless.jsonl.checkpoint'),
      join(other, 'audit.jsonl.checkpoint'),
    )
    const loose = await floe(['secrets', 'audit', 'verify', join(other, 'audit.jsonl')])
    expect(loose.code).toBe(0)
    expect(loose.stdout).toMatch(/NOT authenticated[\s\S]*key is not available/)
    const strict = await floe([
      'secrets',
      'audit',
      'verify',
      join(other, 'audit.jsonl'),
      '--strict',
    ])
    expect(strict.code).toBe(1)
    const withKey = await floe([
      'secrets',
      'audit',
      'verify',
      join(other, 'audit.jsonl'),
      '--key-file',
      join(project.dir, 'keyless.jsonl.key'),
      '--strict',
    ])
    expect(withKey.code).toBe(0)
  })

  it('a key from a secret reference (_config.audit.key): no key file, authenticated', async () => {
    project.write(
      'floe.yaml',
      manifest('      enabled: true\n      path: ref.jsonl\n      key: secret://audit-key'),
    )
    expect((await floe(['secrets', 'get', 'api'])).code).toBe(0)
    const { existsSync } = await import('node:fs')
    expect(existsSync(join(project.dir, 'ref.jsonl.key'))).toBe(false)
    const verify = await floe(['secrets', 'audit', 'verify', '--strict', '--json'])
    expect(verify.code).toBe(0)
    expect(JSON.parse(verify.stdout).result).toMatchObject({
      status: 'authenticated',
      keySource: 'secret://audit-key',
    })
  })

  it('concurrent execs keep one chain (the append lock)', async () => {
    project.write('floe.yaml', manifest('      enabled: true\n      path: concurrent.jsonl'))
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        floe(['secrets', 'exec', '--', process.execPath, '-e', 'process.exit(0)']),
      ),
    )
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const verify = await floe(['secrets', 'audit', 'verify', '--strict', '--json'])
    expect(verify.code).toBe(0)
    const result = JSON.parse(verify.stdout).result
    expect(result.status).toBe('authenticated')
    const log = readFileSync(join(project.dir, 'concurrent.jsonl'), 'utf8')
    // every exec audits its resolves: all of them on one chain
    expect(log.match(/"action":"resolve"/g)?.length).toBeGreaterThanOrEqual(4)
  })

  it('log_destination that is not a path is a clear error', async () => {
    project.write(
      'floe.yaml',
      manifest('      enabled: true\n      log_destination: s3://bucket/audit'),
    )
    const result = await floe(['secrets', 'get', 'api'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/log_destination "s3:\/\/bucket\/audit" is not a file path/)
  })
})
