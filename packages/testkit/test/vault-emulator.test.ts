import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '../src/vault/index.js'

// Raw HTTP against the emulator: these tests pin Vault's wire shapes (status codes, error JSON)
// that clients such as node-vault, hvac and the vault CLI depend on.
let vault: VaultEmulator

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw Vault JSON; each test asserts its shape
type VaultJson = any

async function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; namespace?: string } = {},
): Promise<{ status: number; json: VaultJson }> {
  const headers: Record<string, string> = {}
  const token = options.token === undefined ? vault.rootToken : options.token
  if (token) headers['X-Vault-Token'] = token
  if (options.namespace) headers['X-Vault-Namespace'] = options.namespace
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${vault.url}/v1/${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined }
}

beforeAll(async () => {
  vault = await startVaultEmulator({
    policies: {
      'prod-read': [
        { path: 'secret/data/prod/*', capabilities: ['read'] },
        { path: 'secret/metadata/prod/*', capabilities: ['read', 'list'] },
      ],
      writer: 'path "secret/data/team/*" { capabilities = ["create", "update", "read"] }',
    },
    approles: { etl: { roleId: 'role-1', secretId: 'secret-1', policies: ['prod-read'] } },
    kubernetesRoles: { 'flink-reader': { jwt: 'jwt-abc', policies: ['prod-read'] } },
    awsRoles: { batch: { policies: ['prod-read'], serverId: 'vault.example.com' } },
    databaseRoles: { 'mongo-readonly': { defaultTtlSeconds: 60, maxTtlSeconds: 120 } },
  })
})
afterAll(() => vault.close())

describe('vault emulator: KV v2', () => {
  it('writes versions, reads latest and ?version=, reports metadata', async () => {
    const w1 = await call('POST', 'secret/data/app/db', { body: { data: { user: 'a' } } })
    expect(w1.status).toBe(200)
    expect(w1.json.data.version).toBe(1)
    await call('POST', 'secret/data/app/db', { body: { data: { user: 'b' } } })
    const latest = await call('GET', 'secret/data/app/db')
    expect(latest.json.data).toMatchObject({ data: { user: 'b' }, metadata: { version: 2 } })
    const old = await call('GET', 'secret/data/app/db?version=1')
    expect(old.json.data.data).toEqual({ user: 'a' })
    const meta = await call('GET', 'secret/metadata/app/db')
    expect(meta.json.data.current_version).toBe(2)
    expect(Object.keys(meta.json.data.versions)).toEqual(['1', '2'])
  })

  it('enforces check-and-set with Vault’s 400 message', async () => {
    await call('POST', 'secret/data/cas/x', { body: { data: { v: '1' }, options: { cas: 0 } } })
    const conflict = await call('POST', 'secret/data/cas/x', {
      body: { data: { v: '2' }, options: { cas: 0 } },
    })
    expect(conflict.status).toBe(400)
    expect(conflict.json).toEqual({
      errors: ['check-and-set parameter did not match the current version'],
    })
    const ok = await call('POST', 'secret/data/cas/x', {
      body: { data: { v: '2' }, options: { cas: 1 } },
    })
    expect(ok.json.data.version).toBe(2)
  })

  it('lists with GET ?list=1 and LIST, soft-deletes and undeletes', async () => {
    vault.writeKv('secret/list/a', { k: '1' })
    vault.writeKv('secret/data/list/sub/b', { k: '2' })
    const listed = await call('GET', 'secret/metadata/list?list=1')
    expect(listed.json.data.keys).toEqual(['a', 'sub/'])
    expect((await call('GET', 'secret/metadata/nothing-here?list=true')).json).toEqual({
      errors: [],
    })
    expect((await call('DELETE', 'secret/data/list/a')).status).toBe(204)
    expect((await call('GET', 'secret/data/list/a')).status).toBe(404)
    await call('POST', 'secret/undelete/list/a', { body: { versions: [1] } })
    expect((await call('GET', 'secret/data/list/a')).json.data.data).toEqual({ k: '1' })
    await call('POST', 'secret/destroy/list/a', { body: { versions: [1] } })
    expect((await call('GET', 'secret/data/list/a')).status).toBe(404)
  })

  it('answers 404 {"errors":[]} for a missing secret and 400 for malformed JSON', async () => {
    const missing = await call('GET', 'secret/data/absent')
    expect(missing).toEqual({ status: 404, json: { errors: [] } })
    const res = await fetch(`${vault.url}/v1/secret/data/x`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.rootToken, 'content-type': 'application/json' },
      body: '{not json',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { errors: string[] }).errors[0]).toMatch(/failed to parse JSON/)
    expect((await call('POST', 'secret/data/x', { body: { nodata: true } })).json).toEqual({
      errors: ['no data provided'],
    })
  })
})

