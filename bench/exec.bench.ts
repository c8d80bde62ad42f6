import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import { it } from 'vitest'
import { median, report } from './report.js'

// Masked `floe secrets exec` throughput (issue 16): a child `cat`s 200 MB (random bytes and
// text with values) into a pipe read by `wc -c`; the same through `--no-mask` and plain `cat`.
// The text half is the worst case (two values in every 65-byte line: 3.2 M masks); a second
// figure is 200 MB of binary output without values, the case the native needle search skips.
// Rounds interleave the three, each ratio is the median of per-round ratios (the machine's load
// drifts alike for both sides of a ratio). Startup of floe is in both exec figures.

const repo = resolve(import.meta.dirname, '..')
const floe = join(repo, 'apps/floe/bin/run.cjs')
const ROUNDS = Number(process.env.FLOE_BENCH_ROUNDS ?? 3)
const SIZE = Number(process.env.FLOE_BENCH_EXEC_MB ?? 200) * 1024 * 1024

const MASK = '[REDACTED]'

/** Runs `line` (ends in `| wc -c`); fails unless it printed `bytes`. */
function wall(line: string, cwd: string, env: NodeJS.ProcessEnv, bytes = SIZE): number {
  const start = process.hrtime.bigint()
  const result = spawnSync('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0 || result.stdout.toString().trim() !== String(bytes))
    throw new Error(
      `${line}: exit ${result.status}, ${result.stdout.toString()} ${result.stderr.toString()}`,
    )
  return ms
}

it('exec: masked throughput on 200 MB vs --no-mask and cat', { timeout: 900_000 }, () => {
  const workDir = join(repo, '.floe-tmp')
  mkdirSync(workDir, { recursive: true })
  const dir = mkdtempSync(join(workDir, 'bench-exec-'))
  try {
    const password = 'pw-bench-9f3a-not-real'
    writeFileSync(
      join(dir, 'floe.yaml'),
      'secrets:\n  db:\n    provider: env\n    variables:\n      password: BENCH_DB_PASSWORD\n      user: BENCH_DB_USER\nenv:\n  DB_PASSWORD: secret://db/password\n  DB_USER: secret://db/user\n',
    )
    const file = join(dir, 'data.bin')
    const fd = openSync(file, 'w')
    const text = Buffer.from(
      `log line for analyst with ${password} and more text é😀\n`.repeat(1024),
    )
    // masked output: each value in the text blocks becomes MASK (random blocks draw none)
    let maskedSize = 0
    const user = 'analyst'
    const maskedText = text.toString().replaceAll(password, MASK).replaceAll(user, MASK)
    for (let written = 0; written < SIZE;) {
      const isText = written % (2 * text.length) === 0
      const block = isText ? text : randomBytes(text.length)
      const part = block.subarray(0, Math.min(block.length, SIZE - written))
      writeSync(fd, part)
      written += part.length
      maskedSize +=
        isText && part.length === text.length ? Buffer.byteLength(maskedText) : part.length
    }
    closeSync(fd)
    // binary output without values (a dump, an image): what the needle search skips in bulk
    const binaryFd = openSync(join(dir, 'binary.bin'), 'w')
    for (let written = 0; written < SIZE; written += 1 << 20)
      writeSync(binaryFd, randomBytes(Math.min(1 << 20, SIZE - written)))
    closeSync(binaryFd)
    const env = {
      ...process.env,
      BENCH_DB_PASSWORD: password,
      BENCH_DB_USER: user,
      NO_COLOR: '1',
    }
    const node = JSON.stringify(process.execPath)
    const lines = {
      masked: `${node} ${floe} secrets exec -- cat data.bin | wc -c`,
      noMask: `${node} ${floe} secrets exec --no-mask -- cat data.bin | wc -c`,
      cat: `cat data.bin | wc -c`,
      binaryMasked: `${node} ${floe} secrets exec -- cat binary.bin | wc -c`,
      binaryNoMask: `${node} ${floe} secrets exec --no-mask -- cat binary.bin | wc -c`,
    }
    wall(lines.cat, dir, env) // warm the file cache
    const toNoMask: number[] = []
    const toCat: number[] = []
    const maskedMs: number[] = []
    const binaryToNoMask: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const masked = wall(lines.masked, dir, env, maskedSize)
      const noMask = wall(lines.noMask, dir, env)
      const cat = wall(lines.cat, dir, env)
      maskedMs.push(masked)
      toNoMask.push(masked / noMask)
      toCat.push(masked / cat)
      binaryToNoMask.push(wall(lines.binaryMasked, dir, env) / wall(lines.binaryNoMask, dir, env))
    }
    const ratio = Math.round(median(toNoMask) * 100) / 100
    report({
      name: 'exec: masked 200 MB, time ÷ --no-mask',
      value: ratio,
      unit: '×',
      target: '≤ 1.5×',
      ok: ratio <= 1.5,
    })
    report({
      name: 'exec: masked 200 MB, time ÷ plain cat',
      value: Math.round(median(toCat) * 100) / 100,
      unit: '×',
    })
    report({
      name: 'exec: masked 200 MB of binary output (no values), time ÷ --no-mask',
      value: Math.round(median(binaryToNoMask) * 100) / 100,
      unit: '×',
    })
    report({
      name: 'exec: masked 200 MB throughput',
      value: Math.round(SIZE / 1024 / 1024 / (median(maskedMs) / 1000)),
      unit: 'MB/s',
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
