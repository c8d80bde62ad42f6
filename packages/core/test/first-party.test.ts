import { describe, expect, it } from 'vitest'
import {
  emitterPackageFor,
  firstPartyEmitters,
  firstPartyProviders,
  providerMetadataFrom,
  providerPackageFor,
} from '@floe/core'
import { firstPartyPackageJsons } from './first-party-packages.js'

// The one table core keeps (registry/first-party.ts) must say what the packages say.
describe('the first-party table mirrors every first-party package.json', () => {
  const packages = firstPartyPackageJsons()
  const providers = packages.filter((p) => p.floe?.provider)
  const emitters = packages.filter((p) => p.floe?.emitter)

  it('names the package and locator of every first-party provider', () => {
    expect(providers.map((p) => p.floe!.provider).sort()).toEqual(
      Object.keys(firstPartyProviders).sort(),
    )
    for (const pkg of providers) {
      const name = pkg.floe!.provider!
      const metadata = providerMetadataFrom(pkg.floe)
      expect(providerPackageFor(name), name).toBe(pkg.name)
      expect(metadata.locator, `${pkg.name} floe.locator`).toEqual(
        firstPartyProviders[name]!.locator,
      )
      expect(metadata.displayName, `${pkg.name} floe.displayName`).toBeTruthy()
    }
  })

  it('names the package that really declares each emitter', () => {
    expect(emitters.map((p) => p.floe!.emitter).sort()).toEqual(
      Object.keys(firstPartyEmitters).sort(),
    )
    for (const pkg of emitters) expect(emitterPackageFor(pkg.floe!.emitter!)).toBe(pkg.name)
    expect(emitterPackageFor('vault-policy')).toBe('@floe/provider-vault')
  })

  it('falls back to the third-party naming convention', () => {
    expect(providerPackageFor('onepassword')).toBe('floe-provider-onepassword')
    expect(emitterPackageFor('spark')).toBe('floe-emit-spark')
  })
})

describe('providerMetadataFrom', () => {
  it('keeps well-formed fields and drops malformed ones', () => {
    expect(
      providerMetadataFrom({
        provider: 'x',
        entry: './x.js',
        displayName: 'X Store',
        locator: { anyOf: ['key'], example: 'key: a' },
        scopeKey: {
          field: 'key',
          prefix: 'x.prefix',
          separator: '/',
          copy: { ns: 'x.ns', bad: 1 },
        },
      }),
    ).toEqual({
      displayName: 'X Store',
      locator: { anyOf: ['key'], example: 'key: a' },
      scopeKey: { field: 'key', prefix: 'x.prefix', separator: '/', copy: { ns: 'x.ns' } },
    })
    expect(
      providerMetadataFrom({ displayName: 3, locator: { anyOf: [] }, scopeKey: { prefix: 'a' } }),
    ).toEqual({})
    expect(providerMetadataFrom(undefined)).toEqual({})
  })
})
