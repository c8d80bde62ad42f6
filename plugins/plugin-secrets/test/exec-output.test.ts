import { spawn, type ChildProcess } from 'node:child_process'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { Redactor } from '@floe/core'
import { pipeMasked } from '../src/lib/exec-output.js'

const VALUE = 'pw-77e1-not-real'

/** A child running `script` with node; its stdout is the pipe under test. */
function child(script: string): ChildProcess {
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
}

/** An output that completes each write later (a slow reader): the reads must not overwrite it. */
function slowTarget(received: Buffer[], delayMs = 1): Writable {
  return new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      const copy = Buffer.from(chunk)
      setTimeout(() => {
        received.push(copy)
        callback()
      }, delayMs)
    },
  })
}

const closed = (c: ChildProcess) =>
  new Promise<number>((resolve) =>
    c.once('close', (code, signal) => resolve(code ?? (signal ? -1 : 0))),
  )

describe('exec output copy (pooled reads, masked in place)', () => {
  it('writes every byte, masked, before the child counts as closed, however slow the reader', async () => {
    const redactor = new Redactor()
    redactor.add(VALUE)
    // 8 MB of lines with the value at every offset against the 256 KiB reads, then exit 3
    const script = `
      const line = (i) => 'line ' + i + ' ' + 'x'.repeat(i % 97) + ' ${VALUE} end\\n'
      let out = ''
      for (let i = 0; i < 60000; i++) out += line(i)
      process.stdout.write(out, () => process.exit(3))`
    let expected = ''
    for (let i = 0; i < 60000; i++) expected += `line ${i} ${'x'.repeat(i % 97)} [REDACTED] end\n`
    const received: Buffer[] = []
    const proc = child(script)
    pipeMasked(proc.stdout!, slowTarget(received), redactor, () => {})
    expect(await closed(proc)).toBe(3)
    // at 'close' everything is written: nothing arrives later
    const atClose = Buffer.concat(received).toString()
    expect(atClose.length).toBe(expected.length)
    expect(atClose === expected).toBe(true)
    expect(received.length).toBeGreaterThan(10)
  })

  it('passes binary output through byte-exact with values in it masked', async () => {
    const redactor = new Redactor()
    redactor.add(VALUE)
    const script = `
      const { randomBytes } = require('node:crypto')
      const seed = randomBytes(1 << 20)
      const parts = []
      for (let i = 0; i < 6; i++) parts.push(seed, Buffer.from('${VALUE}'))
      process.stdout.write(Buffer.concat(parts))`
    const received: Buffer[] = []
    const proc = child(script)
    pipeMasked(proc.stdout!, slowTarget(received, 0), redactor, () => {})
    await closed(proc)
    const out = Buffer.concat(received)
    expect(out.includes(Buffer.from(VALUE))).toBe(false)
    const parts = out.toString('latin1').split('[REDACTED]')
    expect(parts.length).toBeGreaterThanOrEqual(7)
    expect(out.length).toBe(6 * (1 << 20) + 6 * '[REDACTED]'.length)
  })

  it('on EPIPE tells the caller the reader is gone and closes the pipe, so the child ends', async () => {
    const redactor = new Redactor()
    redactor.add(VALUE)
    const proc = child(`setInterval(() => process.stdout.write('${VALUE} y\\n'.repeat(1000)), 1)`)
    const gone = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
      },
    })
    let told = 0
    pipeMasked(proc.stdout!, gone, redactor, () => {
      told++
      proc.kill('SIGPIPE')
    })
    await closed(proc) // node ignores SIGPIPE: it ends on its own EPIPE
    expect(told).toBe(1)
  })

  it('shows a prompt at once but never a possible start of a value while the child pauses', async () => {
    const redactor = new Redactor()
    redactor.add(VALUE)
    const proc = child(`
      process.stdout.write('Value: ${VALUE.slice(0, 7)}')
      setTimeout(() => process.stdout.write('${VALUE.slice(7)} ok\\n'), 1500)`)
    const received: Buffer[] = []
    pipeMasked(proc.stdout!, slowTarget(received, 0), redactor, () => {})
    const text = () => Buffer.concat(received).toString()
    for (let waited = 0; !text().includes('Value: ') && waited < 20_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20))
    await new Promise((resolve) => setTimeout(resolve, 200)) // several idle periods
    expect(text()).toBe('Value: ')
    await closed(proc)
    expect(text()).toBe('Value: [REDACTED] ok\n')
  })
})
