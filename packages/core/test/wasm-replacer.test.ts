import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { WasmReplacer } from '../src/logging/wasm-replacer.js'

const MASK = Buffer.from('[REDACTED]')

/** The string path: one replaceAll per form, longest first (what the module must equal). */
function replaceAllOf(data: Buffer, forms: string[]): Buffer {
  let text = data.toString('latin1')
  for (const form of [...forms].sort((a, b) => b.length - a.length))
    text = text.replaceAll(Buffer.from(form).toString('latin1'), MASK.toString('latin1'))
  return Buffer.from(text, 'latin1')
}

const replacerOf = (forms: string[]): WasmReplacer => {
  const replacer = WasmReplacer.create(
    forms.map((f) => Buffer.from(f)),
    MASK,
  )
  if (!replacer) throw new Error('no WebAssembly replacer')
  return replacer
}

describe('WebAssembly replacer (masked exec, values that cannot overlap)', () => {
  it('is there under Node: the module compiles', () => {
    expect(WasmReplacer.create([Buffer.from('secret')], MASK)).toBeDefined()
    expect(WasmReplacer.create([Buffer.from('x')], MASK)).toBeUndefined() // 1 byte: no pair
  })

  it('masks at the very start and end, adjacent occurrences apart, the longest form first', () => {
    const replacer = replacerOf(['abcd', 'abcdef', 'zz9'])
    const data = Buffer.from('abcdefabcdzz9 abcdezz9abcdef')
    expect(replacer.replace(data).toString()).toBe(
      '[REDACTED][REDACTED][REDACTED] [REDACTED]e[REDACTED][REDACTED]',
    )
  })

  it('returns its input itself when nothing occurs, also when shorter than every form', () => {
    const replacer = replacerOf(['pw-long-value'])
    const data = randomBytes(100_000)
    expect(replacer.replace(data)).toBe(data)
    const short = Buffer.from('pw-lo')
    expect(replacer.replace(short)).toBe(short)
    expect(replacer.replace(Buffer.alloc(0)).length).toBe(0)
  })

  it('handles input where every position is a candidate, across the four scan quarters', () => {
    // "cc" ends the window of "bcc" at every position of a run of c: each one is checked
    const replacer = replacerOf(['bcc', 'xyzzy'])
    for (const size of [3, 4, 7, 64, 1001, 65_536]) {
      const data = Buffer.alloc(size, 'c')
      for (const at of [0, Math.floor(size / 4), Math.floor(size / 2), size - 3])
        if (at >= 0 && at + 3 <= size) data.write('bcc', at, 'latin1')
      expect(replacer.replace(data).equals(replaceAllOf(data, ['bcc', 'xyzzy']))).toBe(true)
    }
  })

  it('grows its memory for large input (and output larger than the input)', () => {
    const replacer = replacerOf(['ab', 'value-9'])
    const data = Buffer.from('ab'.repeat(1_500_000) + 'value-9')
    const out = replacer.replace(data)
    expect(out.length).toBe(1_500_001 * MASK.length)
    expect(out.equals(replaceAllOf(data, ['ab', 'value-9']))).toBe(true)
  })
})
