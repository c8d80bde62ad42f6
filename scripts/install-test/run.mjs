#!/usr/bin/env node
// floe as users install it (issue 12). Packs every workspace package (`pnpm pack`), publishes
// them to a verdaccio registry on 127.0.0.1 (@floe/* served only from there; anything else is
// proxied to the registry npm is configured with), then in fresh folders outside the workspace:
//   (a) a project: npm i @floe/cli @floe/provider-env → validate / get / exec; the same with pnpm
//   (b) a global install into a temp prefix + a folder with floe.yaml and no package.json: env
//       works out of the box; `floe providers add vault`; Vault secrets resolve (testkit emulator)
//   (c) npx -p @floe/cli floe secrets validate
//   (d) a manifest with one uninstalled provider: the other secrets resolve, the missing one is
//       named with a hint that works there
// and prints node_modules sizes (cli+env, cli+vault, all providers) and startup ratios of the
// installed layouts against `node -e ''`. Needs a build. Usage: node scripts/install-test/run.mjs
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startVaultEmulator } from '@floe/testkit'
import { packAll } from '../pack-all.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'floe-install-test-'))
mkdirSync(join(root, 'tmp'))
const started = Date.now()
let passed = 0
let failed = 0
const cleanups = []

function check(label, ok, detail = '') {
  if (ok) passed += 1
  else failed += 1
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label}${ok || !detail ? '' : `\n     ${detail.trim().split('\n').slice(-12).join('\n     ')}`}`,
  )
}

/** Runs a command; resolves { code, stdout, stderr, ms } (never rejects on a non-zero exit). */
function run(cmd, args, { cwd, env, input = '' }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      resolve({ code: code ?? -1, stdout, stderr, ms })
    })
    child.stdin.end(input)
  })
}

async function must(label, cmd, args, options) {
  const result = await run(cmd, args, options)
  if (result.code !== 0) {
    check(
      label,
      false,
      `${cmd} ${args.join(' ')} → exit ${result.code}\n${result.stdout}\n${result.stderr}`,
    )
    throw new Error(`${label} failed`)
  }
  return result
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** The environment of every user command: no npm_* of a parent pnpm run, a private HOME. */
function userEnv(registry, extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|PNPM_|pnpm_|FLOE_|VAULT_|AWS_|INIT_CWD)/i.test(k)) continue
    env[k] = v
  }
  return {
    ...env,
    HOME: join(root, 'home'),
    // temp files, and floe's V8 code cache on Node 20, stay inside this test's root
    TMPDIR: join(root, 'tmp'),
    XDG_DATA_HOME: join(root, 'home', '.local', 'share'),
    npm_config_userconfig: join(root, 'npmrc'),
    npm_config_cache: join(root, 'npm-cache'),
    npm_config_store_dir: join(root, 'pnpm-store'),
    npm_config_registry: registry,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
    ...extra,
  }
}

/** Bytes and package count of a node_modules tree (every installed package, nested ones too). */
function treeSize(dir) {
  let bytes = 0
  let packages = 0
  const walk = (path, parentIsModules) => {
    let entries
    try {
      entries = readdirSync(path, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = join(path, entry.name)
      if (entry.isSymbolicLink()) continue
      if (!entry.isDirectory()) {
        bytes += statSync(full).size
        continue
      }
      if (parentIsModules && entry.name.startsWith('@')) {
        walk(full, true) // a scope folder holds packages
        continue
      }
      if (parentIsModules && !entry.name.startsWith('.')) packages += 1
      walk(full, entry.name === 'node_modules')
    }
  }
  walk(dir, true)
  return { mb: bytes / 1e6, packages }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const MANIFEST_ENV = `secrets:
  db:
    provider: env
    variable: INSTALL_DB_PASS
env:
  DB_PASS: secret://db
