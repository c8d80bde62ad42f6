import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'
import { createRequire } from 'node:module'
import { assertBuilt, makeProject, repoRoot, type FixtureProject } from './helpers.js'
import { expectNoValues, is, startFloe, type WatchRun } from './watch-helpers.js'

/**
 * `floe secrets watch` (no child) against the Vault emulator: the test changes secrets in the
 * back end and waits for floe's events — never on a clock — then looks at what the consumers
 * see: the rendered file, and a persistent DuckDB secret read back by a fresh DuckDB.
 */
let vault: VaultEmulator
let project: FixtureProject
const runs: WatchRun[] = []

const values = {
  t1: 'token-canary-w1a2',
  t2: 'token-canary-w3b4',
  t3: 'token-canary-w5c6',
  u1: 'unused-canary-w7d8',
  u2: 'unused-canary-w9e0',
  b1: 'bearer-canary-wa1f',
  b2: 'bearer-canary-wb2a',
}

// DuckDB must never reach the network: no extension downloads
const offline = [
  'duckdb.autoinstall_known_extensions=false',
  'duckdb.autoload_known_extensions=false',
  'duckdb.custom_extension_repository=http://127.0.0.1:9',
].flatMap((o) => ['--option', o])

beforeAll(async () => {
  assertBuilt()
  vault = await startVaultEmulator()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-vault': 'packages/provider-vault',
    '@floe/emit-duckdb': 'packages/emit-duckdb',
  })
  project.write(
    'floe.yaml',
    `
secrets:
  _config:
    rotation: { refresh_interval: 1s }
  app:
    provider: vault
    path: secret/data/app/config
    vault: { address: ${vault.url} }
    keys: [token, unused]
  api:
    provider: vault
    path: secret/data/app/api
    vault: { address: ${vault.url} }
    keys: [bearer]
duckdb:
  secret_directory: duckdb-secrets
  secrets:
    - type: http
      name: api_http
      persistent: true
      bearer_token: secret://api/bearer
      scope: https://api.example.com/
`,
  )
  project.write('app.template', 'token: secret://app/token\n')
})

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop('SIGKILL')))
})

afterAll(async () => {
  await vault?.close()
})

function watch(args: string[]): WatchRun {
  const run = startFloe(['secrets', 'watch', '--json', ...args], {
    cwd: project.dir,
    env: { VAULT_TOKEN: vault.rootToken },
  })
  runs.push(run)
  return run
}

const assertNoValues = (run: WatchRun) => expectNoValues(run, values)

// the DuckDB that @floe/emit-duckdb uses (the CLI package does not depend on it)
const duckdbApi = createRequire(join(repoRoot, 'packages/emit-duckdb/package.json')).resolve(
  '@duckdb/node-api',
)

interface DuckdbApi {
  DuckDBInstance: {
    create(
      path: string,
      config: Record<string, string>,
    ): Promise<{
      connect(): Promise<{
        runAndReadAll(sql: string): Promise<{ getRowObjectsJson(): Record<string, unknown>[] }>
        closeSync(): void
      }>
      closeSync(): void
    }>
  }
}

