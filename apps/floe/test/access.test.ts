import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'
import { assertBuilt, makeProject, parseJson, runFloe, type FixtureProject } from './helpers.js'

/**
 * Seed 003's Snowflake walk-through, end to end against the Vault emulator: create the scope,
 * put the user and password from files, grant workspace:prod the reader role, then a workload
 * running as workspace:prod resolves and one running as another workspace is refused.
 */
let vault: VaultEmulator
let project: FixtureProject
const password = 'sf-pass-3e1c-not-real'

beforeAll(async () => {
  assertBuilt()
  vault = await startVaultEmulator()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-vault': 'packages/provider-vault',
    '@floe/emit-access': 'packages/emit-access',
  })
  project.write(
    'floe.yaml',
    `# team manifest
environment: prod
secrets:
  snowflake-user:
    provider: vault
    path: secret/data/scopes/snowflake/snowflake-user
    vault: { address: '\${VAULT_ADDR}' }
    scope: snowflake-scope
  snowflake-password:
    provider: vault
    path: secret/data/scopes/snowflake/snowflake-password
    vault: { address: '\${VAULT_ADDR}' }
    scope: snowflake-scope
env:
  SNOWFLAKE_USER: secret://snowflake-user
  SNOWFLAKE_PASSWORD: secret://snowflake-password
`,
  )
  project.write('snowflake_user.txt', 'dbt_user', 0o600)
  project.write('snowflake_password.txt', password, 0o600)
})
afterAll(async () => {
  await vault?.close()
})

const floe = (args: string[]) =>
  runFloe(args, { cwd: project.dir, env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken } })

describe('seed 003 Snowflake example, end to end', () => {
  it('creates the scope with the creator as manager (manifest comments kept)', async () => {
    const result = await floe([
      'secrets',
      'scopes',
      'create',
      '-s',
      'snowflake-scope',
      '--provider',
      'vault',
      '--vault-prefix',
      'secret/data/scopes/snowflake',
      '--namespace',
      'floe-jobs',
      '--as',
      'user:alice@example.com',
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const text = readFileSync(join(project.dir, 'floe.yaml'), 'utf8')
    expect(text).toContain('# team manifest')
    expect(text).toMatch(
      /principal: user:alice@example\.com\s+role: manager\s+scope: snowflake-scope/,
    )
  })

  it('puts values from files; a principal without a role is refused (exit 4)', async () => {
    const denied = await floe([
      'secrets',
      'put',
      '-s',
      'snowflake-scope',
      '-k',
      'snowflake-user',
      '-f',
      'snowflake_user.txt',
      '--as',
      'user:mallory@example.com',
    ])
    expect(denied.code).toBe(4)
    expect(denied.stderr).toMatch(/user:mallory@example\.com has no role on snowflake-scope/)
    for (const [key, file] of [
      ['snowflake-user', 'snowflake_user.txt'],
      ['snowflake-password', 'snowflake_password.txt'],
    ]) {
      const put = await floe([
        'secrets',
        'put',
        '-s',
        'snowflake-scope',
        '-k',
        key!,
        '-f',
        file!,
        '--as',
        'user:alice@example.com',
      ])
      expect(put.stderr).toBe('')
      expect(put.code).toBe(0)
    }
    expect(vault.readKv('secret/data/scopes/snowflake/snowflake-password')).toEqual({
      value: password,
    })
  })

  it('grants workspace:prod the reader role (managers only)', async () => {
    const notManager = await floe([
      'secrets',
      'access',
      'grant',
      '--principal',
      'workspace:prod',
      '--role',
      'reader',
      '-s',
      'snowflake-scope',
      '--as',
      'workspace:prod',
    ])
    expect(notManager.code).toBe(4)
    const grant = await floe([
      'secrets',
      'access',
      'grant',
      '--principal',
      'workspace:prod',
      '--role',
      'reader',
      '-s',
      'snowflake-scope',
      '--as',
      'user:alice@example.com',
    ])
    expect(grant.code).toBe(0)
    const check = parseJson<{
      result: { decisions: { principal: string; action: string; allowed: boolean }[] }
    }>(
      (await floe(['secrets', 'access', 'check', '--principal', 'workspace:prod', '--json']))
        .stdout,
    )
    expect(
      check.result.decisions
        .filter((d) => d.allowed)
        .map((d) => d.action)
        .sort(),
    ).toEqual(['create_scope', 'read'])
  })

  it('emits the grants for Kubernetes (RBAC with resourceNames) and Vault (policies + bindings)', async () => {
    const k8s = await floe(['secrets', 'access', 'emit', '--target', 'kubernetes'])
    expect(k8s.code).toBe(0)
    const objects = parseAllDocuments(k8s.stdout).map(
      (d) =>
        d.toJSON() as {
          kind: string
          metadata: { name: string; namespace: string }
          rules?: { resourceNames?: string[]; verbs: string[] }[]
          subjects?: { kind: string; name: string }[]
        },
    )
    const readerRole = objects.find(
      (o) => o.kind === 'Role' && o.metadata.name === 'floe-snowflake-scope-reader',
    )!
    expect(readerRole.metadata.namespace).toBe('floe-jobs')
    expect(readerRole.rules?.[0]).toEqual({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['snowflake-password', 'snowflake-user'],
      verbs: ['get'],
    })
    const readerBinding = objects.find(
      (o) => o.kind === 'RoleBinding' && o.metadata.name === 'floe-snowflake-scope-reader',
    )!
    expect(readerBinding.subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'floe:workspace:prod' },
    ])
    const out = join(project.dir, 'vault-policies')
    const vaultEmit = await floe(['secrets', 'access', 'emit', '--target', 'vault', '-o', out])
    expect(vaultEmit.code).toBe(0)
    const reader = readFileSync(join(out, 'vault', 'floe-snowflake-scope-reader.hcl'), 'utf8')
    expect(reader).toContain(
      'path "secret/data/scopes/snowflake/snowflake-password" {\n  capabilities = ["read"]\n}',
    )
    expect(reader).not.toMatch(/"(create|update|delete|list)"/)
  })

  it('a workload running as workspace:prod resolves; another workspace is refused', async () => {
    const prod = await floe([
      'secrets',
      'exec',
      '--as',
      'workspace:prod',
      '--',
      process.execPath,
      '-e',
      'process.exit(process.env.SNOWFLAKE_PASSWORD === "' + password + '" ? 0 : 9)',
    ])
    expect(prod.stderr).toBe('')
    expect(prod.code).toBe(0)
    const dev = await floe([
      'secrets',
      'get',
      'snowflake-password',
      '--as',
      'workspace:dev',
      '--reveal',
    ])
    expect(dev.code).toBe(4)
    expect(dev.stdout).toBe('')
    expect(dev.stderr).toMatch(/workspace:dev may not read "snowflake-password"/)
    const calls = vault.calls.count()
    const refused = await runFloe(['secrets', 'exec', '--', process.execPath, '-e', '0'], {
      cwd: project.dir,
      env: {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
        FLOE_PRINCIPAL: 'workspace:staging',
      },
    })
    expect(refused.code).toBe(4)
    expect(vault.calls.count()).toBe(calls) // refused before any provider call
  })
})
