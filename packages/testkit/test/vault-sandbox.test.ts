import { describe, expect, it } from 'vitest'
import { vault } from '../src/sandbox/services/vault.js'

describe('floe-sandbox vault service', () => {
  it('starts from a seed section and prints VAULT_ADDR / VAULT_TOKEN', async () => {
    const running = await vault.start(
      {
        root_token: 'dev-root',
        kv: { 'secret/production/kafka': { username: 'u', password: 'p' } },
        namespaces: { 'credit-card': { kv: { 'secret/production/kafka': { username: 'ns' } } } },
        policies: { floe: 'path "secret/data/production/*" { capabilities = ["read"] }' },
        approles: { etl: { role_id: 'r', secret_id: 's', policies: ['floe'], token_ttl: '1h' } },
        database: { 'mongo-readonly': { default_ttl: '1h', max_ttl: '24h' } },
      },
      0,
    )
    try {
      expect(running.env).toEqual({ VAULT_ADDR: running.url, VAULT_TOKEN: 'dev-root' })
      const read = await fetch(`${running.url}/v1/secret/data/production/kafka`, {
        headers: { 'X-Vault-Token': 'dev-root', 'X-Vault-Namespace': 'credit-card' },
      })
      expect(((await read.json()) as { data: { data: unknown } }).data.data).toEqual({
        username: 'ns',
      })
      const login = await fetch(`${running.url}/v1/auth/approle/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role_id: 'r', secret_id: 's' }),
      })
      const auth = (
        (await login.json()) as { auth: { client_token: string; lease_duration: number } }
      ).auth
      expect(auth.lease_duration).toBe(3600)
      const creds = await fetch(`${running.url}/v1/database/creds/mongo-readonly`, {
        headers: { 'X-Vault-Token': 'dev-root' },
      })
      expect(((await creds.json()) as { lease_duration: number }).lease_duration).toBe(3600)
      expect(running.notes.join('\n')).toContain('vault kv get')
    } finally {
      await running.close()
    }
  })

  it('rejects a malformed seed with the offending key', async () => {
    await expect(vault.start({ mounts: { secret: 'kv9' } }, 0)).rejects.toThrow(
      /vault.mounts\["secret"\]/,
    )
    await expect(vault.start({ approles: { etl: { secret_id: 's' } } }, 0)).rejects.toThrow(
      /role_id/,
    )
  })
})
