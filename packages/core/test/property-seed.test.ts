/** The workspace's fast-check seed policy (scripts/vitest/fast-check-seed.ts). */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseSeed, FIXED_SEED } from '../../../scripts/vitest/fast-check-seed.js'

describe('property test seeds', () => {
  it('are fixed in CI, replayable with FLOE_FC_SEED, random elsewhere', () => {
    expect(chooseSeed({ CI: 'true' })).toBe(FIXED_SEED)
    expect(chooseSeed({ CI: 'true', FLOE_FC_SEED: '42' })).toBe(42)
    expect(chooseSeed({ FLOE_FC_SEED: '-7' })).toBe(-7)
    expect(() => chooseSeed({ FLOE_FC_SEED: 'x1' })).toThrow('FLOE_FC_SEED must be an integer')
    const random = new Set(Array.from({ length: 8 }, () => chooseSeed({})))
    expect(random.size).toBeGreaterThan(1)
    const randomInCi = new Set(
      Array.from({ length: 8 }, () => chooseSeed({ CI: 'true', FLOE_FC_SEED: 'random' })),
    )
    expect(randomInCi.size).toBeGreaterThan(1)
  })

  it('are installed globally for every test file of the run', () => {
    const { seed } = fc.readConfigureGlobal()
    expect(Number.isSafeInteger(seed)).toBe(true)
    if (process.env.CI === 'true' && !process.env.FLOE_FC_SEED) expect(seed).toBe(FIXED_SEED)
  })
})
