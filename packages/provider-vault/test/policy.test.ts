import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createProviderRegistry, loadManifestFromString } from '@floe/core'
import { capabilitiesFor, parseVaultPolicyHcl } from '@floe/testkit'
import * as entry from '../src/index.js'
import { silentLogger } from './helpers.js'

const MANIFEST = `
secrets:
  kafka:
    provider: vault
    path: secret/data/production/kafka
  ns_kafka:
    provider: vault
    path: secret/data/production/kafka
    vault: { namespace: credit-card }
  legacy:
    provider: vault
    path: kv/team/app
    kv_version: 1
  custom:
    provider: vault
    mount: team/secrets
    path: apps/api
  mongo:
    provider: vault
    path: database/creds/mongo-readonly
    type: dynamic
`

/**
 * The loader rejects a vault secret without `path:`; the emitter still guards against
 * definitions built in code, so one is added after loading.
 */
async function manifest() {
  const catalog = createProviderRegistry({ modules: [entry.provider] })
  const loaded = await loadManifestFromString(MANIFEST, { env: {}, catalog })
  loaded.secrets.no_path = { ...loaded.secrets.kafka!, name: 'no_path', fields: {} }
  return loaded
}

describe('vault-policy emitter', () => {
  it('is declared in package.json and exported as `emitter`', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      floe: Record<string, unknown>
    }
    expect(pkg.floe).toMatchObject({
      provider: 'vault',
      emitter: 'vault-policy',
      entry: './dist/index.cjs',
    })
    expect(entry.emitter.name).toBe('vault-policy')
    expect(entry.emitter.packageName).toBe('@floe/provider-vault')
  })

  it('grants exact read paths per secret, one file per namespace, and warns about gaps', async () => {
    const result = await entry.emitter.emit({
      manifest: await manifest(),
      logger: silentLogger,
      options: {},
    })
    expect(result.files.map((f) => f.path)).toEqual([
      'vault-policy.hcl',
      'vault-policy.credit-card.hcl',
    ])
    expect(result.files.every((f) => !f.containsValues)).toBe(true)
    expect(result.warnings).toEqual([
      'secret "no_path" has no Vault path; no policy emitted for it',
    ])
    const root = parseVaultPolicyHcl(result.files[0]!.content)
    const can = (path: string) => [...capabilitiesFor(root, path)].sort()
    expect(can('secret/data/production/kafka')).toEqual(['read'])
    expect(can('secret/metadata/production/kafka')).toEqual(['read'])
    expect(can('secret/data/production/other')).toEqual([])
    expect(can('kv/team/app')).toEqual(['read'])
    expect(can('kv/team/')).toEqual(['list'])
    expect(can('team/secrets/data/apps/api')).toEqual(['read'])
    expect(can('database/creds/mongo-readonly')).toEqual(['read'])
    expect(can('database/roles/mongo-readonly')).toEqual(['read'])
    expect(can('sys/leases/renew')).toEqual(['update'])
    expect(can('sys/leases/revoke')).toEqual(['update'])
    expect(root.every((r) => !/[*+]/.test(r.path))).toBe(true)
    const ns = parseVaultPolicyHcl(result.files[1]!.content)
    expect(ns.map((r) => r.path).sort()).toEqual([
      'secret/data/production/kafka',
      'secret/metadata/production/kafka',
    ])
  })

  it('adds write and list capabilities only when asked', async () => {
    const m = await manifest()
    const plain = parseVaultPolicyHcl(entry.emitVaultPolicy(m))
    expect([...capabilitiesFor(plain, 'secret/data/production/kafka')]).toEqual(['read'])
    const writable = parseVaultPolicyHcl(entry.emitVaultPolicy(m, { write: true, list: true }))
    expect([...capabilitiesFor(writable, 'secret/data/production/kafka')].sort()).toEqual([
      'create',
      'read',
      'update',
    ])
    expect([...capabilitiesFor(writable, 'secret/metadata/production/')]).toEqual(['list'])
    expect([...capabilitiesFor(writable, 'database/creds/mongo-readonly')]).toEqual(['read'])
  })
})
