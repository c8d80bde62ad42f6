import { StringDecoder } from 'node:string_decoder'
import { Transform, type TransformCallback } from 'node:stream'
import type { Redactor } from './redactor.js'

/**
 * Masks the redactor's values in a byte stream (a child's stdout/stderr under `floe secrets
 * exec`). A value may arrive split across chunks, so up to `maxLength - 1` characters are held
 * back until the next chunk (or the end) shows whether they start a value. Output is exactly
 * `redactor.redact(whole input)`, whatever the chunking.
 */
export function createMaskingTransform(redactor: Redactor): Transform {
  const decoder = new StringDecoder('utf8')
  let carry = ''

  const maskText = (text: string, final: boolean): string => {
    const buffer = carry + text
    const re = redactor.pattern()
    if (!re) {
      carry = ''
      return buffer
    }
    if (final) {
      carry = ''
      return redactor.redact(buffer)
    }
    // Any value starting before safeEnd lies entirely inside the buffer, so matches found
    // there are final; from safeEnd on, a value could still be completed by the next chunk.
    const safeEnd = buffer.length - (redactor.maxLength - 1)
    let out = ''
    let pos = 0
    for (let m = re.exec(buffer); m !== null; m = re.exec(buffer)) {
      if (m.index >= safeEnd) break
      out += buffer.slice(pos, m.index) + redactor.mask
      pos = m.index + m[0].length
    }
    const cut = Math.max(pos, safeEnd)
    out += buffer.slice(pos, cut)
    carry = buffer.slice(cut)
    return out
  }

  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk)
      const out = maskText(text, false)
      callback(null, out.length ? out : undefined)
    },
    flush(callback: TransformCallback) {
      const out = maskText(decoder.end(), true)
      callback(null, out.length ? out : undefined)
    },
  })
}
