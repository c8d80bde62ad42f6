import { describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import { createMaskingTransform, createLogger, Redactor, SecretValue } from '@floe/core'

async function streamThrough(redactor: Redactor, chunks: (string | Buffer)[]): Promise<string> {
  const out: Buffer[] = []
  const transform = createMaskingTransform(redactor)
  Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).pipe(transform)
  for await (const chunk of transform) out.push(chunk as Buffer)
  return Buffer.concat(out).toString('utf8')
}

describe('Redactor', () => {
  it('masks values, longest first, in JSON-escaped and base64 forms', () => {
    const r = new Redactor()
    r.add('pass')
    r.add(new SecretValue('password-123'))
    r.add('quote"back\\slash')
    expect(r.redact('a password-123 b pass c')).toBe('a [REDACTED] b [REDACTED] c')
    expect(r.redact(JSON.stringify({ v: 'quote"back\\slash' }))).toBe('{"v":"[REDACTED]"}')
    const b64 = Buffer.from('password-123').toString('base64')
    expect(r.redact(`Authorization: Basic ${b64}`)).toBe('Authorization: Basic [REDACTED]')
    expect(r.redact('nothing here')).toBe('nothing here')
  })

  it('ignores values too short to mask meaningfully', () => {
    const r = new Redactor()
    expect(r.add('ab')).toBe(false)
    expect(r.add('')).toBe(false)
    expect(r.redact('abc ab')).toBe('abc ab')
    expect(new Redactor({ minLength: 1 }).add('a')).toBe(true)
  })

  it('escapes regex metacharacters in values', () => {
    const r = new Redactor()
    r.add('a.b*c(d)')
    expect(r.redact('xa.b*c(d)y aXbbc(d)')).toBe('x[REDACTED]y aXbbc(d)')
  })
})

describe('createLogger', () => {
  it('never prints a value: SecretValue fields, registered values, nested fields, JSON mode', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) })
    logger.registerSecret('tok-ABCDEF')
    logger.info('connecting with tok-ABCDEF', {
      password: new SecretValue('p4ssw0rd!'),
      nested: { header: 'Bearer tok-ABCDEF', list: ['tok-ABCDEF'] },
      error: new Error('failed: tok-ABCDEF'),
    })
    const json = createLogger({
      level: 'info',
      json: true,
      write: (l) => lines.push(l),
      redactor: logger.redactor,
    })
    json.warn('x', { value: 'tok-ABCDEF', n: 3 })
    json.debug('not printed tok-ABCDEF')
    const all = lines.join('\n')
    expect(lines).toHaveLength(2)
    expect(all).not.toContain('tok-ABCDEF')
    expect(all).not.toContain('p4ssw0rd!')
    expect(lines[0]).toMatch(/^INFO {2}connecting with \[REDACTED\] password=\[REDACTED\]/)
    expect(JSON.parse(lines[1]!)).toMatchObject({
      level: 'warn',
      msg: 'x',
      value: '[REDACTED]',
      n: 3,
    })
  })

  it('filters by level and children share the redactor', () => {
    const lines: string[] = []
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) })
    const child = logger.child({ component: 'resolver' })
    logger.registerSecret('child-secret')
    child.info('dropped')
    child.error('oops child-secret')
    expect(lines).toEqual(['ERROR oops [REDACTED] component=resolver'])
    expect(logger.isEnabled('debug')).toBe(false)
  })
})

describe('createMaskingTransform', () => {
  it('masks a value split across chunks', async () => {
    const r = new Redactor()
    r.add('s3cr3t-value')
    expect(await streamThrough(r, ['log: s3c', 'r3t-v', 'alue done\n'])).toBe(
      'log: [REDACTED] done\n',
    )
    expect(await streamThrough(r, ['tail s3cr3t-val'])).toBe('tail s3cr3t-val')
  })

  it('keeps multi-byte characters split across chunks intact', async () => {
    const r = new Redactor()
    r.add('日本語パスワード')
    const bytes = Buffer.from('ok 日本語パスワード ✓ é')
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
    expect(await streamThrough(r, chunks)).toBe('ok [REDACTED] ✓ é')
  })
})
