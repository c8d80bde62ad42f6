import { expect } from 'vitest'
import { configSchemaOf, type ProviderModule } from '@floe/core'

/**
 * A provider's `vouchesForConfig` stands in for its configSchema: whatever it vouches for, the
 * schema accepts unchanged. `check` is the property to run on random definitions (fast-check);
 * `expectBothSides` then fails when the generator never vouched or never failed (a property
 * that tested nothing).
 */
export async function vouchingAgreement(
  module: Pick<ProviderModule, 'configSchema' | 'vouchesForConfig'>,
): Promise<{
  check(fields: Record<string, unknown>): void
  expectBothSides(atLeast: number): void
}> {
  const schema = await configSchemaOf(module)
  const vouches = module.vouchesForConfig
  if (!vouches) throw new Error('the module has no vouchesForConfig')
  let vouched = 0
  let rejected = 0
  return {
    check(fields) {
      const parsed = schema.safeParse(fields)
      if (!vouches(fields)) {
        if (!parsed.success) rejected += 1
        return
      }
      vouched += 1
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
      expect(parsed.data).toEqual(fields)
    },
    expectBothSides(atLeast) {
      expect(vouched, 'definitions vouched for').toBeGreaterThan(atLeast)
      expect(rejected, 'definitions the schema rejected').toBeGreaterThan(atLeast)
    },
  }
}