describe('vault emulator: KV v1, custom mounts and namespaces', () => {
  it('serves KV v1 at its mount and custom kv2 mounts', async () => {
    expect((await call('POST', 'kv/team/app', { body: { password: 'p' } })).status).toBe(204)
    const read = await call('GET', 'kv/team/app')
    expect(read.json.data).toEqual({ password: 'p' })
    vault.mount('floe', { type: 'kv', version: 2 })
    vault.writeKv('floe/prod/snowflake', { user: 'dbt' })
    expect((await call('GET', 'floe/data/prod/snowflake')).json.data.data).toEqual({ user: 'dbt' })
    expect((await call('GET', 'nomount/x')).status).toBe(404)
  })

  it('keeps a separate store per X-Vault-Namespace', async () => {
    vault.writeKv('secret/ns/thing', { where: 'credit-card' }, { namespace: 'credit-card' })
    const inNs = await call('GET', 'secret/data/ns/thing', { namespace: 'credit-card' })
    expect(inNs.json.data.data).toEqual({ where: 'credit-card' })
    expect((await call('GET', 'secret/data/ns/thing')).status).toBe(404)
  })
})

describe('vault emulator: auth and policies', () => {
  it('rejects a missing or unknown token with 403 permission denied', async () => {
    expect(await call('GET', 'secret/data/app/db', { token: null })).toEqual({
      status: 403,
      json: { errors: ['permission denied'] },
    })
    expect((await call('GET', 'secret/data/app/db', { token: 'nope' })).status).toBe(403)
  })

  it('approle login issues a token limited by its policies', async () => {
    vault.writeKv('secret/prod/kafka', { username: 'u', password: 'p' })
    vault.writeKv('secret/staging/kafka', { username: 'u' })
    const bad = await call('POST', 'auth/approle/login', {
      token: null,
      body: { role_id: 'role-1', secret_id: 'wrong' },
    })
    expect(bad).toEqual({ status: 400, json: { errors: ['invalid role or secret ID'] } })
    const login = await call('POST', 'auth/approle/login', {
      token: null,
      body: { role_id: 'role-1', secret_id: 'secret-1' },
    })
    const token = login.json.auth.client_token as string
    expect(login.json.auth.policies).toEqual(['default', 'prod-read'])
    expect((await call('GET', 'secret/data/prod/kafka', { token })).status).toBe(200)
    const denied = await call('GET', 'secret/data/staging/kafka', { token })
    expect(denied).toEqual({
      status: 403,
      json: { errors: ['1 error occurred:\n\t* permission denied\n\n'] },
    })
    // denied even when the path does not exist: no existence oracle through 403/404
    expect((await call('GET', 'secret/data/staging/absent', { token })).status).toBe(403)
    expect((await call('GET', 'secret/data/prod/absent', { token })).status).toBe(404)
    expect(
      (await call('POST', 'secret/data/prod/kafka', { token, body: { data: {} } })).status,
    ).toBe(403)
  })

  it('kubernetes login validates the JWT configured for the role', async () => {
    const wrong = await call('POST', 'auth/kubernetes/login', {
      token: null,
      body: { role: 'flink-reader', jwt: 'other' },
    })
    expect(wrong.status).toBe(403)
    const unknownRole = await call('POST', 'auth/kubernetes/login', {
      token: null,
      body: { role: 'nope', jwt: 'jwt-abc' },
    })
    expect(unknownRole.status).toBe(400)
    const ok = await call('POST', 'auth/kubernetes/login', {
      token: null,
      body: { role: 'flink-reader', jwt: 'jwt-abc' },
    })
    expect(ok.json.auth.client_token).toMatch(/^hvs\./)
  })

  it('aws login checks the signed GetCallerIdentity request shape', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const good = {
      role: 'batch',
      iam_http_request_method: 'POST',
      iam_request_url: b64('https://sts.amazonaws.com/'),
      iam_request_body: b64('Action=GetCallerIdentity&Version=2011-06-15'),
      iam_request_headers: b64(
        JSON.stringify({
          Authorization: ['AWS4-HMAC-SHA256 Credential=AKIA1/20260101/us-east-1/sts/aws4_request'],
          'X-Vault-AWS-IAM-Server-ID': ['vault.example.com'],
        }),
      ),
    }
    expect((await call('POST', 'auth/aws/login', { token: null, body: good })).status).toBe(200)
    const noServerId = {
      ...good,
      iam_request_headers: b64(JSON.stringify({ Authorization: ['AWS4-HMAC-SHA256 x'] })),
    }
    expect((await call('POST', 'auth/aws/login', { token: null, body: noServerId })).status).toBe(
      400,
    )
  })

  it('tokens expire, renew-self extends up to max TTL, lookup-self reports TTL', async () => {
    const token = vault.createToken({
      policies: ['prod-read'],
      ttlSeconds: 100,
      maxTtlSeconds: 150,
    })
    const lookup = await call('GET', 'auth/token/lookup-self', { token })
    expect(lookup.json.data).toMatchObject({ renewable: true, policies: ['prod-read'] })
    expect(lookup.json.data.ttl).toBeGreaterThan(90)
    const renewed = await call('POST', 'auth/token/renew-self', {
      token,
      body: { increment: '1h' },
    })
    expect(renewed.json.auth.lease_duration).toBeLessThanOrEqual(150)
    expect(renewed.json.warnings).toHaveLength(1)
    vault.expireToken(token)
    expect((await call('GET', 'auth/token/lookup-self', { token })).status).toBe(403)
    const fixed = vault.createToken({ renewable: false, ttlSeconds: 10 })
    expect((await call('POST', 'auth/token/renew-self', { token: fixed, body: {} })).json).toEqual({
      errors: ['lease is not renewable'],
    })
  })
})

