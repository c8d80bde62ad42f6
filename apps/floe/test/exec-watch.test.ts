import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'
import { assertBuilt, makeProject, type FixtureProject } from './helpers.js'
import {
  envHash,
  expectNoValues,
  is,
  startFloe,
  WATCH_CHILD,
  type Line,
  type WatchRun,
} from './watch-helpers.js'

/**
 * `floe secrets exec --watch` against the Vault emulator (node-vault over a real socket): the
 * test changes secrets in the back end while floe supervises a child that prints a hash of its
 * environment. Every wait is on an event floe or the child prints — never on a clock.
 */
let vault: VaultEmulator
let project: FixtureProject
const runs: WatchRun[] = []

const values = {
  p1: 'pw-one-canary-1f3a',
  p2: 'pw-two-canary-2b4c',
  p3: 'pw-three-canary-3d5e',
  p4: 'pw-four-canary-4f6a',
  u1: 'unused-canary-5a7b',
  u2: 'unused-canary-6c8d',
  t1: 'token-canary-7e9f',
  t2: 'token-canary-8a0b',
  f1: 'feed-canary-9c1d',
  f2: 'feed-canary-0e2f',
}

beforeAll(async () => {
  assertBuilt()
  vault = await startVaultEmulator()
  // 'ro' renews for a minute; 'short' reaches its max TTL after one renewal
  vault.addDatabaseRole('ro', { defaultTtlSeconds: 3, maxTtlSeconds: 60 })
  vault.addDatabaseRole('short', { defaultTtlSeconds: 3, maxTtlSeconds: 4 })
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-vault': 'packages/provider-vault',
  })
  project.write(
    'floe.yaml',
    `
secrets:
  _config:
    rotation: { refresh_interval: 1s }
    audit: { enabled: true, path: audit.jsonl }
  db:
    provider: vault
    path: secret/data/app/db
    vault: { address: ${vault.url} }
    keys: [user, password, unused]
    rotation:
      on_rotation: { action: restart, grace_period: 5s }
  cfg:
    provider: vault
    path: secret/data/app/cfg
    vault: { address: ${vault.url} }
    keys: [token]
    rotation:
      on_rotation: { action: reconnect }
  feed:
    provider: vault
    path: secret/data/app/feed
    vault: { address: ${vault.url} }
    keys: [key]
    rotation:
      on_rotation:
        action: alert
        command: node -e "require('fs').writeFileSync('alert.txt', process.env.FLOE_ROTATED_SECRET + ' ' + process.env.FLOE_ROTATED_VERSION)"
  pg:
    provider: vault
    path: database/creds/ro
    type: dynamic
    keys: [username, password]
    vault: { address: ${vault.url} }
    rotation:
      on_rotation: { action: restart, grace_period: 5s }
  pgshort:
    provider: vault
    path: database/creds/short
    type: dynamic
    keys: [username, password]
    vault: { address: ${vault.url} }
    rotation:
      on_rotation: { action: restart, grace_period: 5s }
`,
  )
  project.write('child.js', WATCH_CHILD)
})

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop('SIGKILL')))
})

afterAll(async () => {
  await vault?.close()
})

function watch(only: string[], extra: string[] = [], env: Record<string, string> = {}): WatchRun {
  const run = startFloe(
    [
      'secrets',
      'exec',
      '--watch',
      '--json',
      '--no-mask',
      ...only.flatMap((o) => ['--only', o]),
      ...extra,
      '--',
      process.execPath,
      'child.js',
    ],
    {
      cwd: project.dir,
      env: { VAULT_TOKEN: vault.rootToken, WATCH_VARS: only.join(','), ...env },
    },
  )
  runs.push(run)
  return run
}

const childLine =
  (kind: string, extra: (l: Line) => boolean = () => true) =>
  (l: Line) =>
    l.child === kind && extra(l)

const assertNoValues = (run: WatchRun) => expectNoValues(run, values)

