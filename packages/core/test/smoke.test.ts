import { describe, expect, it } from 'vitest'
import { parseSecretRef, SecretValue } from '@floe/core'
import { inspect } from 'node:util'

describe('smoke', () => {
  it('resolves @floe/core from sources', () => {
    expect(parseSecretRef('secret://a/b?version=2')).toEqual({ name: 'a', key: 'b', version: '2' })
    const v = new SecretValue('hunter2', 'x')
    expect(`${String(v)} ${JSON.stringify({ v })} ${inspect(v)}`).not.toContain('hunter2')
  })
})
