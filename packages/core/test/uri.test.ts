import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  findSecretRefs,
  formatSecretRef,
  parseSecretRef,
  refId,
  type SecretRef,
} from '../src/uri.js'
import { SecretReferenceError } from '../src/errors.js'

function offsetOf(input: string): number {
  try {
    parseSecretRef(input)
  } catch (error) {
    expect(error).toBeInstanceOf(SecretReferenceError)
    return (error as SecretReferenceError).offset
  }
  throw new Error(`expected ${input} to be rejected`)
}

describe('parseSecretRef', () => {
  it('parses the seed 002 forms', () => {
    expect(parseSecretRef('secret://kafka_credentials/password')).toEqual({
      name: 'kafka_credentials',
      key: 'password',
    })
    expect(parseSecretRef('secret://mongo_connection')).toEqual({ name: 'mongo_connection' })
    expect(parseSecretRef('secret://api_key?version=2')).toEqual({ name: 'api_key', version: '2' })
    expect(parseSecretRef('secret://optional_secret/key?default=default_value')).toEqual({
      name: 'optional_secret',
      key: 'key',
      default: 'default_value',
    })
  })

  it('percent-decodes keys and parameter values', () => {
    expect(parseSecretRef('secret://db/pass%20word?default=a%26b%3Dc')).toEqual({
      name: 'db',
      key: 'pass word',
      default: 'a&b=c',
    })
    expect(parseSecretRef('secret://db/caf%C3%A9')).toEqual({ name: 'db', key: 'café' })
    expect(parseSecretRef('secret://db/a/b')).toEqual({ name: 'db', key: 'a/b' })
    expect(parseSecretRef('secret://db?default=')).toEqual({ name: 'db', default: '' })
  })

  it.each([
    ['secrets://a', 6, /must start with/],
    ['secret://', 9, /missing secret name/],
    ['secret://-a', 9, /must start with a letter/],
    ['secret://a/', 11, /empty key segment/],
    ['secret://a//b', 11, /empty key segment/],
    ['secret://a/b/', 13, /empty key segment/],
    ['secret://a?x=1', 11, /unknown parameter "x"/],
    ['secret://a?version=', 19, /empty version/],
    ['secret://a?version=1&version=2', 21, /duplicate parameter/],
    ['secret://a/b%2', 12, /malformed percent-escape/],
    ['secret://a/b%zz', 12, /malformed percent-escape/],
    ['secret://a/%C3', 11, /valid UTF-8/],
    ['secret://a/b c', 12, /must be percent-encoded/],
    ['secret://a#b', 10, /unexpected character/],
    ['secret://a?', 11, /empty query/],
    ['secret://a?version=1&', 21, /empty query parameter/],
    ['secret://a?version', 18, /needs "=value"/],
  ])('rejects %s at offset %i', (input, offset, message) => {
    expect(offsetOf(input)).toBe(offset)
    expect(() => parseSecretRef(input)).toThrow(message)
  })
})

const nameArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/)
const textArb = fc.string({ unit: 'grapheme', maxLength: 20 })
const refArb: fc.Arbitrary<SecretRef> = fc.record(
  {
    name: nameArb,
    key: textArb.filter((s) => s.length > 0),
    version: textArb.filter((s) => s.length > 0),
    default: textArb,
  },
  { requiredKeys: ['name'] },
)