describe('floe secrets exec --watch', { timeout: 90_000 }, () => {
  it('restart: a burst of three changes gives one restart with the new env; an unused key gives none', async () => {
    vault.writeKv('secret/app/db', { user: 'app', password: values.p1, unused: values.u1 })
    const run = watch(['DB_USER', 'DB_PASSWORD'])
    const started = await run.waitFor(is('started'), 'started')
    const first = await run.waitFor(childLine('start'), 'the child started')
    expect(first.pid).toBe(started.pid)
    expect(first.hash).toBe(
      envHash([
        ['DB_USER', 'app'],
        ['DB_PASSWORD', values.p1],
      ]),
    )

    // three writes in one synchronous burst
    for (const password of [values.p2, values.p3, values.p4]) {
      vault.writeKv('secret/app/db', { user: 'app', password, unused: values.u1 })
    }
    const restarted = await run.waitFor(is('restarted'), 'restarted')
    expect(restarted).toMatchObject({ previousPid: first.pid, secrets: ['db'], killed: false })
    const second = await run.waitFor(
      childLine('start', (l) => l.pid === restarted.pid),
      'the new child started',
    )
    expect(second.hash).toBe(
      envHash([
        ['DB_USER', 'app'],
        ['DB_PASSWORD', values.p4],
      ]),
    )
    expect(run.lines.filter(childLine('term', (l) => l.pid === first.pid))).toHaveLength(1)

    // a key the child does not use
    vault.writeKv('secret/app/db', { user: 'app', password: values.p4, unused: values.u2 })
    const unused = await run.waitFor(
      is('changed', (l) => l.action === 'none'),
      'unused change',
    )
    expect(unused).toMatchObject({ secret: 'db', variables: [] })

    const changes = run.lines.filter(is('changed'))
    expect(changes.map((c) => [c.action, c.variables])).toEqual([
      ['restart', ['DB_PASSWORD']],
      ['none', []],
    ])
    expect(run.lines.filter(is('restarted'))).toHaveLength(1)
    // floe's exit code follows the child's (0 on SIGTERM here)
    expect(await run.stop()).toBe(0)
    assertNoValues(run)
    // --json: stdout is floe's events only, the child's lines went to stderr
    const stdoutLines = run.stdout().trim().split('\n')
    expect(stdoutLines.map((l) => (JSON.parse(l) as Line).event ?? 'not an event')).not.toContain(
      'not an event',
    )
    expect(run.stderr()).toContain('"child":"start"')
  })

  it('reconnect: rewrites the env file (0600) and signals the same child, no restart', async () => {
    vault.writeKv('secret/app/cfg', { token: values.t1 })
    const envFile = join(project.dir, 'live.env')
    const run = watch(['CFG_TOKEN'], ['--write-env', envFile], { ENV_FILE: envFile })
    const first = await run.waitFor(childLine('start'), 'the child started')
    expect(readFileSync(envFile, 'utf8')).toBe(`CFG_TOKEN="${values.t1}"\n`)
    vault.writeKv('secret/app/cfg', { token: values.t2 })
    const reconnected = await run.waitFor(is('reconnected'), 'reconnected')
    expect(reconnected).toMatchObject({ pid: first.pid, signal: 'SIGHUP', secrets: ['cfg'] })
    const hup = await run.waitFor(childLine('hup'), 'the child got SIGHUP')
    expect(hup.pid).toBe(first.pid)
    const content = readFileSync(envFile, 'utf8')
    expect(content).toBe(`CFG_TOKEN="${values.t2}"\n`)
    expect(hup.file).toBe(
      (await import('node:crypto')).createHash('sha256').update(content).digest('hex'),
    )
    expect(statSync(envFile).mode & 0o777).toBe(0o600)
    expect(run.lines.filter(is('restarted'))).toHaveLength(0)
    expect(run.lines.filter(childLine('start'))).toHaveLength(1)
    expect(await run.stop()).toBe(0)
    assertNoValues(run)
  })

  it('alert: a stderr line and an audit record naming secret and version, the hook runs, nothing restarts', async () => {
    vault.writeKv('secret/app/feed', { key: values.f1 })
    const run = startFloe(
      [
        'secrets',
        'exec',
        '--watch',
        '--no-mask',
        '--only',
        'FEED_KEY',
        '--',
        process.execPath,
        'child.js',
      ],
      { cwd: project.dir, env: { VAULT_TOKEN: vault.rootToken, WATCH_VARS: 'FEED_KEY' } },
    )
    runs.push(run)
    const first = await run.waitFor(childLine('start'), 'the child started')
    const version = vault.writeKv('secret/app/feed', { key: values.f2 })
    const line = await run.waitForStderr(/ALERT: secret "feed" rotated/)
    expect(line).toContain(`version ${version}`)
    await run.waitForStderr(/hook exited 0/)
    expect(readFileSync(join(project.dir, 'alert.txt'), 'utf8')).toBe(`feed ${version}`)
    const audit = readFileSync(join(project.dir, 'audit.jsonl'), 'utf8')
    expect(audit).toMatch(/"action":"rotation-alert"[^\n]*"secret":"feed"/)
    expect(run.lines.filter(childLine('start'))).toEqual([first])
    expect(run.stderr()).not.toMatch(/restarted/)
    expect(await run.stop()).toBe(0)
    assertNoValues(run)
    expect(audit).not.toContain(values.f2)
  })

  it('a dynamic Vault lease is renewed while the child runs and revoked when floe exits', async () => {
    const run = watch(['PG_USERNAME', 'PG_PASSWORD'])
    await run.waitFor(childLine('start'), 'the child started')
    const renewed = await run.waitFor(is('renewed'), 'a renewal')
    expect(renewed).toMatchObject({ secret: 'pg', ttlSeconds: expect.any(Number) })
    expect(renewed.ttlSeconds).toBeGreaterThan(0)
    expect(await run.stop()).toBe(0)
    const leases = vault.leases().filter((l) => l.role === 'ro')
    expect(leases).toHaveLength(1)
    expect(leases[0]).toMatchObject({ revoked: true })
    expect(leases[0]!.renewals).toBeGreaterThanOrEqual(1)
    expect(vault.credentialValid(leases[0]!.username)).toBe(false)
    expect(run.stdout() + run.stderr()).not.toContain(leases[0]!.username)
    expect(run.lines.filter(is('restarted'))).toHaveLength(0)
  })

  it('a lease that can no longer be renewed is a rotation: new credentials, then restart; all revoked', async () => {
    const run = watch(['PGSHORT_USERNAME', 'PGSHORT_PASSWORD'])
    const first = await run.waitFor(childLine('start'), 'the child started')
    const changed = await run.waitFor(
      is('changed', (l) => l.reason === 'lease'),
      'a re-issue',
    )
    expect(changed).toMatchObject({ secret: 'pgshort', action: 'restart' })
    expect(changed.variables).toEqual(['PGSHORT_USERNAME', 'PGSHORT_PASSWORD'])
    const restarted = await run.waitFor(is('restarted'), 'restarted')
    const second = await run.waitFor(
      childLine('start', (l) => l.pid === restarted.pid),
      'the new child',
    )
    expect(second.hash).not.toBe(first.hash)
    // (no exit-code assertion: a further re-issue may be restarting the child right now)
    await run.stop()
    const leases = vault.leases().filter((l) => l.role === 'short')
    expect(leases.length).toBeGreaterThanOrEqual(2)
    expect(leases.every((l) => l.revoked)).toBe(true)
    for (const lease of leases) expect(run.stdout() + run.stderr()).not.toContain(lease.username)
  })

  it("floe's exit code is the child's when the child ends on its own", async () => {
    vault.writeKv('secret/app/cfg', { token: values.t1 })
    const run = watch(['CFG_TOKEN'], [], { EXIT_NOW: '7' })
    expect(await run.exited).toBe(7)
    expect(run.lines.filter(is('exited'))).toMatchObject([{ exitCode: 7 }])
  })
})
