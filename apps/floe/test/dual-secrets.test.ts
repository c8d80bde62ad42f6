import { createHash } from 'node:crypto'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'
import { assertBuilt, makeProject, runFloe, type FixtureProject } from './helpers.js'

/**
 * The dual-secret pattern (seed 002) through `floe secrets exec`, against the Vault emulator:
 * a primary that is NOT_FOUND or UNAVAILABLE gives way to its secondary, with a warning; a
 * FORBIDDEN primary never does.
 */
let vault: VaultEmulator
let project: FixtureProject
let token: string
const primaryValue = 'dual-primary-canary-41ac'
const secondaryValue = 'dual-secondary-canary-93bd'
const lockedSecondary = 'dual-locked-secondary-canary-7e21'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

beforeAll(async () => {
  assertBuilt()
  vault = await startVaultEmulator()
  vault.setPolicy('app', 'path "secret/data/dual/*" { capabilities = ["read"] }')
  token = vault.createToken({ policies: ['app'] })
  vault.writeKv('secret/dual/primary', { password: primaryValue })
  vault.writeKv('secret/dual/secondary', { password: secondaryValue })
  vault.writeKv('secret/locked/primary', { password: 'locked-primary-canary-55f0' })
  vault.writeKv('secret/dual/locked-secondary', { password: lockedSecondary })
  const down = await closedPort()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-vault': 'packages/provider-vault',
  })
  const kv = (path: string, address = vault.url) =>
    `provider: vault\n    path: ${path}\n    vault: { address: ${address} }\n    keys: [password]\n    retry: { attempts: 1 }`
  project.write(
    'floe.yaml',
    `
secrets:
  db_primary:
    ${kv('secret/data/dual/primary')}
  db_secondary:
    ${kv('secret/data/dual/secondary')}
  locked_primary:
    ${kv('secret/data/locked/primary')}
  locked_secondary:
    ${kv('secret/data/dual/locked-secondary')}
  down_primary:
    ${kv('secret/data/dual/down', `http://127.0.0.1:${down}`)}
lookups:
  database:
    auth: { primary: secret://db_primary, secondary: secret://db_secondary, fallback_enabled: true }
  locked:
    auth: { primary: secret://locked_primary, secondary: secret://locked_secondary, fallback_enabled: true }
  down:
    auth: { primary: secret://down_primary, secondary: secret://db_secondary, fallback_enabled: true }
`,
  )
  project.write(
    'pair.yaml',
    `
secrets:
  db_primary:
    ${kv('secret/data/dual/primary')}
  db_secondary:
    ${kv('secret/data/dual/secondary')}
lookups:
  database:
    auth: { primary: secret://db_primary, secondary: secret://db_secondary, fallback_enabled: true }
`,
  )
})

afterAll(async () => {
  await vault?.close()
})

const printHash = (variable: string) => [
  process.execPath,
  '-e',
  `console.log('hash=' + require('node:crypto').createHash('sha256').update(process.env.${variable} ?? '').digest('hex'))`,
]

const exec = (variable: string) =>
  runFloe(['secrets', 'exec', '--only', variable, '--', ...printHash(variable)], {
    cwd: project.dir,
    env: { VAULT_TOKEN: token },
  })

function assertNoValues(text: string): void {
  for (const value of [primaryValue, secondaryValue, lockedSecondary]) {
    expect(text).not.toContain(value)
  }
}

describe('dual secrets (primary / secondary / fallback_enabled)', () => {
  it('uses the primary when it exists', async () => {
    const result = await exec('DB_PRIMARY_PASSWORD')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`hash=${sha(primaryValue)}`)
    expect(result.stderr).not.toMatch(/secondary/)
  })

  it('falls back to the secondary, with a warning, when the primary is NOT_FOUND', async () => {
    vault.deleteKv('secret/dual/primary')
    try {
      const result = await exec('DB_PRIMARY_PASSWORD')
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`hash=${sha(secondaryValue)}`)
      expect(result.stderr).toMatch(
        /primary secret "db_primary" failed \(NOT_FOUND\); DB_PRIMARY_PASSWORD uses secondary "db_secondary"/,
      )
      assertNoValues(result.stdout + result.stderr)
    } finally {
      vault.writeKv('secret/dual/primary', { password: primaryValue })
    }
  })

  it('falls back when the primary is UNAVAILABLE (its Vault is down)', async () => {
    const result = await exec('DOWN_PRIMARY_PASSWORD')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`hash=${sha(secondaryValue)}`)
    expect(result.stderr).toMatch(/primary secret "down_primary" failed \(UNAVAILABLE\)/)
  })

  it('never falls back when the primary is FORBIDDEN', async () => {
    const result = await exec('LOCKED_PRIMARY_PASSWORD')
    expect(result.code).toBe(4)
    expect(result.stdout).not.toContain('hash=')
    expect(result.stderr).not.toMatch(/uses secondary/)
    assertNoValues(result.stdout + result.stderr)
  })

  it('validate reports both sides of a pair; a missing primary with its secondary present is a warning', async () => {
    const validate = () =>
      runFloe(['secrets', 'validate', '-m', 'pair.yaml'], {
        cwd: project.dir,
        env: { VAULT_TOKEN: vault.rootToken },
      })
    const healthy = await validate()
    expect(healthy.code).toBe(0)
    expect(healthy.stdout).toMatch(
      /lookups\.database\.auth: dual: primary db_primary exists, secondary db_secondary exists, fallback enabled/,
    )
    vault.deleteKv('secret/dual/primary')
    try {
      const degraded = await validate()
      expect(degraded.code, degraded.stdout + degraded.stderr).toBe(0)
      expect(degraded.stdout).toMatch(
        /db_primary: NOT FOUND — dual: secondary "db_secondary" will be used/,
      )
      expect(degraded.stdout).toMatch(
        /dual: primary db_primary NOT FOUND, secondary db_secondary exists/,
      )
      const strict = await runFloe(['secrets', 'validate', '-m', 'pair.yaml', '--strict'], {
        cwd: project.dir,
        env: { VAULT_TOKEN: vault.rootToken },
      })
      expect(strict.code).toBe(1)
    } finally {
      vault.writeKv('secret/dual/primary', { password: primaryValue })
    }
  })
})
