import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const floeBin = join(repoRoot, 'apps/floe/bin/run.cjs')

/** The CLI runs from its build (bin/run.cjs → dist, oclif.manifest.json): fail loudly if absent. */
export function assertBuilt(): void {
  const needed = [
    'apps/floe/dist/project-root.js',
    'plugins/plugin-secrets/dist/commands/secrets/validate.js',
    'packages/core/dist/index.js',
    'packages/core/dist/index.cjs',
    'apps/floe/dist/fast.cjs',
  ]
  const missing = needed.filter((p) => !existsSync(join(repoRoot, p)))
  if (missing.length)
    throw new Error(
      `CLI tests need a build: run \`pnpm build\` first (missing ${missing.join(', ')})`,
    )
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd: string
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
}

/** A clean environment: no cloud credentials, a private HOME, no colour. */
export function isolatedEnv(
  home: string,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    NO_COLOR: '1',
    METADATA_SERVER_DETECTION: 'none',
    AWS_EC2_METADATA_DISABLED: 'true',
    FLOE_ACTOR: 'test@floe',
    // the run's private temp root (scripts/vitest/global-setup.ts): temp files stay inside
    // it, and the manifest search never looks above it
    ...testBoundaries(),
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** TMPDIR and FLOE_CEILING_DIRECTORIES of this test run, for children given a clean env. */
export function testBoundaries(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of ['TMPDIR', 'FLOE_CEILING_DIRECTORIES'] as const) {
    const value = process.env[key]
    if (value) out[key] = value
  }
  return out
}

export function runFloe(args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const home = options.env?.HOME ?? join(options.cwd, '.home')
    mkdirSync(home, { recursive: true })
    const child = spawn(process.execPath, [floeBin, ...args], {
      cwd: options.cwd,
      env: isolatedEnv(home, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code: code ?? -1, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
  })
}

const projectDirs: string[] = []
// Each test file imports this module afresh: its projects go when the file is done.
afterAll(() => {
  for (const dir of projectDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

export interface FixtureProject {
  dir: string
  write(path: string, content: string, mode?: number): string
}

/**
 * A team project OUTSIDE the workspace: its package.json lists `dependencies`, each linked
 * into its node_modules from the workspace (what `npm i` of the published package gives).
 */
export function makeProject(
  dependencies: Record<string, string>,
  extraPackageJson: Record<string, unknown> = {},
): FixtureProject {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'floe-project-')))
  projectDirs.push(dir)
  const deps: Record<string, string> = {}
  for (const [name, source] of Object.entries(dependencies)) {
    deps[name] = '*'
    const target = join(dir, 'node_modules', name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(resolve(repoRoot, source), target, 'dir')
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: 'team-project', private: true, dependencies: deps, ...extraPackageJson },
      null,
      2,
    ),
  )
  return {
    dir,
    write(path, content, mode) {
      const full = join(dir, path)
      mkdirSync(dirname(full), { recursive: true })
      writeFileSync(full, content, mode === undefined ? undefined : { mode })
      return full
    },
  }
}

export function parseJson<
  T = {
    status: string
    result: unknown
    warnings: string[]
    error?: { code: string; message: string }
  },
>(stdout: string): T {
  try {
    return JSON.parse(stdout) as T
  } catch {
    throw new Error(`stdout is not JSON:\n${stdout}`)
  }
}
