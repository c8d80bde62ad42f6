import { describe, expect, it } from 'vitest'
import {
  createProviderRegistry,
  createResolver,
  secretStatus,
  statusWord,
  type LoadedManifest,
  type RotationHookModule,
} from '@floe/core'
import { createMemoryProvider, memoryProviderModule, testManifest } from '@floe/core/testing'

const secrets = {
  present: { provider: 'memory', fields: { id: 'present' } },
  missing: { provider: 'memory', fields: { id: 'missing' } },
}

function setup(plugins?: LoadedManifest['plugins']) {
  const provider = createMemoryProvider({ data: { present: 'v1-value' } })
  const manifest = { ...testManifest(secrets), ...(plugins ? { plugins } : {}) }
  const resolver = createResolver({
    manifest,
    catalog: createProviderRegistry({ modules: [memoryProviderModule(provider)] }),
  })
  return { manifest, resolver }
}

function hook(status: RotationHookModule['status']): RotationHookModule & { calls: number } {
  const module = {
    name: 'eso',
    packageName: 'floe-hook-eso',
    calls: 0,
    status: async (input: Parameters<NonNullable<RotationHookModule['status']>>[0]) => {
      module.calls += 1
      return status!(input)
    },
    async *afterRotate() {},
  }
  return module
}

describe('secretStatus', () => {
  it('reports metadata per secret and leaves hooks alone without a cluster', async () => {
    const { manifest, resolver } = setup()
    const eso = hook(async () => ({ present: { sync: 'Synced' } }))
    let loaded = 0
    const report = await secretStatus({
      manifest,
      resolver,
      hooks: async () => (loaded++, [eso]),
      ctx: async () => ({}) as never,
    })
    expect(report.rows.map((r) => [r.name, r.exists, statusWord(r)])).toEqual([
      ['present', true, 'exists'],
      ['missing', false, 'NOT FOUND'],
    ])
    expect(report.rows[0]!.version).toBeTruthy()
    expect(loaded).toBe(0)
    expect(eso.calls).toBe(0)
  })

  it('merges what a platform hook knows and names what it could not tell', async () => {
    const { manifest, resolver } = setup({ secrets: { type: 'external-secrets' } })
    const eso = hook(async () => ({
      present: {
        store: 'aws',
        sync: 'SecretSynced',
        lastSync: '2026-01-01T00:00:00Z',
        missingKeys: 'password',
      },
    }))
    const broken = {
      ...hook(async () => ({})),
      name: 'broken',
      status: async () => {
        throw new Error('cluster down')
      },
    }
    const report = await secretStatus({
      manifest,
      resolver,
      hooks: async () => [eso, broken],
      ctx: async () => ({}) as never,
      names: ['present'],
    })
    expect(report.rows).toEqual([
      expect.objectContaining({ name: 'present', store: 'aws', sync: 'SecretSynced' }),
    ])
    expect(report.warnings).toEqual([
      'present: SecretSynced but the target Secret lacks password',
      'broken: sync status unavailable: cluster down',
    ])
  })
})
