import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createChunkMasker, Redactor } from '@floe/core'

/**
 * Masks `chunks` one by one; each is a fresh copy the masker may overwrite, after `headroom`
 * bytes of its buffer that are the masker's too.
 */
function maskAll(redactor: Redactor, chunks: Buffer[], overwriteInput: boolean, headroom = 0) {
  const masker = createChunkMasker(redactor, { overwriteInput, headroom, idleFlushMs: 0 })
  const out = chunks.map((c) => {
    const copy = Buffer.alloc(headroom + c.length, 0x2a).subarray(headroom)
    c.copy(copy)
    return Buffer.from(masker.write(copy))
  })
  return Buffer.concat([...out, masker.end()])
}

describe('chunk masker (exec output without a stream)', () => {
  it('gives the same output writing into its input (and headroom) as into new buffers, any chunking', () => {
    const letter = fc.constantFrom(...'abcdexyz-\n\u00e9'.split(''))
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: letter, minLength: 3, maxLength: 9 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.oneof(fc.string({ unit: letter, maxLength: 20 }), fc.nat(8)), {
          maxLength: 50,
        }),
        fc.array(fc.nat(2_000), { maxLength: 8 }),
        (values, pieces, cuts) => {
          const r = new Redactor()
          for (const v of values) r.add(v)
          const all = r.forms()
          const text = Buffer.from(
            pieces.map((p) => (typeof p === 'number' ? all[p % all.length] : p)).join(''),
          )
          const positions = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort(
            (a, b) => a - b,
          )
          const chunks = [0, ...positions].map((from, i) =>
            text.subarray(from, positions[i] ?? text.length),
          )
          const inPlace = maskAll(r, chunks, true)
          expect(inPlace.equals(maskAll(r, chunks, false))).toBe(true)
          // held bytes in front of the next chunk, or (too many) in a concatenation
          expect(maskAll(r, chunks, true, 5).equals(inPlace)).toBe(true)
          expect(maskAll(r, chunks, true, 64).equals(inPlace)).toBe(true)
          for (const v of values) expect(inPlace.includes(Buffer.from(v))).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('passes a chunk without values on as a view of it, and masks a value in place', () => {
    const r = new Redactor()
    r.add('pw-77e1-not-real')
    const masker = createChunkMasker(r, { overwriteInput: true })
    const binary = randomBytes(100_000)
    const passed = masker.write(binary)
    expect(passed.buffer).toBe(binary.buffer) // a view: nothing copied
    expect(passed.equals(binary.subarray(0, passed.length))).toBe(true)
    expect(Buffer.concat([passed, masker.end()]).equals(binary)).toBe(true)
    const line = Buffer.from('password pw-77e1-not-real ok\n')
    const out = masker.write(line)
    expect(out.buffer).toBe(line.buffer)
    expect(out.toString()).toBe('password [REDACTED] ok\n')
    expect(masker.end().length).toBe(0)
  })

  it('hands what the idle timer releases to onIdleRelease, never a possible start of a value', async () => {
    const r = new Redactor()
    r.add('abab')
    r.add('hunter2-long-secret')
    const released: string[] = []
    const masker = createChunkMasker(r, {
      idleFlushMs: 5,
      onIdleRelease: (out) => released.push(out.toString()),
    })
    expect(masker.write(Buffer.from('x abab')).toString()).toBe('x ')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(released).toEqual(['[REDACTED]'])
    expect(masker.write(Buffer.from(' pw: hunter2-')).toString()).toBe(' pw: ')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(released).toEqual(['[REDACTED]'])
    expect(masker.write(Buffer.from('long-secret\n')).toString()).toBe('[REDACTED]\n')
    masker.close()
  })
})
