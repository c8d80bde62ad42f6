/**
 * What a manifest reader refuses, and where it says so: alias bombs (only what aliases add
 * counts, never the manifest's own size), nesting past MAX_NESTING, bytes that are not UTF-8,
 * and tags that are not plain YAML data. Both readers must refuse alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { loadManifest } from '@floe/core'
import { decodeManifestBytes } from '../src/manifest/decode-text.js'
import { readManifestSource } from '../src/manifest/fast-source.js'
import { MAX_NESTING, readYamlSource } from '../src/manifest/yaml-source.js'

type Read = typeof readYamlSource
const readers: [string, Read][] = [
  ['fast reader', readManifestSource],
  ['reference reader', readYamlSource],
]

function refusal(read: Read, text: string): { located: string } | undefined {
  try {
    read(text, 'f.yaml', {})
  } catch (error) {
    return { located: (error as { located: string }).located }
  }
  return undefined
}

function flowNesting(levels: number): string {
  return `x: ${'['.repeat(levels)}${']'.repeat(levels)}\n`
}

function blockNesting(levels: number): string {
  let text = 'x:\n'
  for (let i = 0; i < levels; i += 1) text += `${'  '.repeat(i + 1)}k:\n`
  return text
}

describe('size limits count what aliases add, not the manifest', () => {
  // 5.1 million one-character items in one flow sequence: 10 MB, no alias at all.
  const large = `x: [${'1,'.repeat(5_100_000)}]\n`

  // (Only the fast reader: the reference reader's AST for 5 million nodes outgrows a 4 GB heap;
  // it serves only what js-yaml rejects, and counts aliases the same way.)
  it('a 10 MB manifest without aliases is read', () => {
    expect(large.length).toBeGreaterThan(10_000_000)
    const source = readManifestSource(large, 'f.yaml', {})
    expect((source.data as { x: number[] }).x).toHaveLength(5_100_000)
  })

  it('an alias bomb is refused at the alias that crosses the limit, by both readers alike', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level)
      const name = String.fromCharCode(97 + level)
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    const text = `${lines.join('\n')}\n`
    const fast = refusal(readManifestSource, text)
    expect(fast?.located).toMatch(
      /^f\.yaml:7:\d+: aliases expand to more than 5,000,000 values: .*alias bomb$/,
    )
    expect(refusal(readYamlSource, text)).toEqual(fast)
  })
})

describe('nesting', () => {
  for (const [style, make] of [
    ['flow', flowNesting],
    ['block', blockNesting],
  ] as const) {
    for (const levels of [1000, 5000]) {
      for (const [name, read] of readers) {
        it(`${name}: ${levels} ${style} levels give a located error, not a stack overflow`, () => {
          const refused = refusal(read, make(levels))
          // the root map is level 1: level MAX_NESTING + 1 is the value of the MAX_NESTING-th key
          const where = style === 'flow' ? `1:${4 + MAX_NESTING - 1}` : `${MAX_NESTING + 1}:`
          expect(refused?.located).toContain(`f.yaml:${where}`)
          expect(refused?.located).toContain(`collections nest deeper than ${MAX_NESTING} levels`)
          expect(refused?.located).not.toMatch(/call stack/i)
        })
      }
    }
  }

  it('both readers agree on either side of the limit (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_NESTING - 3, max: MAX_NESTING + 40 }),
        fc.boolean(),
        (levels, flow) => {
          const text = flow ? flowNesting(levels) : blockNesting(levels)
          const fast = refusal(readManifestSource, text)
          expect(fast).toEqual(refusal(readYamlSource, text))
          // The root map (holding `x:`) is level 1 and `levels` collections nest under it, in
          // either style: `levels` sequences, or `levels` maps each holding one `k:`.
          const depth = levels + 1
          expect(fast === undefined).toBe(depth <= MAX_NESTING)
        },
      ),
      {
        numRuns: 60,
        // both sides of the limit in both styles, whatever the seed draws
        examples: [
          [MAX_NESTING - 1, false],
          [MAX_NESTING, false],
          [MAX_NESTING - 1, true],
          [MAX_NESTING, true],
        ],
      },
    )
  })

  it('aliases count towards nesting where they are used', () => {
    const deep = `${'['.repeat(MAX_NESTING - 2)}${']'.repeat(MAX_NESTING - 2)}`
    const text = `a: &a ${deep}\nb: [[[*a]]]\n`
    const fast = refusal(readManifestSource, text)
    expect(fast?.located).toMatch(/^f\.yaml:2:\d+: collections nest deeper/)
    expect(refusal(readYamlSource, text)).toEqual(fast)
  })
})

describe('tags', () => {
  const cases: [string, string, string][] = [
    ['!custom', 'a: 1\nx: !custom 1\n', 'f.yaml:2:4'],
    ['!!js/function', 'a: 1\nx: !!js/function "function () {}"\n', 'f.yaml:2:4'],
    ['!custom', 'x:\n  y: !custom\n    a: 1\n', 'f.yaml:2:6'],
    ['!!binary', 'x: !!binary aGk=\n', 'f.yaml:1:'],
    ['!!timestamp', 'x: !!timestamp 2001-12-14\n', 'f.yaml:1:'],
  ]
  for (const [tag, text, where] of cases) {
    for (const [name, read] of readers) {
      it(`${name}: ${JSON.stringify(text)} is refused at ${where}`, () => {
        const refused = refusal(read, text)
        expect(refused?.located).toContain(where)
        expect(refused?.located).toContain(`unknown tag "${tag}"`)
      })
    }
  }

  it('core tags still read as data', () => {
    const text = 'a: !!str 1\nb: !!int "2"\nc: !!map { d: !!null "" }\n'
    for (const [, read] of readers) {
      expect(read(text, 'f.yaml', {}).data).toEqual({ a: '1', b: 2, c: { d: null } })
    }
  })
})

describe('manifest bytes', () => {
  const root = mkdtempSync(join(tmpdir(), 'floe-limits-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('a Latin-1 byte in a manifest file is refused at its line and column', async () => {
    const file = join(root, 'latin1.yaml')
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('version: 1\nsecrets:\n  caf'), Buffer.from([0xe9, 0x3a])]),
    )
    await expect(loadManifest(file)).rejects.toThrow(
      expect.objectContaining({
        location: expect.objectContaining({ line: 3, column: 6 }),
        message: expect.stringContaining('not valid UTF-8 (bytes e9 3a at byte 25)'),
      }),
    )
  })

  it('a leading byte-order mark is still accepted', () => {
    expect(decodeManifestBytes(Buffer.from('\uFEFFa: 1\n'), 'f.yaml')).toBe('a: 1\n')
  })

  it('locates the first invalid byte among valid multi-byte text (property)', () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\n/g, ''))
    const bad = fc.constantFrom(
      [0xff],
      [0xc0, 0x80], // overlong
      [0xed, 0xa0, 0x80], // a surrogate
      [0xe2, 0x82], // cut short (followed by an ASCII byte)
      [0x80], // a stray continuation byte
    )
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 5 }),
        line,
        bad,
        (lines, prefix, bytes) => {
          const before = `${lines.join('\n')}\n${prefix}`
          const data = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from('x\n')])
          let location: { line: number; column: number } | undefined
          try {
            decodeManifestBytes(data, 'f.yaml')
          } catch (error) {
            location = (error as { location: { line: number; column: number } }).location
          }
          expect(location).toEqual(
            expect.objectContaining({ line: lines.length + 1, column: prefix.length + 1 }),
          )
        },
      ),
      { numRuns: 200 },
    )
  })
})
