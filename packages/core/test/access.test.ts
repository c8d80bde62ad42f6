import { describe, expect, it } from 'vitest'
import {
  ACTIONS,
  accessFindings,
  assertCanRead,
  buildAccessModel,
  checkScopeAccess,
  checkSecretAccess,
  declaredWorkloads,
  createProviderRegistry,
  definitionForScopeKey,
  loadManifestFromString,
  scopeKeyFields,
  parsePrincipal,
  type Action,
  type Role,
} from '@floe/core'
import { firstPartyInstalled } from './first-party-packages.js'

const snowflake = `
environment: prod
secrets:
  snowflake-user:
    provider: vault
    path: secret/data/scopes/snowflake/user
    scope: snowflake-scope
  snowflake-password:
    provider: vault
    path: secret/data/scopes/snowflake/password
  billing-token:
    provider: vault
    path: secret/data/scopes/billing/token
scopes:
  snowflake-scope:
    description: Snowflake credentials
    secrets: [snowflake-password]
    provider: vault
    location:
      vault: secret/data/scopes/snowflake
      kubernetes: { namespace: floe-jobs }
  billing-scope:
    pattern: billing-*
access:
  - { principal: 'user:manager@example.com', role: manager, scope: snowflake-scope }
  - { principal: 'user:writer@example.com', role: writer, scope: snowflake-scope }
  - { principal: 'user:reader@example.com', role: reader, scope: snowflake-scope }
  - { principal: 'workspace:prod', role: reader, scope: snowflake-scope }
`

const load = (text: string) => loadManifestFromString(text, { file: 'floe.yaml', env: {} })

/** Seed 003's table, row by row: which role may do what ("Everyone" only creates scopes). */
const seedTable: Record<Action, Record<Role | 'everyone', boolean>> = {
  create_scope: { manager: true, writer: true, reader: true, everyone: true },
  manage_grants: { manager: true, writer: false, reader: false, everyone: false },
  delete_scope: { manager: true, writer: false, reader: false, everyone: false },
  write: { manager: true, writer: true, reader: false, everyone: false },
  list: { manager: true, writer: true, reader: false, everyone: false },
  read: { manager: true, writer: true, reader: true, everyone: false },
}

describe('seed 003 scope/role table', () => {
  const principals: Record<Role | 'everyone', string> = {
    manager: 'user:manager@example.com',
    writer: 'user:writer@example.com',
    reader: 'user:reader@example.com',
    everyone: 'user:nobody@example.com',
  }
  for (const action of ACTIONS) {
    for (const [role, principal] of Object.entries(principals) as [Role | 'everyone', string][]) {
      it(`${role} ${seedTable[action][role] ? 'may' : 'may not'} ${action}`, async () => {
        const model = await buildAccessModel(await load(snowflake))
        const decision = checkScopeAccess(model, principal, action, 'snowflake-scope')
        expect(decision.allowed).toBe(seedTable[action][role])
        if (decision.allowed && action !== 'create_scope')
          expect(decision.grant?.principal.text).toBe(principal)
      })
    }
  }
})

