import { spawnSync } from 'node:child_process'
import { createCipheriv, randomBytes } from 'node:crypto'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Redactor } from '@floe/core'
import {
  assertBuilt,
  floeBin,
  isolatedEnv,
  makeProject,
  runFloe,
  type FixtureProject,
} from './helpers.js'
import { ptyTestable, runInPty } from './pty-runner.js'

/**
 * Every command, on success and failure paths, runs with canary values; none may appear in
 * stdout, stderr, --json output, the audit log or error text — except the sanctioned sinks
 * (DESIGN §7): `get --reveal`, the exec child's environment (and what the child itself prints
 * with --no-mask), and emitted targets that must hold values (DuckDB apply, inject's 0600 file).
 */
const canary = {
  envPassword: `canary-env-${randomBytes(6).toString('hex')}`,
  filePassword: `canary-file-${randomBytes(6).toString('hex')}`,
  token: `canary-token-${randomBytes(6).toString('hex')}`,
  rotated: `canary-rotated-${randomBytes(6).toString('hex')}`,
  scratch: `canary-scratch-${randomBytes(6).toString('hex')}`,
  // DuckDB shows this one escaped (\' and \\, or '' doubled): its halves must not appear either
  quotedHead: `canary-quoted-${randomBytes(6).toString('hex')}`,
  quotedTail: `canary-tail-${randomBytes(6).toString('hex')}`,
  pemLine1: randomBytes(24).toString('base64'),
  pemLine2: randomBytes(24).toString('base64'),
}
const quoted = `${canary.quotedHead}'\\${canary.quotedTail}`
/** a multi-line value: every line must stay masked however a child prints it */
const canaryPem = `-----BEGIN CANARY KEY-----\n${canary.pemLine1}\n${canary.pemLine2}\n-----END CANARY KEY-----`
/** too short to mask: never asserted absent, but exec must warn naming it */
const SHORT_VALUE = 'Qz'
const all = Object.values(canary)

const manifest = `
environment: dev
secrets:
  _config:
    audit:
      enabled: true
      path: audit.jsonl
  warehouse:
    provider: env
    variables:
      user: WAREHOUSE_USER
      password: WAREHOUSE_PASSWORD
  api:
    provider: env
    variable: API_TOKEN
  header:
    provider: env
    variable: HEADER_VALUE
  tls:
    provider: env
    variable: TLS_KEY_CANARY
  pin:
    provider: env
    variable: PIN_CANARY
  db:
    provider: file
    path: secrets/db.json
    keys: [user, password]
    rotation:
      generate:
        password: { length: 24, charset: alphanumeric-symbols }
  scratch:
    provider: file
    path: secrets/scratch.txt
  absent:
    provider: env
    variable: NEVER_SET_CANARY
    on_missing: warn
env:
  PGPASSWORD: secret://warehouse/password
  API_TOKEN_OUT: secret://api
  DB_PASSWORD: secret://db/password
  TLS_KEY: secret://tls
  PIN: secret://pin
duckdb:
  secrets:
    - type: http
      name: api_http
      bearer_token: secret://api
      extra_http_headers: {X-Key: secret://header}
dbt:
  profiles:
    floe:
      target: dev
      outputs:
        dev:
          type: postgres
          host: localhost
          port: 5432
          user: secret://warehouse/user
          password: secret://warehouse/password
          dbname: analytics
          schema: public
`

let project: FixtureProject
const env = {
  WAREHOUSE_USER: 'analyst',
  WAREHOUSE_PASSWORD: canary.envPassword,
  API_TOKEN: canary.token,
  HEADER_VALUE: quoted,
  TLS_KEY_CANARY: canaryPem,
  PIN_CANARY: SHORT_VALUE,
}

