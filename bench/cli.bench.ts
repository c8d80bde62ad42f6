import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { startAwsEmulator, startVaultEmulator } from '@floe/testkit'
import { it } from 'vitest'
import { median, report } from './report.js'

// Startup of the built CLI (issue 17), as ratios to a bare `node -e ''` measured in the same
// rounds: rounds interleave every command, and each ratio is the median of per-round ratios, so
// when the machine's load drifts both sides of a ratio see the same load. Each run's CPU time
// (user + system, read in the child at exit) is reported beside wall time: on a shared machine
// it moves less with the load. dotenv-cli and dotenvx run on the same .env as `floe secrets exec`.

const repo = resolve(import.meta.dirname, '..')
const floe = join(repo, 'apps/floe/bin/run.cjs')
const requireHere = createRequire(import.meta.url)
const binOf = (pkg: string, bin: string) => {
  const manifest = requireHere.resolve(`${pkg}/package.json`)
  const bins = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin
  return join(dirname(manifest), bins[bin] as string)
}
const ROUNDS = Number(process.env.FLOE_BENCH_ROUNDS ?? 15)
const WARMUP_ROUNDS = 2 // the first rounds warm the file cache

const resultsDir = join(import.meta.dirname, 'results')
// Projects whose nearest package.json is the repository's: every first-party package installed
// (bench/package.json, nearer to bench/results, lists only a few). Git ignores .floe-tmp/.
const workDir = join(repo, '.floe-tmp')
// Preloaded into every measured process: appends its CPU time at exit, and the CPU time and
// CommonJS module count when it first opens a socket (the first network byte follows).
const probe = join(resultsDir, 'cpu-probe.cjs')
const PROBE_SOURCE = `const fs = require('node:fs')
const net = require('node:net')
const out = process.env.FLOE_BENCH_PROBE_OUT
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
let connected = false
const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  if (!connected && out) {
    connected = true
    fs.appendFileSync(out, JSON.stringify({ connect: cpu(), cjsModules: Object.keys(require.cache).length }) + '\\n')
  }
  return connect.apply(this, args)
}
process.on('exit', () => { if (out) fs.appendFileSync(out, JSON.stringify({ exit: cpu() }) + '\\n') })
`

interface Run {
  wall: number
  cpu: number
  connect?: number
  cjsModules?: number
}

function readProbe(out: string, wall: number): Run {
  const run: Run = { wall, cpu: NaN }
  for (const line of readFileSync(out, 'utf8').trim().split('\n')) {
    const entry = JSON.parse(line) as { exit?: number; connect?: number; cjsModules?: number }
    if (entry.exit !== undefined) run.cpu = entry.exit
    if (entry.connect !== undefined) {
      run.connect = entry.connect
      run.cjsModules = entry.cjsModules
    }
  }
  return run
}

function timeRun(args: string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const out = join(resultsDir, `probe-${process.pid}.jsonl`)
  rmSync(out, { force: true })
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, ['--require', probe, ...args], {
    cwd,
    env: { ...env, FLOE_BENCH_PROBE_OUT: out },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`)
  return readProbe(out, wall)
}

/** As timeRun, without blocking this process (its emulators must answer). */
async function timeRunAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const out = join(resultsDir, `probe-${process.pid}.jsonl`)
  rmSync(out, { force: true })
  const start = process.hrtime.bigint()
  const child = spawn(process.execPath, ['--require', probe, ...args], {
    cwd,
    env: { ...env, FLOE_BENCH_PROBE_OUT: out },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((done) => child.on('close', done))
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr}`)
  return readProbe(out, wall)
}

function envManifest(count: number, envFile?: string): string {
  const secrets = Array.from({ length: count }, (_, i) =>
    envFile
      ? `  secret_${i}:\n    provider: env\n    env_file: ${envFile}\n    variable: VAR_${i}\n`
      : `  secret_${i}:\n    provider: env\n    variables:\n      user: USER_${i}\n      password: PASSWORD_${i}\n`,
  ).join('')
  return `secrets:\n${secrets}`
}

/** A team project outside the workspace with only @floe/provider-env installed (symlinked). */
function envOnlyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-bench-env-only-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'bench-env-only',
      private: true,
      dependencies: { '@floe/provider-env': '*' },
    }),
  )
  mkdirSync(join(dir, 'node_modules', '@floe'), { recursive: true })
  symlinkSync(join(repo, 'packages/provider-env'), join(dir, 'node_modules/@floe/provider-env'))
  writeFileSync(join(dir, 'floe.yaml'), envManifest(50))
  return dir
}