async function bearerIn(secretDirectory: string): Promise<string | undefined> {
  const { DuckDBInstance } = (await import(duckdbApi)) as DuckdbApi
  const instance = await DuckDBInstance.create(':memory:', {
    secret_directory: secretDirectory,
    allow_unredacted_secrets: 'true',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  })
  const connection = await instance.connect()
  try {
    const rows = (
      await connection.runAndReadAll(
        "SELECT secret_string FROM duckdb_secrets(redact := false) WHERE name = 'api_http'",
      )
    ).getRowObjectsJson()
    return /bearer_token=([^;]*)/.exec((rows[0]?.secret_string as string | undefined) ?? '')?.[1]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

describe('floe secrets watch', { timeout: 90_000 }, () => {
  it('--inject re-renders the template (0600) when a used key changes, not when an unused one does', async () => {
    vault.writeKv('secret/app/config', { token: values.t1, unused: values.u1 })
    const out = join(project.dir, 'app.yaml')
    const run = watch(['--inject', `app.template=${out}`])
    const watching = await run.waitFor(is('watching'), 'watching')
    expect(watching).toMatchObject({ secrets: ['app'], consumers: ['inject app.template'] })
    expect(readFileSync(out, 'utf8')).toBe(`token: ${values.t1}\n`)
    expect(statSync(out).mode & 0o777).toBe(0o600)

    vault.writeKv('secret/app/config', { token: values.t1, unused: values.u2 })
    await run.waitFor(
      is('changed', (l) => l.version === '2'),
      'the unused change',
    )
    expect(await run.waitFor(is('unchanged'), 'the file left alone')).toMatchObject({ output: out })
    vault.writeKv('secret/app/config', { token: values.t2, unused: values.u2 })
    await run.waitFor(
      is('changed', (l) => l.version === '3'),
      'the used change',
    )
    const rendered = await run.waitFor(is('rendered'), 'rendered')
    expect(rendered).toMatchObject({ output: out, secrets: ['app'] })
    expect(readFileSync(out, 'utf8')).toBe(`token: ${values.t2}\n`)
    // work runs in order: a render for version 2 would have come before version 3's change
    const order = run.lines.filter((l) => ['changed', 'rendered', 'unchanged'].includes(l.event!))
    expect(
      order.map(
        (l) => `${String(l.event)}${typeof l.version === 'string' ? ` v${l.version}` : ''}`,
      ),
    ).toEqual(['changed v2', 'unchanged', 'changed v3', 'rendered'])
    expect(await run.stop('SIGTERM')).toBe(0)
    assertNoValues(run)
  })

  it('--duckdb re-applies a persistent secret; a fresh DuckDB sees the new value', async () => {
    vault.writeKv('secret/app/api', { bearer: values.b1 })
    const run = watch(['--duckdb', ...offline])
    const watching = await run.waitFor(is('watching'), 'watching')
    expect(watching).toMatchObject({ secrets: ['api'], consumers: ['duckdb api_http'] })
    const directory = join(project.dir, 'duckdb-secrets')
    expect(await bearerIn(directory)).toBe(values.b1)

    vault.writeKv('secret/app/api', { bearer: values.b2 })
    const reapplied = await run.waitFor(is('reapplied'), 'reapplied')
    expect(reapplied).toMatchObject({ secret: 'api', replaced: ['api_http'] })
    expect(await bearerIn(directory)).toBe(values.b2)
    expect(await run.stop('SIGINT')).toBe(0)
    assertNoValues(run)
  })

  it('human output names the change and the consumer, never the value', async () => {
    vault.writeKv('secret/app/config', { token: values.t2, unused: values.u2 })
    const out = join(project.dir, 'human.yaml')
    const run = startFloe(['secrets', 'watch', '--inject', `app.template=${out}`], {
      cwd: project.dir,
      env: { VAULT_TOKEN: vault.rootToken },
    })
    runs.push(run)
    await run.waitForStdout(/Watching 1 secret \(app\) for inject app\.template; Ctrl-C to stop\./)
    vault.writeKv('secret/app/config', { token: values.t3, unused: values.u2 })
    await run.waitForStdout(/✓ re-rendered .*human\.yaml from app\.template \(app\)/)
    expect(run.stdout()).toMatch(/secret "app" changed \(version \d+ → \d+\)/)
    expect(await run.stop('SIGTERM')).toBe(0)
    assertNoValues(run)
  })

  it('a bad --inject pair or an undeclared --secret is a usage error (exit 2)', async () => {
    for (const args of [
      ['--inject', 'app.template'],
      ['--secret', 'nope'],
    ]) {
      const run = startFloe(['secrets', 'watch', ...args], { cwd: project.dir })
      runs.push(run)
      expect(await run.exited).toBe(2)
      expect(run.stderr()).toMatch(/expected TEMPLATE=OUTPUT|not declared/)
    }
  })
})