beforeAll(() => {
  assertBuilt()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-env': 'packages/provider-env',
    '@floe/provider-file': 'packages/provider-file',
    '@floe/emit-duckdb': 'packages/emit-duckdb',
    '@floe/emit-dbt': 'packages/emit-dbt',
  })
  project.write('floe.yaml', manifest)
  project.write(
    'secrets/db.json',
    JSON.stringify({ user: 'app', password: canary.filePassword }),
    0o600,
  )
  project.write('secrets/scratch.txt', canary.scratch, 0o600)
  project.write('new-password.txt', canary.rotated, 0o600)
  project.write('template.txt', 'a=secret://warehouse/password\nb=secret://db/password\n')
})

function assertNoCanary(label: string, text: string, allowed: string[] = []): void {
  for (const value of all) {
    if (allowed.includes(value)) continue
    expect(text.includes(value), `${label} leaked a canary value`).toBe(false)
  }
}

const commands: { label: string; code: number; args: string[]; allowStdout?: string[] }[] = [
  { label: 'list', code: 0, args: ['secrets', 'list'] },
  { label: 'list --json', code: 0, args: ['secrets', 'list', '--json'] },
  { label: 'status', code: 1, args: ['secrets', 'status'] },
  { label: 'status --json', code: 1, args: ['secrets', 'status', '--json'] },
  { label: 'validate', code: 0, args: ['secrets', 'validate'] },
  { label: 'validate --json', code: 0, args: ['secrets', 'validate', '--json'] },
  { label: 'validate --offline', code: 0, args: ['secrets', 'validate', '--offline'] },
  { label: 'get (masked)', code: 0, args: ['secrets', 'get', 'warehouse/password'] },
  { label: 'get --json', code: 0, args: ['secrets', 'get', 'db/password', '--json'] },
  { label: 'get missing key', code: 1, args: ['secrets', 'get', 'db/nope'] },
  { label: 'get missing secret', code: 0, args: ['secrets', 'get', 'absent', '--json'] },
  {
    label: 'get --reveal',
    code: 0,
    args: ['secrets', 'get', 'api', '--reveal'],
    allowStdout: [canary.token],
  },
  {
    label: 'exec (masked)',
    code: 0,
    args: [
      'secrets',
      'exec',
      '--',
      process.execPath,
      '-e',
      'console.log(process.env.PGPASSWORD, process.env.DB_PASSWORD, process.env.API_TOKEN_OUT); console.error(process.env.PGPASSWORD)',
    ],
  },
  {
    label: 'exec child failure',
    code: 3,
    args: [
      'secrets',
      'exec',
      '--',
      process.execPath,
      '-e',
      'console.error("boom " + process.env.DB_PASSWORD); process.exit(3)',
    ],
  },
  {
    label: 'exec --watch --json (masked; the child exits)',
    code: 0,
    args: [
      'secrets',
      'exec',
      '--watch',
      '--json',
      '--',
      process.execPath,
      '-e',
      'console.log(process.env.PGPASSWORD, process.env.DB_PASSWORD); console.error(process.env.API_TOKEN_OUT)',
    ],
  },
  {
    label: 'exec: a PEM re-indented, with CRLF, one line of it',
    code: 0,
    args: [
      'secrets',
      'exec',
      '--',
      'sh',
      '-c',
      'printf "%s\\n" "$TLS_KEY" | sed "s/^/    /"; printf "%s\\n" "$TLS_KEY" | sed "s/$/\\r/"; printf "%s\\n" "$TLS_KEY" | sed -n 3p >&2',
    ],
  },
  {
    label: 'exec: encoded forms (base64, base64url, URL-encoded, JSON)',
    code: 0,
    args: [
      'secrets',
      'exec',
      '--',
      process.execPath,
      '-e',
      'for (const v of [process.env.PGPASSWORD, process.env.TLS_KEY, process.env.API_TOKEN_OUT]) console.log(Buffer.from(v).toString("base64"), Buffer.from(v).toString("base64url"), encodeURIComponent(v), JSON.stringify(v))',
    ],
  },
  {
    label: 'exec: a prompt without newline, short-value warning',
    code: 0,
    args: ['secrets', 'exec', '--', 'sh', '-c', 'printf "token %s pin? " "$API_TOKEN_OUT"'],
  },
  {
    label: "exec --json (the child's stdout on stderr, masked)",
    code: 0,
    args: [
      'secrets',
      'exec',
      '--json',
      '--',
      process.execPath,
      '-e',
      'console.log(JSON.stringify({ v: process.env.PGPASSWORD }), process.env.TLS_KEY); console.error(process.env.API_TOKEN_OUT)',
    ],
  },
  {
    label: 'exec --strict-mask (short value)',
    code: 2,
    args: ['secrets', 'exec', '--strict-mask', '--', 'true'],
  },
  { label: 'inject', code: 0, args: ['secrets', 'inject', '-i', 'template.txt', '-o', 'out.txt'] },
  { label: 'emit dbt', code: 0, args: ['secrets', 'emit', 'dbt'] },
  { label: 'emit duckdb', code: 0, args: ['secrets', 'emit', 'duckdb'] },
  { label: 'apply duckdb --dry-run', code: 0, args: ['secrets', 'apply', 'duckdb', '--dry-run'] },
  {
    label: 'apply duckdb -c',
    code: 0,
    args: [
      'secrets',
      'apply',
      'duckdb',
      '-c',
      'SELECT name, type, secret_string FROM duckdb_secrets()',
      '--json',
    ],
  },
  {
    label: 'apply duckdb -c (table; nested and doubled escaped forms)',
    code: 0,
    args: [
      'secrets',
      'apply',
      'duckdb',
      '-c',
      'SELECT secret_string, [secret_string]::VARCHAR AS nested FROM duckdb_secrets()',
      '-c',
      "SELECT replace(secret_string, '''', '''''') AS doubled FROM duckdb_secrets()",
    ],
  },
  {
    label: 'rotate --dry-run',
    code: 0,
    args: [
      'secrets',
      'rotate',
      'db',
      '--key',
      'password',
      '--value-file',
      'new-password.txt',
      '--dry-run',
    ],
  },
  {
    label: 'rotate',
    code: 0,
    args: ['secrets', 'rotate', 'db', '--key', 'password', '--value-file', 'new-password.txt'],
  },
  {
    label: 'rotate --generate --json',
    code: 0,
    args: ['secrets', 'rotate', 'db', '--key', 'password', '--generate', '--json'],
  },
  {
    label: 'create existing (conflict)',
    code: 1,
    args: ['secrets', 'create', 'db', '--from-file', 'password=new-password.txt'],
  },
  { label: 'providers', code: 0, args: ['secrets', 'providers'] },
  { label: 'providers --json', code: 0, args: ['secrets', 'providers', '--json'] },
  { label: 'providers list', code: 0, args: ['providers', 'list', '--json'] },
  { label: 'providers remove (not installed)', code: 2, args: ['providers', 'remove', 'vault'] },
  { label: 'plugins install', code: 2, args: ['plugins', 'install', 'x'] },
  // watch runs until a signal: its running paths are in watch-command.test.ts (same check)
  {
    label: 'watch (bad --inject)',
    code: 2,
    args: ['secrets', 'watch', '--inject', 'template.txt'],
  },
  { label: 'watch --duckdb (none persistent)', code: 2, args: ['secrets', 'watch', '--duckdb'] },
  // seed 003's scope commands (no value may show, whatever path they take)
  { label: 'scopes list (none)', code: 0, args: ['secrets', 'scopes', 'list'] },
  {
    label: 'scopes create',
    code: 0,
    args: ['secrets', 'scopes', 'create', '-s', 'canary-scope', '--as', 'user:c@example.com'],
  },
  {
    label: 'put into a scope (name declared elsewhere)',
    code: 2,
    args: ['secrets', 'put', '-s', 'canary-scope', '-k', 'db', '-f', 'new-password.txt'],
  },
  {
    label: 'access grant',
    code: 0,
    args: [
      'secrets',
      'access',
      'grant',
      '--principal',
      'workspace:prod',
      '--role',
      'reader',
      '-s',
      'canary-scope',
      '--as',
      'user:c@example.com',
    ],
  },
  { label: 'scopes list --json', code: 0, args: ['secrets', 'scopes', 'list', '--json'] },
  {
    label: 'access revoke --json',
    code: 0,
    args: [
      'secrets',
      'access',
      'revoke',
      '--principal',
      'workspace:prod',
      '--role',
      'reader',
      '-s',
      'canary-scope',
      '--as',
      'user:c@example.com',
      '--json',
    ],
  },
  {
    label: 'delete (provider cannot delete)',
    code: 1,
    args: ['secrets', 'delete', 'api', '--yes'],
  },
  { label: 'delete without --yes', code: 2, args: ['secrets', 'delete', 'db', '--json'] },
  {
    label: 'delete --expected-version (stale)',
    code: 1,
    args: ['secrets', 'delete', 'scratch', '--yes', '--expected-version', 'stale'],
  },
  { label: 'audit verify', code: 0, args: ['secrets', 'audit', 'verify'] },
  { label: 'audit verify --json', code: 0, args: ['secrets', 'audit', 'verify', '--json'] },
  { label: 'unknown secret', code: 2, args: ['secrets', 'get', 'nope/x'] },
  // destructive ones last: later commands would miss what they remove
  {
    label: 'delete --undeclare --json',
    code: 0,
    args: ['secrets', 'delete', 'scratch', '--yes', '--undeclare', '--json'],
  },
  {
    label: 'scopes delete',
    code: 0,
    args: [
      'secrets',
      'scopes',
      'delete',
      '-s',
      'canary-scope',
      '--yes',
      '--as',
      'user:c@example.com',
    ],
  },
]