describe('access model', () => {
  it('collects scope members from secrets:, pattern and scope: fields', async () => {
    const model = await buildAccessModel(await load(snowflake))
    expect(model.scopes.get('snowflake-scope')?.secrets).toEqual([
      'snowflake-password',
      'snowflake-user',
    ])
    expect(model.scopes.get('billing-scope')?.secrets).toEqual(['billing-token'])
    expect(model.scopesOf('billing-token').map((s) => s.name)).toEqual(['billing-scope'])
  })

  it('explains a decision with the grant and refuses secrets outside granted scopes', async () => {
    const model = await buildAccessModel(await load(snowflake))
    const ok = checkSecretAccess(model, 'workspace:prod', 'read', 'snowflake-user')
    expect(ok.allowed).toBe(true)
    expect(ok.reason).toBe('reader on snowflake-scope (access[3])')
    const denied = checkSecretAccess(model, 'workspace:prod', 'read', 'billing-token')
    expect(denied.allowed).toBe(false)
    expect(denied.reason).toMatch(/workspace:prod has no role on billing-scope/)
    expect(() => assertCanRead(model, 'workspace:dev', ['snowflake-user'])).toThrow(
      /workspace:dev may not read "snowflake-user"/,
    )
    try {
      assertCanRead(model, 'workspace:dev', ['snowflake-user'])
    } catch (error) {
      expect((error as { code: string; exitCode: number }).code).toBe('FORBIDDEN')
      expect((error as { exitCode: number }).exitCode).toBe(4)
    }
  })

  it.each([
    ['user:', /invalid user principal/],
    ['robot:x', /expected one of user:/],
    ['serviceaccount:NoSlash', /invalid serviceaccount principal/],
    ['role:arn:aws:iam::12:role/x', /invalid role principal/],
    ['azure:not-a-guid', /invalid azure principal/],
  ])('rejects principal %s', (text, message) => {
    expect(() => parsePrincipal(text)).toThrow(message)
  })

  it('reports bad scopes and grants with their lines', async () => {
    const text = `secrets:
  a:
    provider: vault
    path: secret/data/a
    scope: nope
scopes:
  s:
    secrets: [missing]
  t:
    location: { vault: 1 }
access:
  - { principal: 'robot:x', role: reader, scope: s }
  - { principal: 'user:x', role: owner, scope: s }
  - { principal: 'user:x', role: reader, scope: ghost }
`
    const manifest = await load(text)
    let message = ''
    try {
      await buildAccessModel(manifest)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/floe\.yaml:8:\d+: scopes\.s\.secrets\[0\]: "missing" is not declared/)
    expect(message).toMatch(/floe\.yaml:10:\d+: scopes\.t\.location\.vault/)
    expect(message).toMatch(/floe\.yaml:5:\d+: secrets\.a\.scope: scope "nope" is not declared/)
    expect(message).toMatch(
      /floe\.yaml:12:\d+: access\[0\]\.principal: invalid principal "robot:x"/,
    )
    expect(message).toMatch(/floe\.yaml:13:\d+: access\.1\.role/)
    expect(message).toMatch(/floe\.yaml:14:\d+: access\[2\]\.scope: scope "ghost" is not declared/)
  })
})

describe('workloads and validate findings', () => {
  const withWorkloads = `${snowflake}
kubernetes:
  namespace: floe-jobs
  workloads:
    - { kind: Deployment, name: dagster-daemon, service_account: runner, secrets: [snowflake-user, billing-token] }
dbt:
  principal: workspace:prod
  profiles:
    floe:
      target: prod
      outputs:
        prod: { type: snowflake, user: secret://snowflake-user, password: secret://snowflake-password }
`
  it('names each workload and the principal it runs as', async () => {
    const workloads = declaredWorkloads(await load(withWorkloads))
    expect(workloads).toEqual([
      expect.objectContaining({
        label: 'kubernetes Deployment dagster-daemon',
        principal: 'serviceaccount:floe-jobs/runner',
        secrets: ['billing-token', 'snowflake-user'],
      }),
      expect.objectContaining({
        label: 'dbt profile floe',
        principal: 'workspace:prod',
        secrets: ['snowflake-password', 'snowflake-user'],
      }),
    ])
  })

  it('errors when a workload uses a secret its principal cannot read', async () => {
    const manifest = await load(withWorkloads)
    const findings = accessFindings(manifest, await buildAccessModel(manifest))
    const errors = findings.filter((f) => f.severity === 'error')
    expect(errors.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /dagster-daemon runs as serviceaccount:floe-jobs\/runner but uses "billing-token"/,
      ),
      expect.stringMatching(
        /dagster-daemon runs as serviceaccount:floe-jobs\/runner but uses "snowflake-user"/,
      ),
    ])
    expect(errors[0]?.location?.line).toBe(
      withWorkloads.split('\n').findIndex((l) => l.includes('dagster-daemon')) + 1,
    )
  })

  it('warns on grants broader than the workloads use and on scopes spanning environments', async () => {
    const text = `secrets:
  db-prod: { provider: vault, path: secret/data/prod/db }
  db-staging: { provider: vault, path: secret/data/staging/db }
scopes:
  db: { secrets: [db-prod, db-staging] }
access:
  - { principal: 'workspace:prod', role: writer, scope: db }
duckdb:
  principal: workspace:prod
  secrets:
    - { type: http, name: api, bearer_token: secret://db-prod }
`
    const manifest = await load(text)
    const codes = accessFindings(manifest, await buildAccessModel(manifest)).map(
      (f) => `${f.severity}:${f.code}`,
    )
    expect(codes.sort()).toEqual([
      'warning:access-broad-grant',
      'warning:access-scope-spans-environments',
      'warning:access-write-role-for-workload',
    ])
  })
})

