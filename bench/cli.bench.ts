import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { it } from 'vitest'
import { median, report } from './report.js'

const repo = resolve(import.meta.dirname, '..')
const floe = join(repo, 'apps/floe/bin/run.js')
const ROUNDS = 15
const WARMUP_ROUNDS = 2 // the first rounds warm the file cache

function timeRun(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`)
  return ms
}

it('CLI startup: validate --offline on a 50-secret env manifest and --version, vs node -e ""', () => {
  if (!existsSync(join(repo, 'apps/floe/dist')))
    throw new Error('run `pnpm build` before `pnpm bench cli`')
  // The manifest lives inside the repo so discovery sees the root package.json's providers.
  const dir = mkdtempSync(join(repo, 'bench', 'results', 'cli-'))
  const secrets = Array.from(
    { length: 50 },
    (_, i) =>
      `  secret_${i}:\n    provider: env\n    variables:\n      user: USER_${i}\n      password: PASSWORD_${i}\n`,
  ).join('')
  writeFileSync(join(dir, 'floe.yaml'), `secrets:\n${secrets}`)
  const env = {
    ...process.env,
    NO_COLOR: '1',
    HOME: mkdtempSync(join(tmpdir(), 'floe-bench-home-')),
  }

  // Rounds interleave the three commands, and each ratio is the median of per-round ratios:
  // when the machine's load drifts (other jobs), both sides of a ratio see the same load.
  const variants = {
    baseline: ['-e', ''],
    validate: [floe, 'secrets', 'validate', '--offline'],
    version: [floe, '--version'],
  }
  const times = { baseline: [] as number[], validate: [] as number[], version: [] as number[] }
  for (let round = 0; round < ROUNDS + WARMUP_ROUNDS; round += 1) {
    for (const [name, args] of Object.entries(variants) as [keyof typeof variants, string[]][]) {
      const ms = timeRun(args, dir, env)
      if (round >= WARMUP_ROUNDS) times[name].push(ms)
    }
  }
  const ratio = (name: 'validate' | 'version') =>
    median(times[name].map((ms, i) => ms / (times.baseline[i] as number)))
  const validateRatio = ratio('validate')

  report({
    name: 'node -e "" (baseline)',
    value: Number(median(times.baseline).toFixed(1)),
    unit: 'ms median',
  })
  report({
    name: 'floe secrets validate --offline, 50 env secrets',
    value: Number(median(times.validate).toFixed(1)),
    unit: 'ms median',
  })
  report({
    name: 'floe --version',
    value: Number(median(times.version).toFixed(1)),
    unit: 'ms median',
  })
  report({
    name: 'validate --offline / node baseline',
    value: Number(validateRatio.toFixed(2)),
    unit: '× (median of per-round ratios)',
    target: '≤ 3×',
    ok: validateRatio <= 3,
  })
  report({
    name: 'floe --version / node baseline',
    value: Number(ratio('version').toFixed(2)),
    unit: '× (median of per-round ratios)',
  })
})