describe('canary: no value leaks from any command', () => {
  for (const command of commands) {
    it(command.label, async () => {
      const result = await runFloe(command.args, { cwd: project.dir, env })
      assertNoCanary(`${command.label} stdout`, result.stdout, command.allowStdout)
      assertNoCanary(`${command.label} stderr`, result.stderr)
      // Each command must have actually run its path (not died before touching secrets).
      expect(result.code, `${command.label}: ${result.stderr}`).toBe(command.code)
      expect(result.stdout + result.stderr).not.toMatch(
        /TypeError|ReferenceError|Cannot find module/,
      )
    })
  }

  it('rotate with no value flag (the manifest generator), --verbose: the new value is not printed', async () => {
    const result = await runFloe(['secrets', 'rotate', 'db', '--verbose'], {
      cwd: project.dir,
      env,
    })
    expect(result.code, result.stderr).toBe(0)
    const stored = JSON.parse(readFileSync(join(project.dir, 'secrets/db.json'), 'utf8')) as {
      user: string
      password: string
    }
    expect(stored.password).toHaveLength(24)
    expect(stored.user).toBe('app')
    expect(result.stdout + result.stderr).not.toContain(stored.password)
    assertNoCanary('rotate (generator) output', result.stdout + result.stderr)
  })

  it('the audit log holds actions but no values, and its chain verifies', async () => {
    const path = join(project.dir, 'audit.jsonl')
    expect(existsSync(path)).toBe(true)
    const log = readFileSync(path, 'utf8')
    expect(log.trim().split('\n').length).toBeGreaterThan(3)
    assertNoCanary('audit log', log)
    const verify = await runFloe(['secrets', 'audit', 'verify'], { cwd: project.dir, env })
    expect(verify.code).toBe(0)
  })

  it('apply -c really shows the header, masked in its escaped form (so the check above bites)', async () => {
    const result = await runFloe(
      [
        'secrets',
        'apply',
        'duckdb',
        '-c',
        'SELECT [secret_string]::VARCHAR AS n FROM duckdb_secrets()',
        '--json',
      ],
      { cwd: project.dir, env },
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/X-Key=\\\\'\*\*\*\\\\'/)
  })

  it('exec warns by name about the short value, and --strict-mask refuses to run', async () => {
    const warned = await runFloe(['secrets', 'exec', '--', 'true'], { cwd: project.dir, env })
    expect(warned.code, warned.stderr).toBe(0)
    expect(warned.stderr).toMatch(/PIN \(secret:\/\/pin/)
    expect(warned.stderr).toMatch(/cannot be masked/)
    const strict = await runFloe(['secrets', 'exec', '--strict-mask', '--', 'true'], {
      cwd: project.dir,
      env,
    })
    expect(strict.code).toBe(2)
  })

  it('exec with its reader closed early, and binary/emoji output: byte-exact, no value', async () => {
    // Random-looking but fixed bytes: 300 KB of random bytes hold a 3-byte value such as the db
    // user "app" about one run in 50, and masking it there is right, not a corruption.
    const stream = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0))
    const noise = stream.update(Buffer.alloc(300_000))
    const bytes = Buffer.concat([noise, Buffer.from('😀é'.repeat(50_000))])
    const redactor = new Redactor()
    for (const value of [...Object.values(env), 'app', canary.filePassword]) redactor.add(value)
    for (const form of redactor.forms())
      expect(bytes.includes(Buffer.from(form)), `the test bytes hold ${form}`).toBe(false)
    project.write('blob.bin', bytes as unknown as string)
    const floe = `"${process.execPath}" "${floeBin}"`
    const shell = (line: string) =>
      spawnSync('bash', ['-c', line], {
        cwd: project.dir,
        env: isolatedEnv(join(project.dir, '.home'), env),
        timeout: 60_000,
      })
    const roundTrip = shell(`${floe} secrets exec -- cat blob.bin`)
    expect(Buffer.compare(roundTrip.stdout, bytes)).toBe(0)
    const early = shell(
      `${floe} secrets exec -- sh -c 'while :; do printf "%s\\n" "$PGPASSWORD"; done' | head -2; echo "rc=\${PIPESTATUS[0]}"`,
    )
    expect(early.stdout.toString()).toBe('[REDACTED]\n[REDACTED]\nrc=141\n')
    assertNoCanary('exec | head', early.stdout.toString() + early.stderr.toString())
  })

  it.skipIf(!ptyTestable)('exec on a terminal (the child in a pty): masked, no value', async () => {
    const { code, output } = await runInPty(
      [
        process.execPath,
        floeBin,
        'secrets',
        'exec',
        '--',
        'sh',
        '-c',
        '[ -t 1 ] && echo tty; printf "%s\\n" "$PGPASSWORD" "$TLS_KEY"; printf "%s" "$API_TOKEN_OUT" >&2',
      ],
      { cwd: project.dir, env: isolatedEnv(join(project.dir, '.home'), env) },
    )
    expect(code).toBe(0)
    expect(output).toMatch(/^tty\n/m)
    expect(output).toContain('[REDACTED]')
    assertNoCanary('exec in a pty', output)
  })

  it('sanctioned sinks do carry the value (so the test above is meaningful)', async () => {
    const reveal = await runFloe(['secrets', 'get', 'warehouse/password', '--reveal'], {
      cwd: project.dir,
      env,
    })
    expect(reveal.stdout).toContain(canary.envPassword)
    const exec = await runFloe(
      [
        'secrets',
        'exec',
        '--no-mask',
        '--',
        process.execPath,
        '-e',
        'console.log(process.env.PGPASSWORD)',
      ],
      { cwd: project.dir, env },
    )
    expect(exec.stdout).toContain(canary.envPassword)
    expect(readFileSync(join(project.dir, 'out.txt'), 'utf8')).toContain(canary.envPassword)
  })
})
