/**
 * The fast reader (js-yaml + listener) must agree with the reference reader (the `yaml`
 * library's AST) on data and on the position of every path, key and value.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import jsyaml from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { readManifestSource } from '../src/manifest/fast-source.js'
import { readYamlSource, type SourceDocument } from '../src/manifest/yaml-source.js'

const env = new Proxy(
  {},
  {
    get: (_target, key) =>
      typeof key === 'string' && !key.startsWith('UNSET') ? `v-${key}` : undefined,
  },
)

function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix)
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out))
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out)
  }
  return out
}

function compare(text: string) {
  const fast = readManifestSource(text, 'f.yaml', env)
  const reference = readYamlSource(text, 'f.yaml', env)
  expect(fast.data).toEqual(reference.data)
  expect([...fast.interpolated]).toEqual([...reference.interpolated])
  expect(fast.problems.map((p) => p.located)).toEqual(reference.problems.map((p) => p.located))
  const where = (source: SourceDocument, path: (string | number)[]) => [
    source.locate(path),
    path.length ? source.locate(path, { key: true }) : undefined,
  ]
  for (const path of paths(reference.data)) {
    expect({ path, at: where(fast, path) }).toEqual({ path, at: where(reference, path) })
  }
  return fast
}

/**
 * js-yaml's dumper is the generator here, and it is not a faithful one: in flow style it
 * writes plain scalars holding flow indicators unquoted — `{_: [(:{]}` for `{"_":["(:{"]}` is
 * not YAML at all, `[.:,]` for `[".:,"]` is YAML for other data. Such a dump is still a
 * document both readers must agree on — the same data and positions when the reference
 * reads it, the same located refusal when it does not — but it is no longer assumed to be
 * valid. Returns whether the dump was faithful (it reads back as `data`).
 */
function compareDump(data: unknown, text: string): boolean {
  let reference: unknown
  try {
    reference = parse(text)
  } catch (error) {
    const message = (error as Error).message.split('\n')[0].replace(/ at line \d+.*$/, '')
    const refusal = (read: () => unknown) => {
      try {
        read()
      } catch (refused) {
        return refused as Error
      }
      throw new Error(`accepted a document yaml refuses (${message}):\n${text}`)
    }
    const fast = refusal(() => readManifestSource(text, 'f.yaml', env))
    const slow = refusal(() => readYamlSource(text, 'f.yaml', env))
    expect(fast.message).toContain(message)
    expect(fast).toEqual(slow)
    return false
  }
  compare(text)
  // (JSON round trip: fast-check's dictionaries have a null prototype)
  return isDeepStrictEqual(reference, JSON.parse(JSON.stringify(data)))
}

const cases: Record<string, string> = {
  'block and flow collections': `a: 1
b:
  c: "x y"   # comment
  d: [1, {e: f}]
  g:
    - h
    - i: j
      k:
    -   - nested
  'q': 'r'
  long: >
    folded
    text
  lit: |
    kept
`,
  'anchors, aliases and merge keys': `base: &base
  region: us-east-1
  nested: { a: 1 }
x:
  <<: *base
  name: lake
y: *base
list:
  - &item { p: 1 }
  - *item
`,
  'interpolation, plain and quoted':
    'a: ${X}\nb: "${X}"\nc: x ${env:Y} ${Z:-d} $${lit}\nd:\n  - ${N}\n',
  'comments and blank lines between keys and values': `a:

  # a comment

  b: 1
c: # trailing
  d
`,
  'CRLF line endings': 'a:\r\n  b: 1\r\n  c:\r\n    - x\r\n',
  'document start marker and explicit keys': '---\n? a\n: 1\nb: !!str 2\nc: &n 3\nd: *n\n',
  'single-pair mappings inside flow sequences': 'a: [b: 1, c, d: [e: f]]\n',
  'multi-line plain and quoted scalars':
    'a: one\n  two\nb: "x\n  y"\nc:\n  d: [\n    1,\n    2\n  ]\n',
}

describe('fast manifest reader', () => {
  for (const [name, text] of Object.entries(cases))
    it(`agrees with the reference reader: ${name}`, () => compare(text))

  it('agrees on generated documents in block, flow and mixed styles', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,8}$/)
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(
        'secret://db/password',
        'x ${A} y',
        'bad ${',
        '${UNSET_1BAD}',
        '"${A}"',
        'multi\nline',
        '  padded  ',
        '# not a comment',
      ),
    )
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node
    let faithful = 0
    fc.assert(
      fc.property(
        fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }),
        fc.integer({ min: -1, max: 3 }),
        (data, flowLevel) => {
          compare(stringify(data))
          if (compareDump(data, jsyaml.dump(data, { flowLevel, lineWidth: 40 }))) faithful += 1
        },
      ),
      { numRuns: 150 },
    )
    // the unfaithful dumps are the exception: most runs compare real manifests
    expect(faithful).toBeGreaterThan(100)
  })

  it('treats an unfaithful flow-style dump as a document both readers refuse alike', () => {
    // found by fast-check: js-yaml dumps {"_":{"_":["(:{"]}} as `_: {_: [(:{]}`
    const data = { _: { _: ['(:{'] } }
    const dumped = jsyaml.dump(data, { flowLevel: 1, lineWidth: 40 })
    expect(dumped).toBe('_: {_: [(:{]}\n')
    expect(() => compare(dumped)).toThrow(/invalid YAML/)
    expect(compareDump(data, dumped)).toBe(false)
    expect(compareDump({ _: ['.:,'] }, jsyaml.dump({ _: ['.:,'] }, { flowLevel: 0 }))).toBe(false)
    expect(compareDump(data, jsyaml.dump(data, { flowLevel: -1 }))).toBe(true)
  })

  it('agrees on every seed fixture that is one YAML document', () => {
    const dir = join(import.meta.dirname, 'fixtures', 'seeds')
    let compared = 0
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), 'utf8')
      if (name.startsWith('004-eso') || name === '004-configuration-schema.yaml') continue
      compare(text)
      compared += 1
    }
    expect(compared).toBe(readdirSync(dir).length - 2)
  })

  it('maps characters inside scalars for embedded references', () => {
    const text = 'a:\n  plain: x secret://db/pass word\n  quoted: "x secret://db/pass word"\n'
    const fast = readManifestSource(text, 'f.yaml', env)
    const reference = readYamlSource(text, 'f.yaml', env)
    for (const key of ['plain', 'quoted']) {
      const value = (fast.data as { a: Record<string, string> }).a[key] as string
      const index = value.indexOf(' word')
      expect(fast.locateInString(['a', key], index, value.slice(index))).toEqual(
        reference.locateInString(['a', key], index, value.slice(index)),
      )
    }
  })

  it('falls back to the reference reader for what js-yaml rejects', () => {
    expect(() => readManifestSource('a: 1\na: 2\n', 'f.yaml', {})).not.toThrow()
    const dup = readManifestSource('a: 1\na: 2\n', 'f.yaml', {})
    expect(dup.problems.map((p) => p.message)).toEqual([
      'invalid YAML: duplicate key "a" in (document) (first at line 1)',
    ])
  })
})

// Alias bombs, nesting, tags and bytes: see manifest-limits.test.ts.