describe('format / parse properties', () => {
  it('parse(format(x)) = x', () => {
    fc.assert(
      fc.property(refArb, (ref) => {
        expect(parseSecretRef(formatSecretRef(ref))).toEqual(ref)
      }),
      { numRuns: 2000 },
    )
  })

  it('no input makes the parser throw anything but SecretReferenceError', () => {
    const inputs = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ maxLength: 40 }).map((s) => `secret://${s}`),
      fc
        .array(
          fc.constantFrom(
            'secret://',
            'a',
            '/',
            '?',
            '&',
            '=',
            '%',
            '%C3',
            '%2',
            'version',
            'default',
            'é',
            ' ',
          ),
          { maxLength: 12 },
        )
        .map((parts) => parts.join('')),
    )
    fc.assert(
      fc.property(inputs, (input) => {
        try {
          parseSecretRef(input)
        } catch (error) {
          expect(error).toBeInstanceOf(SecretReferenceError)
          const offset = (error as SecretReferenceError).offset
          expect(offset).toBeGreaterThanOrEqual(0)
          expect(offset).toBeLessThanOrEqual(input.length)
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('refId ignores the default so one fetch serves every default', () => {
    expect(refId({ name: 'a', key: 'k', default: 'x' })).toBe(refId({ name: 'a', key: 'k' }))
    expect(refId({ name: 'a', key: 'k', version: '1' })).not.toBe(refId({ name: 'a', key: 'k' }))
  })
})

describe('findSecretRefs', () => {
  it('finds embedded references with their spans', () => {
    const text = 'url: "postgres://u:secret://db/password@host" token=secret://api?version=3\n'
    const found = findSecretRefs(text)
    expect(found.map((f) => f.raw)).toEqual(['secret://db/password@host', 'secret://api?version=3'])
    expect(text.slice(found[1]!.start, found[1]!.end)).toBe('secret://api?version=3')
  })

  it('ends an embedded reference at "&" unless a reference parameter follows', () => {
    const text = 'jdbc:x?user=secret://db/u&password=secret://db/p?version=2&default=x&ssl=true'
    expect(findSecretRefs(text).map((f) => f.ref)).toEqual([
      { name: 'db', key: 'u' },
      { name: 'db', key: 'p', version: '2', default: 'x' },
    ])
  })

  it('reports malformed references at their offset in the whole text', () => {
    const text = 'a: 1\nb: secret://x?bogus=1\n'
    try {
      findSecretRefs(text)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(SecretReferenceError)
      expect((error as SecretReferenceError).offset).toBe(text.indexOf('bogus'))
    }
  })
})

describe('percent-decoding keeps every character and refuses non-characters', () => {
  it('keeps a leading U+FEFF in a key: it is not a byte-order mark there', () => {
    const ref = parseSecretRef('secret://a/%EF%BB%BFpassword')
    expect(ref.key).toBe('\uFEFFpassword')
    expect(refId(ref)).not.toBe(refId(parseSecretRef('secret://a/password')))
    expect(parseSecretRef(formatSecretRef(ref))).toEqual(ref)
  })

  it('refuses surrogate halves encoded as UTF-8, naming them', () => {
    for (const input of [
      'secret://a/%ED%A0%80',
      'secret://a/x%ED%BF%BF',
      'secret://a/k?default=%ED%B0%80',
    ]) {
      expect(() => parseSecretRef(input)).toThrow(/surrogate/)
    }
    expect(offsetOf('secret://a/x%ED%BF%BF')).toBe(12)
  })

  it('refuses a lone surrogate written as is', () => {
    expect(() => parseSecretRef('secret://a/\uD800')).toThrow(/lone UTF-16 surrogate/)
  })

  it('never formats two distinct keys alike: lone surrogates are refused, not replaced', () => {
    expect(() => formatSecretRef({ name: 'a', key: '\uD800' })).toThrow(/lone UTF-16 surrogate/)
    expect(() => formatSecretRef({ name: 'a', key: 'x\uDC00' })).toThrow(SecretReferenceError)
    expect(() => refId({ name: 'a', key: 'k', version: '\uDBFF' })).toThrow(/version/)
    expect(formatSecretRef({ name: 'a', key: '\uD83D\uDE00' })).toBe('secret://a/%F0%9F%98%80')
  })

  it('formats distinct well-formed keys distinctly (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }),
        fc.string({ unit: 'grapheme', minLength: 1 }),
        (a, b) => {
          fc.pre(a !== b)
          expect(refId({ name: 'n', key: a })).not.toBe(refId({ name: 'n', key: b }))
          expect(parseSecretRef(formatSecretRef({ name: 'n', key: a })).key).toBe(a)
        },
      ),
    )
  })
})