type Ratio = (a: string, b?: string) => number

function measure(
  variants: Record<string, { args: string[]; cwd: string; env?: NodeJS.ProcessEnv }>,
  env: NodeJS.ProcessEnv,
) {
  const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (let round = 0; round < ROUNDS + WARMUP_ROUNDS; round += 1) {
    for (const [name, variant] of Object.entries(variants)) {
      const run = timeRun(variant.args, variant.cwd, variant.env ?? env)
      if (round >= WARMUP_ROUNDS) runs[name]!.push(run)
    }
  }
  const series = (name: string, field: 'wall' | 'cpu') => runs[name]!.map((r) => r[field])
  const ratioOf =
    (field: 'wall' | 'cpu'): Ratio =>
    (a, b = 'node') => {
      const base = series(b, field)
      return median(series(a, field).map((v, i) => v / (base[i] as number)))
    }
  return {
    wall: (name: string) => median(series(name, 'wall')),
    cpu: (name: string) => median(series(name, 'cpu')),
    wallRatio: ratioOf('wall'),
    cpuRatio: ratioOf('cpu'),
  }
}

it('CLI startup: --version, validate --offline and exec vs node, dotenv-cli and dotenvx', () => {
  if (!existsSync(join(repo, 'apps/floe/dist/cli.js')))
    throw new Error('run `pnpm build` before `pnpm bench cli`')
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(probe, PROBE_SOURCE)
  // Inside the repo, discovery sees the root package.json: every first-party package installed.
  mkdirSync(workDir, { recursive: true })
  const all = mkdtempSync(join(workDir, 'bench-cli-'))
  writeFileSync(join(all, 'floe.yaml'), envManifest(50))
  const exec = mkdtempSync(join(workDir, 'bench-cli-exec-'))
  writeFileSync(
    join(exec, '.env'),
    Array.from({ length: 50 }, (_, i) => `VAR_${i}=value-${i}\n`).join(''),
  )
  writeFileSync(join(exec, 'floe.yaml'), envManifest(50, '.env'))
  const envOnly = envOnlyProject()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    HOME: mkdtempSync(join(tmpdir(), 'floe-bench-home-')),
  }
  // NODE_EXTRA_CA_CERTS (set on these machines) makes Node 20 parse the CA bundle at every
  // start, ≈ 40 ms of `node -e ''`: the ratios below include it, as a user's start would; the
  // same pair without it is measured beside them when it is set.
  const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = env
  const dotenvCli = binOf('dotenv-cli', 'dotenv')
  const dotenvx = binOf('@dotenvx/dotenvx', 'dotenvx')

  const m = measure(
    {
      node: { args: ['-e', ''], cwd: all },
      version: { args: [floe, '--version'], cwd: all },
      validate: { args: [floe, 'secrets', 'validate', '--offline'], cwd: all },
      validateEnvOnly: { args: [floe, 'secrets', 'validate', '--offline'], cwd: envOnly },
      exec: { args: [floe, 'secrets', 'exec', '--', 'true'], cwd: exec },
      dotenvCli: { args: [dotenvCli, '-e', '.env', '--', 'true'], cwd: exec },
      dotenvx: { args: [dotenvx, 'run', '-f', '.env', '--quiet', '--', 'true'], cwd: exec },
      ...(extraCerts === undefined
        ? {}
        : {
            nodeNoCerts: { args: ['-e', ''], cwd: all, env: withoutCerts },
            validateNoCerts: {
              args: [floe, 'secrets', 'validate', '--offline'],
              cwd: all,
              env: withoutCerts,
            },
          }),
    },
    env,
  )
  for (const d of [envOnly, all, exec]) rmSync(d, { recursive: true, force: true })

  const figure = (name: string, label: string) =>
    report({
      name: label,
      value: Number(m.wall(name).toFixed(1)),
      unit: `ms median wall (${m.cpu(name).toFixed(1)} ms CPU)`,
    })
  figure('node', 'node -e "" (baseline)')
  figure('version', 'floe --version')
  figure('validate', 'floe secrets validate --offline, 50 env secrets (all first-party packages)')
  figure('validateEnvOnly', 'floe secrets validate --offline, 50 env secrets (provider-env only)')
  figure('exec', 'floe secrets exec -- true, 50 variables from .env')
  figure('dotenvCli', 'dotenv-cli -e .env -- true')
  figure('dotenvx', 'dotenvx run -f .env -- true')

  const ratio = (label: string, value: number, cpu: number, goal?: number) =>
    report({
      name: label,
      value: Number(value.toFixed(2)),
      unit: `× wall (CPU ${cpu.toFixed(2)}×), median of per-round ratios`,
      ...(goal === undefined ? {} : { target: `≤ ${goal}×`, ok: value <= goal }),
    })
  ratio('floe --version / node', m.wallRatio('version'), m.cpuRatio('version'), 1.3)
  ratio('validate --offline / node', m.wallRatio('validate'), m.cpuRatio('validate'), 1.5)
  ratio('exec -- true / node', m.wallRatio('exec'), m.cpuRatio('exec'), 1.5)
  ratio(
    'exec -- true / dotenv-cli',
    m.wallRatio('exec', 'dotenvCli'),
    m.cpuRatio('exec', 'dotenvCli'),
    1,
  )
  ratio('dotenv-cli / node', m.wallRatio('dotenvCli'), m.cpuRatio('dotenvCli'))
  if (extraCerts !== undefined) {
    figure('nodeNoCerts', 'node -e "" without NODE_EXTRA_CA_CERTS')
    figure('validateNoCerts', 'floe secrets validate --offline without NODE_EXTRA_CA_CERTS')
    ratio(
      'validate --offline / node, both without NODE_EXTRA_CA_CERTS',
      m.wallRatio('validateNoCerts', 'nodeNoCerts'),
      m.cpuRatio('validateNoCerts', 'nodeNoCerts'),
    )
  }
  ratio('dotenvx run / node', m.wallRatio('dotenvx'), m.cpuRatio('dotenvx'))
  // Discovery reads package.json files only: installing every first-party package must not
  // slow the start (target: within 10 % of a project with provider-env alone).
  ratio(
    'validate --offline, all first-party packages / provider-env only',
    m.wallRatio('validate', 'validateEnvOnly'),
    m.cpuRatio('validate', 'validateEnvOnly'),
    1.1,
  )
})