describe('vault emulator: dynamic database credentials', () => {
  it('issues unique credentials with leases, renews capped at max TTL, revokes', async () => {
    const a = await call('GET', 'database/creds/mongo-readonly')
    const b = await call('GET', 'database/creds/mongo-readonly')
    expect(a.json.lease_id).toMatch(/^database\/creds\/mongo-readonly\//)
    expect(a.json).toMatchObject({ renewable: true, lease_duration: 60 })
    expect(a.json.data.username).not.toBe(b.json.data.username)
    expect(a.json.data.password).not.toBe(b.json.data.password)

    const renew = await call('PUT', 'sys/leases/renew', {
      body: { lease_id: a.json.lease_id, increment: 3600 },
    })
    expect(renew.json.lease_duration).toBeLessThanOrEqual(120)
    expect(renew.json.lease_duration).toBeGreaterThan(60)
    expect(renew.json.warnings[0]).toMatch(/max_ttl/)

    expect(vault.credentialValid(a.json.data.username)).toBe(true)
    expect(
      (await call('PUT', 'sys/leases/revoke', { body: { lease_id: a.json.lease_id } })).status,
    ).toBe(204)
    expect(vault.credentialValid(a.json.data.username)).toBe(false)
    const again = await call('PUT', 'sys/leases/renew', { body: { lease_id: a.json.lease_id } })
    expect(again).toEqual({ status: 400, json: { errors: ['lease not found'] } })
    expect((await call('GET', 'database/creds/unknown')).status).toBe(400)
  })
})

describe('vault emulator: faults and accounting', () => {
  it('injects sealed (503) and throttle (429 + Retry-After) through the fault plan', async () => {
    vault.writeKv('secret/f/x', { a: '1' })
    vault.faults.add({ operation: 'kv.read', kind: 'error', times: 1 })
    vault.faults.add({ operation: 'kv.read', kind: 'throttle', times: 1, retryAfterSeconds: 2 })
    const sealed = await call('GET', 'secret/data/f/x')
    expect(sealed).toEqual({ status: 503, json: { errors: ['Vault is sealed'] } })
    const res = await fetch(`${vault.url}/v1/secret/data/f/x`, {
      headers: { 'X-Vault-Token': vault.rootToken },
    })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('2')
    expect((await call('GET', 'secret/data/f/x')).status).toBe(200)
    expect(vault.calls.count('kv.read')).toBeGreaterThanOrEqual(3)
  })
})

describe('vault emulator: CLI preflight', () => {
  it('answers sys/internal/ui/mounts with the mount and KV version', async () => {
    const kv2 = await call('GET', 'sys/internal/ui/mounts/secret/production/kafka')
    expect(kv2.json.data).toMatchObject({ path: 'secret/', type: 'kv', options: { version: '2' } })
    const kv1 = await call('GET', 'sys/internal/ui/mounts/kv/team')
    expect(kv1.json.data.options).toEqual({ version: '1' })
  })
})
