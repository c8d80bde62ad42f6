import fc from 'fast-check'
import { describe, it } from 'vitest'
import { vouchingAgreement } from '@floe/testkit/conformance'
import { fileFormats, provider } from '../src/index.js'

/** vouchesForConfig stands in for configSchema: whatever it vouches for, the schema accepts. */
const junk = fc.constantFrom<unknown>(null, '', 'toml', 0, true, [], {}, ['x'], [''])
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: junk })
const text = fc.constantFrom('secrets', 'db.json', 'password', 'x')
const selection = fc.oneof(
  fc.constant({}),
  fc.record({ key: mostly(text) }),
  fc.record({ keys: mostly(fc.array(mostly(text), { maxLength: 2 })) }),
  fc.record({ key: mostly(text), keys: mostly(fc.constant(['password'])) }),
)
const options = fc.record(
  {
    format: mostly(fc.constantFrom(...fileFormats)),
    trim_newline: mostly(fc.boolean()),
    encoding: mostly(fc.constantFrom('utf8', 'base64')),
    allow_insecure_permissions: mostly(fc.boolean()),
  },
  { requiredKeys: [] },
)
const fields = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: fc.record({ path: mostly(text) }) }, fc.constant({})),
    selection,
    options,
    fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junk }),
  )
  .map(([path, keys, rest, other]) => ({
    ...path,
    ...keys,
    ...rest,
    ...(other === undefined ? {} : { variable: other }),
  }))

describe('vouchesForConfig', () => {
  it('vouches only for fields configSchema accepts unchanged', async () => {
    const agreement = await vouchingAgreement(provider)
    fc.assert(fc.property(fields, agreement.check), { numRuns: 2000 })
    agreement.expectBothSides(100)
  })
})
