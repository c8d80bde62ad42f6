import fc from 'fast-check'
import { describe, it } from 'vitest'
import { vouchingAgreement } from '@floe/testkit/conformance'
import { provider } from '../src/index.js'

/** vouchesForConfig stands in for configSchema: whatever it vouches for, the schema accepts. */
const junk = fc.constantFrom<unknown>(null, '', 'a=b', 'x\0', 0, true, [], {}, ['x'])
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: junk })
const text = fc.constantFrom('API_TOKEN', '.env', 'x')
const source = fc.oneof(
  fc.record({ variable: mostly(text) }),
  fc.record({
    variables: mostly(fc.dictionary(fc.constantFrom('user', 'password', ''), mostly(text))),
  }),
  fc.record({ variable: mostly(text), variables: mostly(fc.constant({ user: 'U' })) }),
  fc.constant({}),
)
const files = fc.oneof(
  fc.constant({}),
  fc.record({ env_file: mostly(text) }),
  fc.record({ env_files: mostly(fc.array(mostly(text), { maxLength: 2 })) }),
  fc.record({ env_file: mostly(text), env_files: mostly(fc.constant(['.env'])) }),
)
const others = fc.record(
  {
    override: mostly(fc.boolean()),
    key: mostly(text),
    keys: mostly(fc.array(mostly(text), { maxLength: 2 })),
    default: mostly(text),
  },
  { requiredKeys: [] },
)
const fields = fc
  .tuple(
    source,
    files,
    others,
    fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junk }),
  )
  .map(([a, b, c, other]) => ({
    ...a,
    ...b,
    ...c,
    ...(other === undefined ? {} : { path: other }),
  }))

describe('vouchesForConfig', () => {
  it('vouches only for fields configSchema accepts unchanged', async () => {
    const agreement = await vouchingAgreement(provider)
    fc.assert(fc.property(fields, agreement.check), { numRuns: 2000 })
    agreement.expectBothSides(100)
  })
})
