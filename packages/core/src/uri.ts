import { SecretReferenceError } from './errors.js'

/**
 * A parsed `secret://<name>[/<key>][?version=<v>][&default=<d>]` reference.
 * `key`, `version` and `default` are percent-decoded.
 */
export interface SecretRef {
  name: string
  key?: string
  version?: string
  default?: string
}

export const SCHEME = 'secret://'
const KNOWN_PARAMS = new Set(['version', 'default'])
const NAME_START = /[A-Za-z0-9_]/
const NAME_CHAR = /[A-Za-z0-9_.-]/
/** Characters that may appear unescaped in a key or parameter value. */
const PLAIN_CHAR = /[A-Za-z0-9\-._~!$'()*+,;:@]/
const HEX = /^[0-9A-Fa-f]{2}$/
// ignoreBOM: a decoded U+FEFF is part of the key, not a byte-order mark to drop (else
// `%EF%BB%BFpassword` and `password` would name one key).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
/** UTF-8 of a UTF-16 surrogate (ED A0..BF xx): what CESU-8 and WTF-8 write for lone halves. */
const SURROGATE_BYTES = /%ED%[AB][0-9A-F]/i
/** In a `u` regex a surrogate pair is one code point: only unpaired halves are category Cs. */
const LONE_SURROGATE = /\p{Cs}/u
const STARTS_WITH_LONE_SURROGATE = /^\p{Cs}/u

function fail(message: string, input: string, offset: number): never {
  throw new SecretReferenceError(message, input, offset)
}

/**
 * Decodes `input.slice(start, end)`, rejecting malformed escapes and characters that must be
 * escaped. `extraPlain` lists characters also allowed unescaped in this component.
 */
function decodeComponent(input: string, start: number, end: number, extraPlain = ''): string {
  let out = ''
  let i = start
  while (i < end) {
    const ch = input[i] as string
    if (ch === '%') {
      const bytes: number[] = []
      const seqStart = i
      while (i < end && input[i] === '%') {
        const hex = input.slice(i + 1, i + 3)
        if (i + 3 > end || !HEX.test(hex)) fail('malformed percent-escape', input, i)
        bytes.push(parseInt(hex, 16))
        i += 3
      }
      try {
        out += utf8.decode(new Uint8Array(bytes))
      } catch {
        const escapes = input.slice(seqStart, i)
        const surrogate = SURROGATE_BYTES.exec(escapes)
        if (surrogate)
          fail(
            'percent-escapes encode a UTF-16 surrogate (U+D800–U+DFFF), which is not a character: encode the character itself as UTF-8',
            input,
            seqStart + surrogate.index,
          )
        fail('percent-escapes do not form valid UTF-8', input, seqStart)
      }
      continue
    }
    if (STARTS_WITH_LONE_SURROGATE.test(input.slice(i, i + 2))) {
      fail('lone UTF-16 surrogate: the reference is not well-formed text', input, i)
    }
    if (!PLAIN_CHAR.test(ch) && !extraPlain.includes(ch)) {
      fail(`character ${JSON.stringify(ch)} must be percent-encoded`, input, i)
    }
    out += ch
    i += 1
  }
  return out
}

export function isSecretReference(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SCHEME)
}

/** Parses one reference. Throws only `SecretReferenceError`, with the 0-based offset. */
export function parseSecretRef(input: string): SecretRef {
  if (typeof input !== 'string') fail('reference must be a string', String(input), 0)
  if (!input.startsWith(SCHEME)) {
    const mismatch = [...SCHEME].findIndex((c, i) => input[i] !== c)
    fail(`reference must start with "${SCHEME}"`, input, mismatch === -1 ? 0 : mismatch)
  }
  let i = SCHEME.length
  const nameStart = i
  if (i >= input.length) fail('missing secret name', input, i)
  if (!NAME_START.test(input[i] as string)) {
    fail(`secret name must start with a letter, digit or "_"`, input, i)
  }
  while (i < input.length && NAME_CHAR.test(input[i] as string)) i += 1
  const ref: SecretRef = { name: input.slice(nameStart, i) }

  if (input[i] === '/') {
    i += 1
    const keyStart = i
    let keyEnd = input.indexOf('?', i)
    if (keyEnd === -1) keyEnd = input.length
    if (keyStart === keyEnd) fail('empty key segment', input, keyStart)
    // Empty segments ("a//b", trailing "/") are almost always typos; reject them.
    for (let j = keyStart; j < keyEnd; j += 1) {
      if (input[j] === '/' && (j === keyStart || input[j - 1] === '/' || j === keyEnd - 1)) {
        fail('empty key segment', input, j === keyEnd - 1 && j !== keyStart ? j + 1 : j)
      }
    }
    ref.key = decodeComponent(input, keyStart, keyEnd, '/')
    i = keyEnd
  }

  if (i < input.length && input[i] !== '?') {
    fail(`unexpected character ${JSON.stringify(input[i])} in secret name`, input, i)
  }

  if (input[i] === '?') {
    i += 1
    if (i >= input.length) fail('empty query', input, i)
    const seen = new Set<string>()
    while (i <= input.length) {
      let end = input.indexOf('&', i)
      if (end === -1) end = input.length
      const eq = input.indexOf('=', i)
      if (end === i) fail('empty query parameter', input, i)
      if (eq === -1 || eq > end) fail('query parameter needs "=value"', input, end)
      const param = input.slice(i, eq)
      if (!KNOWN_PARAMS.has(param)) {
        fail(`unknown parameter "${param}" (expected "version" or "default")`, input, i)
      }
      if (seen.has(param)) fail(`duplicate parameter "${param}"`, input, i)
      seen.add(param)
      const value = decodeComponent(input, eq + 1, end, '/?=')
      if (param === 'version') {
        if (value === '') fail('empty version', input, eq + 1)
        ref.version = value
      } else {
        ref.default = value
      }
      if (end === input.length) break
      i = end + 1
      if (i === input.length) fail('empty query parameter', input, i)
    }
  }
  return ref
}

