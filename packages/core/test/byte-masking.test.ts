import { createHash, randomBytes } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createMaskingTransform, Redactor } from '@floe/core'
import { MaskedRuns } from '../src/logging/masked-runs.js'
import { SAMPLE_PEM as PEM } from '@floe/core/testing'

async function through(redactor: Redactor, chunks: Buffer[]): Promise<Buffer> {
  const transform = createMaskingTransform(redactor)
  Readable.from(chunks).pipe(transform)
  const out: Buffer[] = []
  for await (const chunk of transform) out.push(chunk as Buffer)
  return Buffer.concat(out)
}

function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return chunks
}

/** `bytes` cut at each of `cuts` (modulo its length + 1). */
function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const positions = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let last = 0
  for (const p of positions) {
    chunks.push(bytes.subarray(last, p))
    last = p
  }
  chunks.push(bytes.subarray(last))
  return chunks
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Reference: every byte inside any occurrence of any form is masked; overlapping runs merge. */
function reference(text: Buffer, forms: string[], mask: string): Buffer {
  const runs: [number, number][] = []
  for (const form of forms) {
    const needle = Buffer.from(form)
    for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1))
      runs.push([i, i + needle.length])
  }
  runs.sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const run of runs) {
    const last = merged.at(-1)
    if (last && run[0] < last[1]) last[1] = Math.max(last[1], run[1])
    else merged.push([...run])
  }
  const parts: Buffer[] = []
  let cursor = 0
  for (const [s, e] of merged) {
    parts.push(text.subarray(cursor, s), Buffer.from(mask))
    cursor = e
  }
  parts.push(text.subarray(cursor))
  return Buffer.concat(parts)
}