`
const MANIFEST_WITH_VAULT = `${MANIFEST_ENV.replace('env:\n  DB_PASS: secret://db\n', '')}  kafka:
    provider: vault
    path: secret/data/install/kafka
    vault: { address: '\${VAULT_ADDR}' }
env:
  DB_PASS: secret://db
`
const DB_VALUE = 'install-db-canary-51c7'
const KAFKA_VALUE = 'install-kafka-canary-07ad'

async function startRegistry() {
  const upstream = (
    await run('npm', ['config', 'get', 'registry'], { cwd: root, env: process.env })
  ).stdout.trim()
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  const dir = join(root, 'registry')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'config.yaml'),
    `storage: ${join(dir, 'storage')}
auth:
  htpasswd:
    file: ${join(dir, 'htpasswd')}
    max_users: 10
uplinks:
  upstream:
    url: ${upstream}
    timeout: 120s
    maxage: 30m
packages:
  '@floe/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    proxy: upstream
max_body_size: 200mb
log: { type: stdout, format: pretty, level: error }
`,
  )
  const bin = join(here, 'node_modules', '.bin', 'verdaccio')
  const child = spawn(
    bin,
    ['--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  )
  cleanups.push(() => child.kill('SIGTERM'))
  for (let i = 0; i < 150; i += 1) {
    try {
      const res = await fetch(`${url}-/ping`)
      if (res.ok) break
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  const res = await fetch(`${url}-/user/org.couchdb.user:ci`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci', password: 'ci-install-test', email: 'ci@example.com' }),
  })
  const { token } = await res.json()
  if (!token) throw new Error(`verdaccio gave no token (${res.status})`)
  writeFileSync(join(root, 'npmrc'), `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`)
  console.log(`registry ${url} (proxying ${upstream} for non-floe packages)`)
  return url
}

async function publishAll(registry) {
  const tarballs = packAll(join(root, 'tarballs'))
  const env = userEnv(registry)
  const results = await Promise.all(
    tarballs.map((t) => run('npm', ['publish', t, '--access', 'public'], { cwd: root, env })),
  )
  const bad = results.filter((r) => r.code !== 0)
  check(
    `published ${tarballs.length} packed packages`,
    bad.length === 0,
    bad.map((r) => r.stderr).join('\n'),
  )
  if (bad.length) throw new Error('publish failed')
  return tarballs.map((t) => t.split('/').pop())
}

function folder(name, files) {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  return dir
}

/** validate / get / exec on the env secret, and the hint for a missing provider. */
async function envChecks(label, floe, cwd, env) {
  const envWith = { ...env, INSTALL_DB_PASS: DB_VALUE }
  const validate = await run(floe[0], [...floe.slice(1), 'secrets', 'validate'], {
    cwd,
    env: envWith,
  })
  check(`${label}: secrets validate`, validate.code === 0, validate.stdout + validate.stderr)
  const get = await run(floe[0], [...floe.slice(1), 'secrets', 'get', 'db', '--reveal'], {
    cwd,
    env: envWith,
  })
  check(`${label}: secrets get --reveal`, get.stdout === `${DB_VALUE}\n`, get.stdout + get.stderr)
  const exec = await run(
    floe[0],
    [
      ...floe.slice(1),
      'secrets',
      'exec',
      '--',
      process.execPath,
      '-e',
      `process.exit(process.env.DB_PASS === ${JSON.stringify(DB_VALUE)} ? 0 : 7)`,
    ],
    { cwd, env: envWith },
  )
  check(`${label}: secrets exec sees DB_PASS`, exec.code === 0, exec.stdout + exec.stderr)
}

async function projectCase(registry, manager) {
  const label = `(a/e) project, ${manager}`
  const dir = folder(`project-${manager}`, {
    'package.json': JSON.stringify({ name: `team-${manager}`, private: true }),
    'floe.yaml': MANIFEST_ENV,
  })
  const env = userEnv(registry)
  const install =
    manager === 'npm'
      ? ['npm', ['install', '@floe/cli', '@floe/provider-env']]
      : ['npx', ['--yes', 'pnpm@10.34.8', 'add', '@floe/cli', '@floe/provider-env']]
  await must(`${label}: install`, install[0], install[1], { cwd: dir, env })
  const floe = [join(dir, 'node_modules', '.bin', 'floe')]
  await envChecks(label, floe, dir, env)
  const bins = readdirSync(join(dir, 'node_modules', '.bin'))
  check(
    `${label}: no npm/npx/yarn in node_modules/.bin`,
    !bins.some((b) => /^(npm|npx|yarn|yarnpkg)$/.test(b)),
    bins.join(' '),
  )
  // (d) in a project, the hint is the project's package manager
  writeFileSync(join(dir, 'floe.yaml'), MANIFEST_WITH_VAULT)
  const validate = await run(floe[0], ['secrets', 'validate'], {
    cwd: dir,
    env: { ...env, INSTALL_DB_PASS: DB_VALUE, VAULT_ADDR: 'http://127.0.0.1:9' },
  })
  const expected =
    manager === 'npm' ? 'npm install @floe/provider-vault' : 'pnpm add @floe/provider-vault'
  check(
    `${label}: missing vault → "${expected}"`,
    validate.code === 1 && validate.stdout.includes(expected),
    validate.stdout + validate.stderr,
  )
  return { dir, floe, env }
}

async function globalCase(registry, vault) {
  const label = '(b) global'
  const prefix = join(root, 'global-prefix')
  const env = userEnv(registry, { FLOE_DATA_DIR: join(root, 'global-data') })
  await must(
    `${label}: npm i -g @floe/cli`,
    'npm',
    ['install', '-g', '--prefix', prefix, '@floe/cli'],
    { cwd: root, env },
  )
  const floe = [join(prefix, 'bin', 'floe')]
  const work = folder('global-work', { 'floe.yaml': MANIFEST_ENV })
  await envChecks(label, floe, work, env)

  // (d) one provider not installed: the env secret still resolves, vault is named with its hint
  writeFileSync(join(work, 'floe.yaml'), MANIFEST_WITH_VAULT)
  const vaultEnv = {
    ...env,
    INSTALL_DB_PASS: DB_VALUE,
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.rootToken,
  }
  const get = await run(floe[0], ['secrets', 'get', 'db', '--reveal'], { cwd: work, env: vaultEnv })
  check(
    '(d) uninstalled vault: the env secret still resolves',
    get.code === 0 && get.stdout === `${DB_VALUE}\n`,
    get.stdout + get.stderr,
  )
  check(
    '(d) … and the vault one is named at its line with `floe providers add vault`',
    /floe\.yaml:\d+:\d+: secret kafka: provider "vault" is not installed \(package @floe\/provider-vault\); run `floe providers add vault`/.test(
      get.stderr,
    ),
    get.stderr,
  )
  const validate = await run(floe[0], ['secrets', 'validate', '--json'], {
    cwd: work,
    env: vaultEnv,
  })
  let skipped = []
  try {
    skipped = JSON.parse(validate.stdout).skipped ?? []
  } catch {
    // not JSON: the check below fails and prints the output
  }
  check(
    '(d) validate exits 1 and --json lists kafka as skipped',
    validate.code === 1 && skipped.map((s) => s.secret).join() === 'kafka',
    validate.stdout + validate.stderr,
  )

  const add = await run(floe[0], ['providers', 'add', 'vault'], { cwd: work, env })
  check(`${label}: floe providers add vault`, add.code === 0, add.stdout + add.stderr)
  const kafka = await run(floe[0], ['secrets', 'get', 'kafka/password', '--reveal'], {
    cwd: work,
    env: vaultEnv,
  })
  check(
    `${label}: the Vault secret resolves against the emulator`,
    kafka.stdout === `${KAFKA_VALUE}\n`,
    kafka.stdout + kafka.stderr,
  )
  const providers = await run(floe[0], ['secrets', 'providers', '--json'], { cwd: work, env })
  let sources = {}
  try {
    sources = Object.fromEntries(
      JSON.parse(providers.stdout).result.installed.map((p) => [p.name, p.source]),
    )
  } catch {
    // not JSON: the check below fails and prints the output
  }
  check(
    `${label}: secrets providers says vault: data-dir, env: built-in`,
    sources.vault === 'data-dir' && sources.env === 'built-in',
    providers.stdout + providers.stderr,
  )
  const plugins = await run(floe[0], ['plugins', 'install', '@floe/provider-vault'], {
    cwd: work,
    env,
  })
  check(
    `${label}: floe plugins install points to floe providers add`,
    plugins.code === 2 && plugins.stderr.includes('providers add'),
    plugins.stderr,
  )
  return { floe, work, env }
}

async function npxCase(registry) {
  const work = folder('npx-work', { 'floe.yaml': MANIFEST_ENV })
  const env = userEnv(registry, { INSTALL_DB_PASS: DB_VALUE })
  const result = await run('npx', ['--yes', '-p', '@floe/cli', 'floe', 'secrets', 'validate'], {
    cwd: work,
    env,
  })
  check(
    '(c) npx -p @floe/cli floe secrets validate',
    result.code === 0,
    result.stdout + result.stderr,
  )
  return { work, env }
}

async function sizeOf(registry, label, packages) {
  const dir = folder(`size-${label}`, {
    'package.json': JSON.stringify({ name: `size-${label}`, private: true }),
  })
  await must(`size ${label}: npm install`, 'npm', ['install', ...packages], {
    cwd: dir,
    env: userEnv(registry),
  })
  const { mb, packages: count } = treeSize(join(dir, 'node_modules'))
  return `${label}: ${mb.toFixed(1)} MB, ${count} packages`
}

async function main() {
  const registry = await startRegistry()
  const names = await publishAll(registry)
  const vault = await startVaultEmulator()
  cleanups.push(() => vault.close())
  vault.writeKv('secret/install/kafka', { password: KAFKA_VALUE })

  const [npmProject, , globalInstall, npx] = await Promise.all([
    projectCase(registry, 'npm'),
    projectCase(registry, 'pnpm'),
    globalCase(registry, vault),
    npxCase(registry),
  ])

  const providers = names
    .map((n) => n.replace(/^floe-/, '@floe/').replace(/-\d+\.\d+\.\d+.*\.tgz$/, ''))
    .filter((n) => /^@floe\/(provider|emit)-/.test(n))
  const sizes = await Promise.all([
    sizeOf(registry, 'cli+env', ['@floe/cli', '@floe/provider-env']),
    sizeOf(registry, 'cli+vault', ['@floe/cli', '@floe/provider-vault']),
    // every provider and emitter (DuckDB's native bindings, all cloud SDKs): minutes of
    // downloads, so only on request
    ...(process.env.FLOE_INSTALL_SIZES === 'all'
      ? [sizeOf(registry, 'cli+all-providers-and-emitters', ['@floe/cli', ...providers])]
      : []),
  ])
  console.log(`\nnode_modules (npm): ${sizes.join('; ')}`)

  await startupRatios(npmProject, globalInstall, npx)
}

/** 50 env secrets (as `pnpm bench cli`): one pair of variables each, or one line of .env. */
function benchManifest(count, envFile) {
  const secret = (i) =>
    envFile
      ? `  secret_${i}:\n    provider: env\n    env_file: ${envFile}\n    variable: VAR_${i}\n`
      : `  secret_${i}:\n    provider: env\n    variables:\n      user: USER_${i}\n      password: PASSWORD_${i}\n`
  return `secrets:\n${Array.from({ length: count }, (_, i) => secret(i)).join('')}`
}

/**
 * Startup of the installed layouts (issue 17), the figures of `pnpm bench cli`: every round
 * runs each command once, interleaved, and each figure is the median of its per-round ratios
 * to `node -e ''` in the same round, so load drifting during the run moves both sides.
 * Reported, never asserted: times depend on the machine.
 */
async function startupRatios(npmProject, globalInstall, npx) {
  const files = {
    'validate.yaml': benchManifest(50),
    'exec.yaml': benchManifest(50, '.env'),
    '.env': Array.from({ length: 50 }, (_, i) => `VAR_${i}=value-${i}\n`).join(''),
  }
  // inside the npm project (its package.json), and a folder with no package.json for npx
  const inProject = join(npmProject.dir, 'startup')
  mkdirSync(inProject, { recursive: true })
  for (const [file, text] of Object.entries(files)) writeFileSync(join(inProject, file), text)
  const outside = folder('startup-npx', files)
  const validate = ['secrets', 'validate', '--offline', '-m', 'validate.yaml']
  const exec = ['secrets', 'exec', '-m', 'exec.yaml', '--', 'true']
  const project = { cwd: inProject, env: npmProject.env }
  const npxRun = (args) => [
    'npx',
    ['--yes', '-p', '@floe/cli', 'floe', ...args],
    { cwd: outside, env: npx.env },
  ]
  const commands = {
    "node -e ''": [process.execPath, ['-e', ''], { cwd: root, env: process.env }],
    'project floe --version': [npmProject.floe[0], ['--version'], project],
    'project floe secrets validate --offline (50 env secrets)': [
      npmProject.floe[0],
      validate,
      project,
    ],
    'project floe secrets exec -- true (50 variables from .env)': [
      npmProject.floe[0],
      exec,
      project,
    ],
    'global floe --version': [
      globalInstall.floe[0],
      ['--version'],
      { cwd: globalInstall.work, env: globalInstall.env },
    ],
    'npx -p @floe/cli floe --version': npxRun(['--version']),
    'npx -p @floe/cli floe secrets validate --offline': npxRun(validate),
    'npx -p @floe/cli floe secrets exec -- true': npxRun(exec),
  }
  const rounds = Number(process.env.FLOE_INSTALL_STARTUP_ROUNDS ?? 5)
  const times = Object.fromEntries(Object.keys(commands).map((label) => [label, []]))
  for (let round = 0; round <= rounds; round += 1) {
    for (const [label, [cmd, args, options]] of Object.entries(commands)) {
      const result = await run(cmd, args, options)
      if (result.code !== 0) {
        check(`startup: ${label} runs`, false, result.stdout + result.stderr)
        return
      }
      if (round > 0) times[label].push(result.ms) // round 0 warms the file cache
    }
  }
  const base = times["node -e ''"]
  console.log(
    `startup (medians of ${rounds} interleaved rounds; node -e '' = ${median(base).toFixed(0)} ms):`,
  )
  for (const [label, ms] of Object.entries(times)) {
    if (ms === base) continue
    const ratio = median(ms.map((t, i) => t / base[i]))
    console.log(`  ${label}: ${ratio.toFixed(2)}× (${median(ms).toFixed(0)} ms)`)
  }
}

try {
  await main()
} catch (error) {
  if (!String(error.message).endsWith('failed'))
    check('install test ran', false, error.stack ?? String(error))
} finally {
  for (const cleanup of cleanups.reverse()) {
    // an emulator's close waits for idle keep-alive sockets: do not let it hold the run
    await Promise.race([
      Promise.resolve()
        .then(cleanup)
        .catch(() => undefined),
      new Promise((r) => setTimeout(r, 2000)),
    ])
  }
  if (!process.env.FLOE_KEEP_INSTALL_TEST) rmSync(root, { recursive: true, force: true })
  console.log(`\ninstall test: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  console.log(`${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}
