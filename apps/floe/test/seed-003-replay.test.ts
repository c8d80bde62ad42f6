import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'
import { assertBuilt, makeProject, parseJson, runFloe, type FixtureProject } from './helpers.js'

/**
 * Seed 003 (Tecton secrets) replayed as floe commands, in the seed's order, with NO manual
 * manifest edit: the manifest starts with a comment and an audit setting, nothing else; every
 * change (scope, declarations, grants, removals) is made by a command, and the comment survives.
 *
 *   tecton secrets create-scope -s snowflake-scope        → floe secrets scopes create -s …
 *   tecton secrets put -s … -k snowflake-password -f …    → floe secrets put -s … -k … -f …  (×2)
 *   tecton access-control assign-role -w prod -r secret_scope_reader -c snowflake-scope
 *                                                          → floe secrets access grant …
 *   Secret(scope=…, key=…) in a job                        → floe secrets inject / get
 *   revoke, list, delete secret, delete scope              → access revoke, scopes list,
 *                                                            delete --undeclare, scopes delete
 */
let vault: VaultEmulator
let project: FixtureProject
const password = 'sf-pass-9c1e-not-real'
const user = 'dbt_loader_03'
const SCOPE = 'snowflake-scope'
const ALICE = 'user:alice@example.com'
let nextStep: string[] = []

beforeAll(async () => {
  assertBuilt()
  vault = await startVaultEmulator()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-vault': 'packages/provider-vault',
  })
  project.write(
    'floe.yaml',
    `# team manifest: every change below is made by a floe command
environment: prod
secrets:
  _config:
    audit: { enabled: true, path: audit.jsonl }
`,
  )
  project.write('snowflake_password.txt', password, 0o600)
  project.write('snowflake_user.txt', user, 0o600)
  project.write(
    'connection.template',
    'user=secret://snowflake-user\npassword=secret://snowflake-password\n',
  )
})
afterAll(async () => {
  await vault?.close()
})

const floe = (...args: string[]) =>
  runFloe(['secrets', ...args], {
    cwd: project.dir,
    env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken },
  })