describe('byte masking (exec output)', () => {
  it('masks each line of a multi-line value: re-indented, CRLF, or one line alone', async () => {
    const r = new Redactor()
    r.add(PEM)
    const lines = PEM.split('\n')
    const reindented = lines.map((l) => `    ${l}`).join('\n') + '\n'
    const crlf = lines.join('\r\n') + '\r\n'
    const one = `key line: ${lines[2]}\n`
    for (const text of [reindented, crlf, one]) {
      const out = (await through(r, chunked(Buffer.from(text), 7))).toString()
      for (const line of lines) expect(out).not.toContain(line)
      expect(out).toContain('[REDACTED]')
    }
  })

  it('masks base64, URL-safe base64, URL-encoded and JSON-escaped forms', async () => {
    const value = 'p@ss/wo+rd"é\\x'
    const r = new Redactor()
    r.add(value)
    const forms = [
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
      value,
    ]
    const out = (await through(r, chunked(Buffer.from(forms.join(' | ')), 3))).toString()
    expect(out).toBe(forms.map(() => '[REDACTED]').join(' | '))
  })

  it('masks the base64 form of a 3-character value', async () => {
    const r = new Redactor()
    expect(r.add('abc')).toBe(true)
    const out = await through(r, [Buffer.from(`b64=${Buffer.from('abc').toString('base64')}\n`)])
    expect(out.toString()).toBe('b64=[REDACTED]\n')
  })

  it('passes 1 MB of random bytes through byte-exact (no decoding)', async () => {
    const r = new Redactor()
    r.add('s3cr3t-value')
    r.add(PEM)
    const bytes = randomBytes(1_000_000)
    const out = await through(r, chunked(bytes, 65_536))
    expect(out.length).toBe(bytes.length)
    expect(sha256(out)).toBe(sha256(bytes))
  })

  it('keeps astral characters intact when chunks split them', async () => {
    const r = new Redactor()
    r.add('s3cr3t-value')
    const text = Buffer.from('😀🎉👩‍💻𝄞'.repeat(20_000))
    // 4-byte characters, chunk sizes that cut them at every offset
    const out = await through(r, chunked(text, 4093))
    expect(sha256(out)).toBe(sha256(text))
  })

  it('masks a value split across chunks, including inside multi-byte characters', async () => {
    const r = new Redactor()
    r.add('日本語パスワード')
    const bytes = Buffer.from('ok 日本語パスワード ✓ é')
    const out = await through(r, chunked(bytes, 1))
    expect(out.toString()).toBe('ok [REDACTED] ✓ é')
  })

  it('releases a held-back prompt after the idle timer, before more input or the end', async () => {
    const r = new Redactor()
    r.add('Enter-secret-name')
    const transform = createMaskingTransform(r, { idleFlushMs: 20 })
    const source = new PassThrough()
    source.pipe(transform)
    const seen: Buffer[] = []
    transform.on('data', (c: Buffer) => seen.push(c))
    source.write('Enter name: ') // "Enter" could begin the value: held back at first
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(Buffer.concat(seen).toString()).toBe('Enter name: ')
    source.end('ok\n')
    await new Promise((resolve) => transform.once('end', resolve))
    expect(Buffer.concat(seen).toString()).toBe('Enter name: ok\n')
  })

  it('never releases the start of a value on the idle timer: a child pausing mid-value prints no part of it', async () => {
    const r = new Redactor()
    r.add('hunter2-long-secret')
    const transform = createMaskingTransform(r, { idleFlushMs: 10 })
    const seen: Buffer[] = []
    transform.on('data', (c: Buffer) => seen.push(c))
    transform.write(Buffer.from('pw: hunter2-'))
    await new Promise((resolve) => setTimeout(resolve, 100)) // ten idle periods
    expect(Buffer.concat(seen).toString()).toBe('pw: ')
    transform.end(Buffer.from('long-secret\n'))
    await new Promise((resolve) => transform.once('end', resolve))
    expect(Buffer.concat(seen).toString()).toBe('pw: [REDACTED]\n')
  })

  it('releases a held masked run on the idle timer, as its mask', async () => {
    const r = new Redactor()
    r.add('abab')
    const transform = createMaskingTransform(r, { idleFlushMs: 10 })
    const seen: Buffer[] = []
    transform.on('data', (c: Buffer) => seen.push(c))
    // "abab" is masked, but "ab" more would extend the same run: held until the timer
    transform.write(Buffer.from('x abab'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(Buffer.concat(seen).toString()).toBe('x [REDACTED]')
    transform.end()
    await new Promise((resolve) => transform.once('end', resolve))
    expect(Buffer.concat(seen).toString()).toBe('x [REDACTED]')
  })

  it('holds back no more than the longest form minus one byte', async () => {
    const r = new Redactor()
    r.add('abcdef')
    const transform = createMaskingTransform(r, { idleFlushMs: 0 })
    const seen: Buffer[] = []
    transform.on('data', (c: Buffer) => seen.push(c))
    transform.write(Buffer.from('xxxxabcde'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(Buffer.concat(seen).toString()).toBe('xxxx')
    transform.end(Buffer.from('f!'))
    await new Promise((resolve) => transform.once('end', resolve))
    expect(Buffer.concat(seen).toString()).toBe('xxxx[REDACTED]!')
  })

  it('equals the reference masking with many values (the automaton path, not needles)', async () => {
    const r = new Redactor()
    const values = Array.from({ length: 40 }, (_, i) => `v${i}-${'ab'.repeat(i % 5)}x${i * 7}`)
    for (const v of values) r.add(v)
    // overlapping and adjacent occurrences, split at every 5th byte, around random bytes
    const text = Buffer.concat([
      Buffer.from(values.join('') + values.join(' ') + 'v1-v2-'),
      randomBytes(70_000),
      Buffer.from(values.slice(0, 9).join('\n')),
    ])
    const masked = await through(r, chunked(text, 5))
    expect(masked.equals(reference(text, r.forms(), r.mask))).toBe(true)
    expect(masked.includes(Buffer.from(values[39]!))).toBe(false)
  })

  it('equals the reference masking for any values, text and chunking', async () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', 'x', '-', ' ', '\n', 'é', '😀')
    const word = (min: number) => fc.string({ unit: alphabet, minLength: min, maxLength: 12 })
    await fc.assert(
      fc.asyncProperty(
        fc.array(word(3), { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(word(0), fc.nat(3)), { maxLength: 12 }),
        fc.array(fc.nat(60), { maxLength: 8 }),
        async (values, pieces, cuts) => {
          const r = new Redactor()
          for (const v of values) r.add(v)
          const text = Buffer.from(
            pieces
              .map((p) => (typeof p === 'number' ? (values[p % values.length] as string) : p))
              .join(''),
          )
          const masked = await through(r, cutAt(text, cuts))
          expect(masked.equals(reference(text, r.forms(), r.mask))).toBe(true)
          for (const v of values) expect(masked.includes(Buffer.from(v))).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('equals the reference masking on the replace path (values that cannot overlap), WebAssembly or strings', async () => {
    // distinct letters in each value and a shared alphabet: most value sets can be masked by
    // one replaceAll per form; the rest take the union-of-runs path — both must agree
    const letter = fc.constantFrom(...'abcdefgREDACT[]='.split(''))
    const value = fc.uniqueArray(letter, { minLength: 3, maxLength: 8 }).map((l) => l.join(''))
    let replaced = 0
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(value, { minLength: 1, maxLength: 5 }),
        fc.array(fc.oneof(fc.string({ unit: letter, maxLength: 30 }), fc.nat(40)), {
          maxLength: 40,
        }),
        fc.array(fc.nat(400), { maxLength: 10 }),
        fc.integer({ min: 1, max: 3 }),
        async (values, pieces, cuts, repeat) => {
          const r = new Redactor()
          for (const v of values) r.add(v)
          // any form (raw, base64…) of any value, next to random text and to each other
          const all = r.forms()
          const once = pieces
            .map((p) => (typeof p === 'number' ? (all[p % all.length] as string) : p))
            .join('')
          const text = Buffer.from(once.repeat(repeat * 20))
          const forms = [...new Set(r.forms())].map((f) => Buffer.from(f))
          const runs = new MaskedRuns(forms, text, r.mask)
          if (runs.canReplace) {
            replaced++
            // the WebAssembly pass and the string path (one replaceAll per form) agree
            const strings = new MaskedRuns(forms, text, r.mask, { wasm: false })
            const whole = runs.replace(text, text.length)
            expect(whole.equals(strings.replace(text, text.length))).toBe(true)
            expect(whole.equals(reference(text, r.forms(), r.mask))).toBe(true)
          }
          const masked = await through(r, cutAt(text, cuts))
          expect(masked.equals(reference(text, r.forms(), r.mask))).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
    expect(replaced).toBeGreaterThan(30)
  })
})