it('CLI: CPU before the first network byte of a resolve, Vault and AWS Secrets Manager', async () => {
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(probe, PROBE_SOURCE)
  const vault = await startVaultEmulator()
  const aws = await startAwsEmulator()
  mkdirSync(workDir, { recursive: true })
  const dir = mkdtempSync(join(workDir, 'bench-cli-remote-'))
  try {
    await fetch(`${vault.url}/v1/secret/data/bench/db`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.rootToken },
      body: JSON.stringify({ data: { password: 'vault-value' } }),
    })
    aws.putSecret('bench/db', { password: 'aws-value' })
    const manifests = {
      vault: `secrets:\n  db:\n    provider: vault\n    path: secret/data/bench/db\n    keys: [password]\n`,
      aws: `secrets:\n  db:\n    provider: aws_secrets_manager\n    secret_id: bench/db\n    keys: [password]\n`,
    }
    const env = {
      ...process.env,
      NO_COLOR: '1',
      HOME: mkdtempSync(join(tmpdir(), 'floe-bench-home-')),
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      ...aws.env(),
    }
    const runs: Record<string, Run[]> = { node: [], vault: [], aws: [] }
    for (const name of Object.keys(manifests) as (keyof typeof manifests)[])
      writeFileSync(join(dir, `${name}.yaml`), manifests[name])
    for (let round = 0; round < Math.max(5, Math.round(ROUNDS / 2)) + 1; round += 1) {
      const node = await timeRunAsync(['-e', ''], dir, env)
      const vaultRun = await timeRunAsync(
        [floe, 'secrets', 'get', 'db', '-m', 'vault.yaml', '--json'],
        dir,
        env,
      )
      const awsRun = await timeRunAsync(
        [floe, 'secrets', 'get', 'db', '-m', 'aws.yaml', '--json'],
        dir,
        env,
      )
      if (round === 0) continue // warm-up
      runs.node!.push(node)
      runs.vault!.push(vaultRun)
      runs.aws!.push(awsRun)
    }
    for (const name of ['vault', 'aws'] as const) {
      const connect = runs[name]!.map((r) => r.connect ?? NaN)
      const ratio = median(connect.map((c, i) => c / (runs.node![i] as Run).cpu))
      report({
        name: `floe secrets get, ${name === 'vault' ? 'Vault' : 'AWS Secrets Manager'}: CPU before the first network byte`,
        value: Number(median(connect).toFixed(1)),
        unit: `ms CPU (${ratio.toFixed(2)}× node -e ''; ${median(runs[name]!.map((r) => r.cjsModules ?? NaN))} CommonJS modules loaded; whole run ${median(runs[name]!.map((r) => r.cpu)).toFixed(1)} ms CPU)`,
      })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await vault.close()
    await aws.close()
  }
})
