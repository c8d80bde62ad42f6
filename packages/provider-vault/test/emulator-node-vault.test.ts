import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '@floe/testkit'
import { createNodeVaultClient, type NodeVaultClient } from '../src/client.js'

/**
 * The testkit Vault emulator driven by node-vault's own methods (not floe's wrapper), so the
 * emulator is proven against the client real users run. (node-vault is a dependency of this
 * package, not of @floe/testkit.)
 */
let vault: VaultEmulator
let client: NodeVaultClient

const withToken = (token: string) => ({ headers: { 'X-Vault-Token': token } })

beforeAll(async () => {
  vault = await startVaultEmulator({
    approles: { etl: { roleId: 'r', secretId: 's', policies: ['p'], tokenTtlSeconds: 60 } },
    kubernetesRoles: { reader: { jwt: 'jwt', policies: ['p'] } },
    databaseRoles: { ro: { defaultTtlSeconds: 30, maxTtlSeconds: 90 } },
    policies: { p: 'path "secret/data/app/*" { capabilities = ["read"] }' },
  })
  client = await createNodeVaultClient({ address: vault.url })
  client.token = vault.rootToken
})
afterAll(() => vault.close())

describe('Vault emulator through node-vault', () => {
  it('write / read / list / delete on KV v2 and KV v1', async () => {
    const written = await client.write('secret/data/app/db', { data: { user: 'u' } })
    expect(written.data.version).toBe(1)
    expect((await client.read('secret/data/app/db')).data.data).toEqual({ user: 'u' })
    expect((await client.list('secret/metadata/app')).data.keys).toEqual(['db'])
    await client.delete('secret/metadata/app/db')
    await expect(client.read('secret/data/app/db')).rejects.toMatchObject({
      response: { statusCode: 404, body: { errors: [] } },
    })
    await client.write('kv/team', { password: 'p' })
    expect((await client.read('kv/team')).data).toEqual({ password: 'p' })
  })

  it('CAS mismatch surfaces as ApiResponseError 400 with Vault’s message', async () => {
    await client.write('secret/data/app/cas', { data: { v: 1 }, options: { cas: 0 } })
    const error = await client
      .write('secret/data/app/cas', { data: { v: 2 }, options: { cas: 0 } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      message: 'check-and-set parameter did not match the current version',
      response: { statusCode: 400 },
    })
  })

  it('approleLogin / kubernetesLogin replace client.token; tokens obey their policies', async () => {
    const other = await createNodeVaultClient({ address: vault.url })
    const login = await other.approleLogin({ role_id: 'r', secret_id: 's' })
    expect(other.token).toBe(login.auth.client_token)
    vault.writeKv('secret/app/x', { a: '1' })
    vault.writeKv('secret/other/x', { a: '1' })
    expect((await other.read('secret/data/app/x')).data.data).toEqual({ a: '1' })
    await expect(other.read('secret/data/other/x')).rejects.toMatchObject({
      response: { statusCode: 403 },
    })
    const k8s = await other.kubernetesLogin({
      role: 'reader',
      jwt: 'jwt',
      mount_point: 'kubernetes',
    })
    expect(k8s.auth.policies).toEqual(['default', 'p'])
    const lookup = await other.tokenLookupSelf()
    expect(lookup.data.ttl).toBeGreaterThan(0)
    const renewed = await other.tokenRenewSelf({ increment: 120 })
    expect(renewed.auth.lease_duration).toBe(120)
  })

  it('dynamic credentials with renew / revoke, and sys/health', async () => {
    const creds = await client.read('database/creds/ro')
    expect(creds.lease_duration).toBe(30)
    const renewed = await client.renew({ lease_id: creds.lease_id, increment: 60 })
    expect(renewed.lease_duration).toBe(60)
    await client.revoke({ lease_id: creds.lease_id })
    expect(vault.credentialValid(creds.data.username)).toBe(false)
    expect(await client.health()).toMatchObject({ initialized: true, sealed: false })
    vault.faults.add({ operation: 'sys.health', kind: 'error', times: 1 })
    // node-vault hands back the sys/health body whatever the status
    expect(await client.health()).toEqual({ errors: ['Vault is sealed'] })
  })

  it('a missing token is 403 permission denied', async () => {
    const anonymous = await createNodeVaultClient({ address: vault.url })
    await expect(anonymous.read('secret/data/app/x', withToken(''))).rejects.toMatchObject({
      message: 'permission denied',
      response: { statusCode: 403 },
    })
  })
})
