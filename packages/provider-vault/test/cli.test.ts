import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'

/**
 * End to end through the real `floe` CLI (a child process, from its build) in a team project
 * that lists @floe/provider-vault as a dependency: discovery, manifest loading, the resolver,
 * node-vault over a socket, the emulator.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const floeBin = join(repoRoot, 'apps/floe/bin/run.cjs')

function assertBuilt(): void {
  const needed = [
    'apps/floe/dist/project-root.js',
    'plugins/plugin-secrets/dist/commands/secrets/exec.js',
    'packages/core/dist/index.js',
    'packages/provider-vault/dist/index.js',
    'packages/provider-env/dist/index.js',
  ]
  const missing = needed.filter((p) => !existsSync(join(repoRoot, p)))
  if (missing.length) {
    throw new Error(
      `CLI tests need a build: run \`pnpm build\` first (missing ${missing.join(', ')})`,
    )
  }
}

function floe(args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done, reject) => {
    const child = spawn(process.execPath, [floeBin, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: join(cwd, '.home'),
        NO_COLOR: '1',
        // the run's temp root (scripts/vitest/global-setup.ts): never search above it
        ...(process.env.FLOE_CEILING_DIRECTORIES
          ? { FLOE_CEILING_DIRECTORIES: process.env.FLOE_CEILING_DIRECTORIES }
          : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code: code ?? -1, stdout, stderr })
    })
  })
}

const MANIFEST = `
secrets:
  kafka_credentials:
    provider: vault
    path: secret/data/production/kafka
    keys: [username, password]
    vault:
      address: \${VAULT_ADDR}
      namespace: credit-card
    auth: { method: kubernetes, role: flink-reader, jwt_path: ./sa-token }
  mongo_credentials:
    provider: vault
    path: database/creds/mongo-readonly
    type: dynamic
    vault:
      address: \${VAULT_ADDR}
    auth: { method: kubernetes, role: flink-reader, jwt_path: ./sa-token }
    lease: { renewal_enabled: true, min_renewal_seconds: 60, increment_seconds: 3600 }
  _groups:
    kafka:
      provider: vault
      path: secret/data/production/kafka
      vault:
        address: \${VAULT_ADDR}
      auth: { method: kubernetes, role: flink-reader, jwt_path: ./sa-token }
  kafka_username:
    _group: kafka
    key: username
  kafka_password:
    _group: kafka
    key: password
env:
  NS_KAFKA_USER: secret://kafka_credentials/username
  KAFKA_USER: secret://kafka_username
  KAFKA_PASS: secret://kafka_password
  MONGO_USER: secret://mongo_credentials/username
`

let vault: VaultEmulator
let project: string

beforeAll(async () => {
  assertBuilt()
  vault = await startVaultEmulator({
    kubernetesRoles: { 'flink-reader': { jwt: 'sa.jwt', policies: ['floe'] } },
    databaseRoles: { 'mongo-readonly': { defaultTtlSeconds: 3600, maxTtlSeconds: 7200 } },
  })
  vault.writeKv(
    'secret/production/kafka',
    { username: 'ns-user', password: 'ns-pass' },
    { namespace: 'credit-card' },
  )
  vault.writeKv('secret/production/kafka', { username: 'kafka-user', password: 'kafka-pass' })
  project = realpathSync(mkdtempSync(join(tmpdir(), 'floe-vault-cli-')))
  for (const [name, dir] of [
    ['@floe/provider-vault', 'packages/provider-vault'],
    ['@floe/provider-env', 'packages/provider-env'],
  ] as const) {
    const target = join(project, 'node_modules', name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(join(repoRoot, dir), target, 'dir')
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'team-project',
      private: true,
      dependencies: { '@floe/provider-vault': '*', '@floe/provider-env': '*' },
    }),
  )
  writeFileSync(join(project, 'floe.yaml'), MANIFEST)
  writeFileSync(join(project, 'sa-token'), 'sa.jwt\n')
})

afterAll(async () => {
  await vault?.close()
  if (project) rmSync(project, { recursive: true, force: true })
})

describe('floe CLI against the Vault emulator (seed 002)', () => {
  it('exec injects KV, namespaced and group values and revokes the lease when the child fails', async () => {
    // the Kubernetes role gets exactly the policy `floe secrets emit vault-policy` writes
    const emitted = await floe(
      ['secrets', 'emit', 'vault-policy', '-o', 'policies', '--option', 'list=true'],
      project,
      {
        VAULT_ADDR: vault.url,
      },
    )
    expect({ code: emitted.code, stderr: emitted.stderr }).toMatchObject({ code: 0 })
    vault.setPolicy(
      'floe',
      ['vault-policy.hcl', 'vault-policy.credit-card.hcl']
        .map((f) => readFileSync(join(project, 'policies', f), 'utf8'))
        .join('\n'),
    )
    const out = join(project, 'child-env.json')
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({u: process.env.KAFKA_USER, p: process.env.KAFKA_PASS, n: process.env.NS_KAFKA_USER, m: process.env.MONGO_USER})); process.exit(3)`
    const result = await floe(['secrets', 'exec', '--', process.execPath, '-e', script], project, {
      VAULT_ADDR: vault.url,
    })
    expect(result.stderr).not.toContain('kafka-pass')
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 3 })
    const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>
    expect(seen).toMatchObject({ u: 'kafka-user', p: 'kafka-pass', n: 'ns-user' })
    expect(seen.m).toMatch(/^v-token-mongo-readonly-/)
    expect(vault.leases()).toHaveLength(1)
    expect(vault.credentialValid(seen.m!)).toBe(false)
    expect(vault.leases()[0]!.revoked).toBe(true)
  })

  it('emit vault-policy writes the least-privilege policy for the manifest', async () => {
    const result = await floe(['secrets', 'emit', 'vault-policy'], project, {
      VAULT_ADDR: vault.url,
    })
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 })
    expect(result.stdout).toContain('path "secret/data/production/kafka"')
    expect(result.stdout).toContain('path "database/creds/mongo-readonly"')
    expect(result.stdout).toContain('vault-policy.credit-card.hcl')
  })
})

describe('floe secrets list --remote against the Vault emulator', () => {
  it('lists names under a prefix in the namespace of the first vault definition', async () => {
    const emitted = await floe(
      ['secrets', 'emit', 'vault-policy', '-o', 'list-policies', '--option', 'list=true'],
      project,
      { VAULT_ADDR: vault.url },
    )
    expect(emitted.code).toBe(0)
    vault.setPolicy(
      'floe',
      ['vault-policy.hcl', 'vault-policy.credit-card.hcl']
        .map((f) => readFileSync(join(project, 'list-policies', f), 'utf8'))
        .join('\n'),
    )
    const result = await floe(
      ['secrets', 'list', '--remote', '--provider', 'vault', '--prefix', 'production', '--json'],
      project,
      { VAULT_ADDR: vault.url },
    )
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 })
    const json = JSON.parse(result.stdout) as { result: { secrets: { name: string }[] } }
    expect(json.result.secrets.map((s) => s.name)).toEqual(['production/kafka'])
    expect(result.stdout).not.toContain('ns-pass')
  })
})

describe('floe secrets rotate against the Vault emulator', () => {
  it('rotates one key with compare-and-set and keeps the other keys', async () => {
    const emitted = await floe(
      ['secrets', 'emit', 'vault-policy', '-o', 'write-policies', '--option', 'write=true'],
      project,
      { VAULT_ADDR: vault.url },
    )
    expect(emitted.code).toBe(0)
    vault.setPolicy(
      'floe',
      ['vault-policy.hcl', 'vault-policy.credit-card.hcl']
        .map((f) => readFileSync(join(project, 'write-policies', f), 'utf8'))
        .join('\n'),
    )
    const before = vault.readKv('secret/production/kafka', { namespace: 'credit-card' })!
    const result = await floe(
      ['secrets', 'rotate', 'kafka_credentials', '--key', 'password', '--generate', '--verbose'],
      project,
      { VAULT_ADDR: vault.url },
    )
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 })
    // the version is a --verbose detail (the default output is the ADR's lines)
    expect(result.stdout).toMatch(/^ {2}version 2 \(previous 1\)$/m)
    const after = vault.readKv('secret/production/kafka', { namespace: 'credit-card' })!
    expect(after.username).toBe(before.username)
    expect(after.password).not.toBe(before.password)
    expect(result.stdout + result.stderr).not.toContain(String(after.password))
  })
})

describe('floe secrets exec keeps a dynamic lease alive', () => {
  it('renews the lease while a long-running child works, revokes it when the child exits', async () => {
    // short-lived credentials: renewals must happen while the child is still running
    vault.addDatabaseRole('mongo-readonly', { defaultTtlSeconds: 2, maxTtlSeconds: 60 })
    vault.setPolicy(
      'floe',
      [
        'path "secret/data/production/kafka" { capabilities = ["read"] }',
        'path "database/creds/mongo-readonly" { capabilities = ["read"] }',
        'path "sys/leases/renew" { capabilities = ["update"] }',
        'path "sys/leases/revoke" { capabilities = ["update"] }',
      ].join('\n'),
    )
    const out = join(project, 'long-child.json')
    const script = `setTimeout(() => { require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ m: process.env.MONGO_USER })); process.exit(0) }, 3500)`
    const result = await floe(['secrets', 'exec', '--', process.execPath, '-e', script], project, {
      VAULT_ADDR: vault.url,
    })
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 })
    const { m } = JSON.parse(readFileSync(out, 'utf8')) as { m: string }
    const lease = vault.leases().find((l) => l.username === m)!
    expect(lease.renewals).toBeGreaterThanOrEqual(1)
    expect(lease.revoked).toBe(true)
  })
})