const manifestText = () => readFileSync(join(project.dir, 'floe.yaml'), 'utf8')
const auditActions = () =>
  readFileSync(join(project.dir, 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { action: string; secret?: string; outcome: string })

describe('seed 003 replayed as floe commands, no manual manifest edits', () => {
  it('create-scope: scopes create prints a next step that works as printed', async () => {
    const created = await floe('scopes', 'create', '-s', SCOPE, '--as', ALICE)
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    // no provider is configured anywhere: the hint names the installed one that can take keys
    expect(created.stdout).toContain(
      `Next: floe secrets put -s ${SCOPE} -k KEY -f FILE --provider vault\n`,
    )
    nextStep = /Next: floe secrets (.+)\n/.exec(created.stdout)![1]!.split(' ')
  })

  it('put -f file ×2: each key is written to Vault and declared in the manifest', async () => {
    for (const [key, file] of [
      ['snowflake-password', 'snowflake_password.txt'],
      ['snowflake-user', 'snowflake_user.txt'],
    ] as const) {
      // the printed next step, as printed, with KEY and FILE filled in
      const args = nextStep.map((word) => (word === 'KEY' ? key : word === 'FILE' ? file : word))
      const put = await floe(...args, '--as', ALICE)
      expect(put.stderr).toBe('')
      expect(put.code).toBe(0)
      expect(put.stdout).toContain(`Declared secrets.${key} in`)
      expect(put.stdout).not.toContain(password)
    }
    expect(vault.readKv(`secret/data/scopes/${SCOPE}/snowflake-password`)).toEqual({
      value: password,
    })
    expect(vault.readKv(`secret/data/scopes/${SCOPE}/snowflake-user`)).toEqual({ value: user })
    const text = manifestText()
    expect(text).toContain('# team manifest: every change below is made by a floe command')
    expect(text).toMatch(
      new RegExp(
        `snowflake-password:\\s+provider: vault\\s+path: secret/data/scopes/${SCOPE}/snowflake-password\\s+scope: ${SCOPE}`,
      ),
    )
    // a second put of a declared key updates it, and declares nothing twice
    const again = await floe(
      'put',
      '-s',
      SCOPE,
      '-k',
      'snowflake-user',
      '-f',
      'snowflake_user.txt',
      '--as',
      ALICE,
      '--json',
    )
    expect(again.code).toBe(0)
    const json = parseJson<{ result: { created: boolean; declaredIn?: string } }>(again.stdout)
    expect(json.result.created).toBe(false)
    expect(json.result.declaredIn).toBeUndefined()
  })

  it('get works right after put (the secret is declared)', async () => {
    const got = await floe('get', 'snowflake-password', '--json')
    expect(got.stderr).toBe('')
    expect(got.code).toBe(0)
    expect(got.stdout).not.toContain(password)
    const revealed = await floe('get', 'snowflake-user', '--reveal')
    expect(revealed.code).toBe(0)
    expect(revealed.stdout.trim()).toBe(user)
  })

  it('assign-role → access grant; the workspace then reads through inject, others are refused', async () => {
    const grant = await floe(
      'access',
      'grant',
      '--principal',
      'workspace:prod',
      '--role',
      'reader',
      '-s',
      SCOPE,
      '--as',
      ALICE,
    )
    expect(grant.code).toBe(0)
    const inject = await floe(
      'inject',
      '-i',
      'connection.template',
      '-o',
      'connection.out',
      '--as',
      'workspace:prod',
    )
    expect(inject.stderr).toBe('')
    expect(inject.code).toBe(0)
    expect(readFileSync(join(project.dir, 'connection.out'), 'utf8')).toBe(
      `user=${user}\npassword=${password}\n`,
    )
    const other = await floe(
      'inject',
      '-i',
      'connection.template',
      '-o',
      'x.out',
      '--as',
      'workspace:dev',
    )
    expect(other.code).toBe(4)
    expect(existsSync(join(project.dir, 'x.out'))).toBe(false)
  })

  it('scopes list: the table and --json show the secrets and grants', async () => {
    const table = await floe('scopes', 'list')
    expect(table.code).toBe(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^SCOPE\s+PROVIDER\s+SECRETS\s+GRANTS$/)
    expect(lines[1]).toMatch(
      new RegExp(
        `^${SCOPE}\\s+vault\\s+snowflake-password, snowflake-user\\s+${ALICE} \\(manager\\), workspace:prod \\(reader\\)$`,
      ),
    )
    const json = parseJson<{ result: { scopes: unknown[] } }>(
      (await floe('scopes', 'list', '--json')).stdout,
    )
    expect(json.result.scopes).toEqual([
      {
        scope: SCOPE,
        provider: 'vault',
        secrets: ['snowflake-password', 'snowflake-user'],
        grants: [
          { principal: ALICE, role: 'manager' },
          { principal: 'workspace:prod', role: 'reader' },
        ],
      },
    ])
  })

  it('access revoke: only a manager may; afterwards the workspace is refused', async () => {
    const args = [
      'access',
      'revoke',
      '--principal',
      'workspace:prod',
      '--role',
      'reader',
      '-s',
      SCOPE,
    ]
    const notManager = await floe(...args, '--as', 'workspace:prod')
    expect(notManager.code).toBe(4)
    const revoked = await floe(...args, '--as', ALICE)
    expect(revoked.stderr).toBe('')
    expect(revoked.code).toBe(0)
    expect(manifestText()).not.toContain('workspace:prod')
    const again = await floe(...args, '--as', ALICE)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('does not hold reader')
    const refused = await floe(
      'inject',
      '-i',
      'connection.template',
      '-o',
      'y.out',
      '--as',
      'workspace:prod',
    )
    expect(refused.code).toBe(4)
  })

  it('delete secret: needs --yes off a terminal, honours --expected-version, then --undeclare', async () => {
    const unconfirmed = await floe('delete', 'snowflake-user', '--as', ALICE)
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('--yes')
    const stale = await floe(
      'delete',
      'snowflake-user',
      '--yes',
      '--expected-version',
      '99',
      '--as',
      ALICE,
    )
    expect(stale.code).not.toBe(0)
    expect(stale.stderr).toMatch(/at version \d+, not 99: nothing deleted/)
    expect(vault.readKv(`secret/data/scopes/${SCOPE}/snowflake-user`)).toEqual({ value: user })
    const deleted = await floe(
      'delete',
      'snowflake-user',
      '--yes',
      '--undeclare',
      '--as',
      ALICE,
      '--json',
    )
    expect(deleted.code).toBe(0)
    const json = parseJson<{ result: { deleted: boolean; version?: string } }>(deleted.stdout)
    expect(json.result.deleted).toBe(true)
    expect(json.result.version).toMatch(/^\d+$/)
    expect(vault.readKv(`secret/data/scopes/${SCOPE}/snowflake-user`)).toBeUndefined()
    expect(manifestText()).not.toContain('snowflake-user')
    expect((await floe('get', 'snowflake-user')).code).toBe(2)
  })

  it('delete scope: refused while a secret uses it, then deleted with its grants', async () => {
    const busy = await floe('scopes', 'delete', '-s', SCOPE, '--yes', '--as', ALICE)
    expect(busy.code).toBe(2)
    expect(busy.stderr).toContain('still holds "snowflake-password"')
    expect(
      (await floe('delete', 'snowflake-password', '--yes', '--undeclare', '--as', ALICE)).code,
    ).toBe(0)
    const gone = await floe('scopes', 'delete', '-s', SCOPE, '--yes', '--as', ALICE)
    expect(gone.stderr).toBe('')
    expect(gone.code).toBe(0)
    const text = manifestText()
    expect(text).toContain('# team manifest: every change below is made by a floe command')
    expect(text).not.toContain(SCOPE)
    expect(text).not.toContain(ALICE)
    expect((await floe('scopes', 'list', '--json')).stdout).toContain('"scopes": []')
  })

  it('every change is in the audit log, names only', () => {
    const records = auditActions()
    const actions = records.map((r) => r.action)
    for (const action of ['put', 'access-grant', 'access-revoke', 'delete', 'scope-delete'])
      expect(actions).toContain(action)
    expect(records.filter((r) => r.action === 'delete').map((r) => r.secret)).toEqual([
      'snowflake-user',
      'snowflake-password',
    ])
    const text = readFileSync(join(project.dir, 'audit.jsonl'), 'utf8')
    expect(text).not.toContain(password)
    expect(text).not.toContain(user)
  })
})