describe('put target for a scope key', () => {
  // The first-party providers as installed: their package.json says how they name scope keys.
  const catalog = createProviderRegistry({ packages: firstPartyInstalled() })

  it('uses the declared secret, or the scope location with borrowed connection fields', async () => {
    const manifest = await load(
      snowflake.replace(
        'path: secret/data/scopes/snowflake/user',
        'path: secret/data/scopes/snowflake/user\n    vault: { address: "http://127.0.0.1:8200" }',
      ),
    )
    const scope = (await buildAccessModel(manifest)).scopes.get('snowflake-scope')!
    expect(definitionForScopeKey(manifest, scope, 'snowflake-password', catalog).fields.path).toBe(
      'secret/data/scopes/snowflake/password',
    )
    const derived = definitionForScopeKey(manifest, scope, 'api-key', catalog)
    expect(derived).toMatchObject({ name: 'api-key', provider: 'vault', scope: 'snowflake-scope' })
    expect(derived.fields).toMatchObject({
      path: 'secret/data/scopes/snowflake/api-key',
      vault: { address: 'http://127.0.0.1:8200' },
    })
    const billing = (await buildAccessModel(manifest)).scopes.get('billing-scope')!
    expect(() => definitionForScopeKey(manifest, billing, 'x', catalog)).toThrow(
      /sets no provider for new keys/,
    )
  })

  it('names new keys the way each first-party provider describes in its package.json', () => {
    const location = {
      vault: 'secret/data/scopes/app//',
      aws: { prefix: 'prod/app/' },
      gcp: { prefix: 'app-' },
      kubernetes: { namespace: 'jobs' },
    }
    const named = (provider: string, loc: object = location) =>
      scopeKeyFields(catalog.metadataOf(provider)!.scopeKey!, loc, 'db')
    expect(named('vault')).toEqual({ path: 'secret/data/scopes/app/db' })
    expect(named('aws_secrets_manager')).toEqual({ secret_id: 'prod/app/db' })
    expect(named('aws_parameter_store')).toEqual({ name: 'prod/app/db' })
    expect(named('aws_parameter_store', { aws: { prefix: '/prod/app' } })).toEqual({
      name: '/prod/app/db',
    })
    expect(named('gcp_secret_manager')).toEqual({ secret: 'app-db' })
    expect(named('gcp_secret_manager', {})).toEqual({ secret: 'db' })
    expect(named('azure_key_vault', {})).toEqual({ secret_name: 'db' })
    expect(named('kubernetes')).toEqual({ secret_name: 'db', namespace: 'jobs' })
    // A location without the part a provider needs names nothing.
    expect(named('vault', {})).toBeUndefined()
    expect(named('aws_secrets_manager', { gcp: { prefix: 'x' } })).toBeUndefined()
    expect(named('kubernetes', {})).toBeUndefined()
    expect(catalog.metadataOf('env')?.scopeKey).toBeUndefined()
  })

  it('a scope with no location takes keys at the default prefix its provider declares', async () => {
    const vault = catalog.metadataOf('vault')!.scopeKey!
    expect(scopeKeyFields(vault, {}, 'db', 'billing')).toEqual({
      path: 'secret/data/scopes/billing/db',
    })
    expect(
      scopeKeyFields(catalog.metadataOf('aws_secrets_manager')!.scopeKey!, {}, 'db', 'billing'),
    ).toEqual({ secret_id: 'billing/db' })
    // a location that sets the prefix still wins over the default
    expect(scopeKeyFields(vault, { vault: 'kv/data/team' }, 'db', 'billing')).toEqual({
      path: 'kv/data/team/db',
    })
    const manifest = await load(snowflake)
    const billing = (await buildAccessModel(manifest)).scopes.get('billing-scope')!
    expect(definitionForScopeKey(manifest, billing, 'x', catalog, 'vault')).toMatchObject({
      name: 'x',
      provider: 'vault',
      scope: 'billing-scope',
      fields: { path: 'secret/data/scopes/billing-scope/x' },
    })
    // a name declared outside the scope is not silently taken over
    expect(() =>
      definitionForScopeKey(manifest, billing, 'snowflake-user', catalog, 'vault'),
    ).toThrow(/already declared outside scope billing-scope/)
  })

  it('says so when the provider is not installed or cannot name scope keys', async () => {
    const manifest = await load(snowflake)
    const scope = (await buildAccessModel(manifest)).scopes.get('snowflake-scope')!
    expect(() =>
      definitionForScopeKey(manifest, scope, 'new-key', createProviderRegistry({})),
    ).toThrow(/provider "vault" is not installed/)
    const envOnly = createProviderRegistry({
      packages: firstPartyInstalled().map((p) => (p.name === 'vault' ? { ...p, metadata: {} } : p)),
    })
    expect(() => definitionForScopeKey(manifest, scope, 'new-key', envOnly)).toThrow(
      /provider vault cannot name new keys in a scope/,
    )
  })
})