function encodeComponent(value: string, extraPlain: string, what: string): string {
  // TextEncoder writes a lone surrogate as U+FFFD: two distinct keys would format alike.
  const lone = LONE_SURROGATE.exec(value)
  if (lone) {
    throw new SecretReferenceError(
      `${what} holds a lone UTF-16 surrogate: it cannot be written as UTF-8`,
      value,
      lone.index,
    )
  }
  let out = ''
  for (const ch of value) {
    if (PLAIN_CHAR.test(ch) || extraPlain.includes(ch)) out += ch
    else
      out += Array.from(
        new TextEncoder().encode(ch),
        (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
      ).join('')
  }
  return out
}

/** Formats a reference; `parseSecretRef(formatSecretRef(r))` deep-equals `r`. */
export function formatSecretRef(ref: SecretRef): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(ref.name)) {
    throw new SecretReferenceError(`invalid secret name ${JSON.stringify(ref.name)}`, ref.name, 0)
  }
  let out = SCHEME + ref.name
  if (ref.key !== undefined) {
    if (ref.key === '') throw new SecretReferenceError('empty key', ref.name, 0)
    // "/" inside a key is escaped so that empty-segment rules never apply to formatted keys.
    out += '/' + encodeComponent(ref.key, '', 'key')
  }
  const params: string[] = []
  if (ref.version !== undefined) {
    if (ref.version === '') throw new SecretReferenceError('empty version', out, out.length)
    params.push(`version=${encodeComponent(ref.version, '/', 'version')}`)
  }
  if (ref.default !== undefined)
    params.push(`default=${encodeComponent(ref.default, '/', 'default')}`)
  return params.length ? `${out}?${params.join('&')}` : out
}

/** A stable identity for dedupe: the same (name, key, version) means the same fetch result. */
export function refId(ref: SecretRef): string {
  return formatSecretRef({ name: ref.name, key: ref.key, version: ref.version })
}

export interface FoundReference {
  ref: SecretRef
  raw: string
  start: number
  end: number
}

/** Characters that end an embedded reference inside free text (templates, connection strings). */
const TERMINATORS = /[\s"'`<>(){}[\]\\|,;]/

/**
 * Finds every `secret://…` occurrence in free text. Malformed ones throw with the offset in
 * the whole text, so template errors point at the right column.
 */
export function findSecretRefs(text: string): FoundReference[] {
  const found: FoundReference[] = []
  let from = 0
  for (;;) {
    const start = text.indexOf(SCHEME, from)
    if (start === -1) return found
    let end = start + SCHEME.length
    while (end < text.length && !TERMINATORS.test(text[end] as string)) {
      // In a host string (`?user=secret://db/u&password=…`) "&" ends the reference unless it
      // starts another parameter of the reference itself.
      if (text[end] === '&') {
        const inQuery = text.slice(start, end).includes('?')
        if (!inQuery || !/^&(version|default)=/.test(text.slice(end, end + 10))) break
      }
      end += 1
    }
    const raw = text.slice(start, end)
    try {
      found.push({ ref: parseSecretRef(raw), raw, start, end })
    } catch (error) {
      if (error instanceof SecretReferenceError) {
        throw new SecretReferenceError(
          error.message.replace(/ at offset \d+$/, ''),
          text,
          start + error.offset,
        )
      }
      throw error
    }
    from = end
  }
}
