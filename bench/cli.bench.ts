import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { it } from 'vitest'
import { median, report } from './report.js'

const repo = resolve(import.meta.dirname, '..')
const floe = join(repo, 'apps/floe/bin/run.js')
const RUNS = 15

function timeRuns(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const samples: number[] = []
  for (let i = 0; i < RUNS + 2; i += 1) {
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0)
      throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`)
    if (i >= 2) samples.push(ms) // first two runs warm the file cache
  }
  return median(samples)
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

  const baseline = timeRuns(['-e', ''], dir, env)
  const validate = timeRuns([floe, 'secrets', 'validate', '--offline'], dir, env)
  const version = timeRuns([floe, '--version'], dir, env)
  report({ name: 'node -e "" (baseline)', value: Number(baseline.toFixed(1)), unit: 'ms median' })
  report({
    name: 'floe secrets validate --offline, 50 env secrets',
    value: Number(validate.toFixed(1)),
    unit: 'ms median',
  })
  report({
    name: 'validate --offline / node baseline',
    value: Number((validate / baseline).toFixed(2)),
    unit: '×',
    target: '≤ 3×',
    ok: validate / baseline <= 3,
  })
  report({
    name: 'floe --version / node baseline',
    value: Number((version / baseline).toFixed(2)),
    unit: '×',
  })
})
