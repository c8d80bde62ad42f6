import { describe, expect, it } from 'vitest'
import {
  capabilitiesFor,
  evaluateVaultPolicy,
  parseVaultPolicyHcl,
  requiredCapability,
} from '../src/vault/index.js'

describe('vault policy evaluator', () => {
  const rules = parseVaultPolicyHcl(`
    # read production kafka only
    path "secret/data/production/kafka" {
      capabilities = ["read"]
    }
    path "secret/data/production/*" { capabilities = ["list"] }
    path "secret/metadata/+/kafka" { capabilities = ["read"] }
    path "secret/data/production/forbidden" { capabilities = ["deny"] }
    path "database/creds/mongo-readonly" { capabilities = ["read"] } // dynamic
  `)

  it('parses HCL rules', () => {
    expect(rules).toHaveLength(5)
    expect(rules[0]).toEqual({ path: 'secret/data/production/kafka', capabilities: ['read'] })
  })

  it('prefers the most specific rule and honours deny', () => {
    expect(evaluateVaultPolicy(rules, 'secret/data/production/kafka', 'read')).toBe(true)
    expect(evaluateVaultPolicy(rules, 'secret/data/production/other', 'read')).toBe(false)
    expect(evaluateVaultPolicy(rules, 'secret/data/production/other', 'list')).toBe(true)
    expect([...capabilitiesFor(rules, 'secret/data/production/forbidden')]).toEqual([])
    expect(evaluateVaultPolicy(rules, 'secret/metadata/staging/kafka', 'read')).toBe(true)
    expect(evaluateVaultPolicy(rules, 'secret/metadata/staging/deep/kafka', 'read')).toBe(false)
    expect(evaluateVaultPolicy(rules, 'database/creds/mongo-readonly', 'read')).toBe(true)
    expect(evaluateVaultPolicy(rules, 'database/creds/mongo-admin', 'read')).toBe(false)
  })

  it('merges rules with the same path across policies', () => {
    const merged = [
      { path: 'a/b', capabilities: ['read' as const] },
      { path: 'a/b', capabilities: ['update' as const] },
    ]
    expect([...capabilitiesFor(merged, 'a/b')].sort()).toEqual(['read', 'update'])
  })

  it('rejects malformed policies instead of ignoring them', () => {
    expect(() => parseVaultPolicyHcl('path "x" { capabilities = ["reed"] }')).toThrow(
      /unknown capability/,
    )
    expect(() => parseVaultPolicyHcl('path "x" { policy = "read" }')).toThrow(/no capabilities/)
    expect(() => parseVaultPolicyHcl('garbage')).toThrow(/unparsed/)
  })

  it('maps HTTP methods to capabilities', () => {
    expect(requiredCapability('GET')).toBe('read')
    expect(requiredCapability('GET', { list: true })).toBe('list')
    expect(requiredCapability('POST', { exists: false })).toBe('create')
    expect(requiredCapability('PUT', { exists: true })).toBe('update')
    expect(requiredCapability('DELETE')).toBe('delete')
  })
})
