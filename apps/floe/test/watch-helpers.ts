import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { floeBin, isolatedEnv } from './helpers.js'

/**
 * The child the watch tests supervise: prints one JSON line with its pid and a hash of the
 * variables named in WATCH_VARS when it starts, the hash of ENV_FILE when it gets SIGHUP, and
 * exits 0 on SIGTERM. It never prints a value.
 */
export const WATCH_CHILD = `
const { createHash } = require('node:crypto')
const fs = require('node:fs')
const sha = (t) => createHash('sha256').update(t).digest('hex')
const names = (process.env.WATCH_VARS || '').split(',').filter(Boolean)
const line = (o) => process.stdout.write(JSON.stringify({ pid: process.pid, ...o }) + '\\n')
process.on('SIGHUP', () => line({ child: 'hup', file: sha(fs.readFileSync(process.env.ENV_FILE, 'utf8')) }))
process.on('SIGTERM', () => { line({ child: 'term' }); process.exit(Number(process.env.EXIT_ON_TERM ?? 0)) })
// handlers first: the start line promises that SIGHUP/SIGTERM are handled
line({ child: 'start', hash: sha(names.map((n) => n + '=' + (process.env[n] ?? '')).join('\\n')) })
if (process.env.EXIT_NOW) process.exit(Number(process.env.EXIT_NOW))
setInterval(() => {}, 60_000)
`

/** What the test's child would print for these values (same formula as WATCH_CHILD). */
export function envHash(values: [string, string][]): string {
  return createHash('sha256')
    .update(values.map(([n, v]) => `${n}=${v}`).join('\n'))
    .digest('hex')
}

export type Line = Record<string, unknown> & { event?: string; child?: string; pid?: number }

export interface WatchRun {
  /**
   * parsed JSON lines, in arrival order: floe's events (stdout) and the child's lines (under
   * --json exec sends the child's stdout to stderr)
   */
  readonly lines: Line[]
  readonly stdout: () => string
  readonly stderr: () => string
  /** resolves with the first line (already seen or coming) that matches; rejects if floe exits first */
  waitFor(match: (line: Line) => boolean, what: string): Promise<Line>
  /** resolves when stderr has a line matching `pattern` */
  waitForStderr(pattern: RegExp): Promise<string>
  /** resolves when stdout has a line matching `pattern` (human output) */
  waitForStdout(pattern: RegExp): Promise<string>
  /** SIGTERM to floe (forwarded to the child); resolves with floe's exit code */
  stop(signal?: NodeJS.Signals): Promise<number>
  readonly exited: Promise<number>
}

/** Starts `floe …` long-running and follows its output line by line (no sleeps, no clocks). */
export function startFloe(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): WatchRun {
  const home = options.env?.HOME ?? join(options.cwd, '.home')
  mkdirSync(home, { recursive: true })
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [floeBin, ...args], {
    cwd: options.cwd,
    env: isolatedEnv(home, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin.end()
  const lines: Line[] = []
  let out = ''
  let err = ''
  const waiters: { match: (l: Line) => boolean; resolve: (l: Line) => void }[] = []
  const stderrLines = lineWaiters(() => err)
  const stdoutLines = lineWaiters(() => out)
  /** Collects each complete JSON line of one stream (a stream's partial line waits for its end). */
  const jsonLines = () => {
    let partial = ''
    return (chunk: Buffer) => {
      partial += chunk.toString()
      let nl = partial.indexOf('\n')
      while (nl !== -1) {
        const text = partial.slice(0, nl)
        partial = partial.slice(nl + 1)
        nl = partial.indexOf('\n')
        let parsed: Line
        try {
          parsed = JSON.parse(text) as Line
        } catch {
          continue
        }
        lines.push(parsed)
        for (const w of [...waiters]) {
          if (w.match(parsed)) {
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve(parsed)
          }
        }
      }
    }
  }
  const stdoutJson = jsonLines()
  const stderrJson = jsonLines()
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
    stdoutLines.check()
    stdoutJson(chunk)
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
    stderrLines.check()
    stderrJson(chunk)
  })
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)))
  const failOnExit = (what: string) =>
    exited.then((code) => {
      throw new Error(`floe exited (${code}) before ${what}\nstdout:\n${out}\nstderr:\n${err}`)
    })
  return {
    lines,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(match, what) {
      const seen = lines.find(match)
      if (seen) return Promise.resolve(seen)
      return Promise.race([
        new Promise<Line>((resolve) => waiters.push({ match, resolve })),
        failOnExit(what),
      ])
    },
    waitForStderr: (pattern) =>
      Promise.race([stderrLines.wait(pattern), failOnExit(`a stderr line matching ${pattern}`)]),
    waitForStdout: (pattern) =>
      Promise.race([stdoutLines.wait(pattern), failOnExit(`a stdout line matching ${pattern}`)]),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}

/** Waits for a line of a growing text (stdout or stderr) that matches a pattern. */
function lineWaiters(text: () => string) {
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = []
  const find = (pattern: RegExp) =>
    text()
      .split('\n')
      .find((l) => pattern.test(l))
  return {
    check() {
      for (const w of [...waiters]) {
        const hit = find(w.pattern)
        if (hit !== undefined) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(hit)
        }
      }
    },
    wait(pattern: RegExp): Promise<string> {
      const hit = find(pattern)
      if (hit !== undefined) return Promise.resolve(hit)
      return new Promise((resolve) => waiters.push({ pattern, resolve }))
    },
  }
}

/** Matches a floe event line by name (and more). */
export const is =
  (event: string, extra: (l: Line) => boolean = () => true) =>
  (l: Line) =>
    l.event === event && extra(l)

/** The values a test used must appear nowhere in floe's output. */
export function expectNoValues(run: WatchRun, values: Record<string, string>): void {
  const text = run.stdout() + run.stderr()
  for (const value of Object.values(values)) expect(text).not.toContain(value)
}
