import { describe, expect, it } from 'vitest'
import { inspect, format } from 'node:util'
import { REDACTED, SecretValue } from '../src/secret-value.js'
import { fetchedFromMap, fetchedFromText, selectKey } from '../src/fetched.js'
import type { FloeError } from '../src/errors.js'

const canary = 'canary-7f3a9c1e-value'

describe('SecretValue', () => {
  it('never shows its value through String, JSON, inspect, format or templates', () => {
    const value = new SecretValue(canary, 'db/password')
    const outputs = [
      String(value),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the point of the test
      `${value}`,
      JSON.stringify({ value, nested: [value] }),
      inspect(value),
      inspect({ deep: { value } }, { depth: 10 }),
      format('%s %o %O %j', value, value, value, value),
      Object.keys(value).join(','),
      JSON.stringify(Object.getOwnPropertyDescriptors(value)),
    ]
    for (const out of outputs) expect(out).not.toContain(canary)
    expect(String(value)).toBe(REDACTED)
    expect(inspect(value)).toContain('db/password')
  })

  it('reveals only on request and compares without revealing', () => {
    const value = new SecretValue(canary)
    expect(value.reveal()).toBe(canary)
    expect(value.equals(canary)).toBe(true)
    expect(value.equals(new SecretValue('other'))).toBe(false)
    expect(new SecretValue('').isEmpty).toBe(true)
  })

  it('cannot be mutated', () => {
    const value = new SecretValue(canary, 'a')
    expect(() => {
      ;(value as unknown as { source: string }).source = 'b'
    }).toThrow()
  })
})

describe('fetched helpers', () => {
  it('exposes JSON object members as keys and keeps plain text single', () => {
    const json = fetchedFromText('{"user":"u","port":5432}', 'db')
    expect(Object.keys(json.keys ?? {})).toEqual(['user', 'port'])
    expect(selectKey(json, 'db', 'port').reveal()).toBe('5432')
    const plain = fetchedFromText('{not json', 'db')
    expect(plain.keys).toBeUndefined()
    expect(() => selectKey(plain, 'db', 'user')).toThrow(/single value/)
  })

  it('missing key is NOT_FOUND naming keys, never values', () => {
    const fetched = fetchedFromMap({ user: canary }, 'db')
    try {
      selectKey(fetched, 'db', 'password')
      expect.unreachable()
    } catch (error) {
      expect((error as FloeError).code).toBe('NOT_FOUND')
      expect((error as Error).message).toContain('user')
      expect((error as Error).message).not.toContain(canary)
    }
  })
})
