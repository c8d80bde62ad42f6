/**
 * floe's own V8 code cache (src/compile-cache.ts, issue 17): on Node 20, the second start of a
 * command compiles floe's CommonJS bundles from the cache, a bundle compiled from it still
 * reaches what it loads with import() (zod, through dist/import.cjs), a damaged entry (which V8
 * would abort on) is refused and rewritten, and a cache directory others could write is not
 * used. On Node >= 22.1 bin/run.cjs turns on Node's own cache instead, and floe's stays off.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import Module from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commandOf, trustedCacheDir } from '../src/compile-cache.js'
import { assertBuilt, makeProject, runFloe } from './helpers.js'

beforeAll(() => assertBuilt())

const temp = realpathSync(mkdtempSync(join(tmpdir(), 'floe-compile-cache-test-')))
afterAll(() => rmSync(temp, { recursive: true, force: true }))

/** Node >= 22.1: module.enableCompileCache */
const nodeHasItsOwn =
  typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function'

interface Report {
  used: string[]
  written: string[]
}
const reportOf = (stderr: string): Report | undefined => {
  const line = /floe compile cache: (.*)/.exec(stderr)?.[1]
  return line === undefined ? undefined : (JSON.parse(line) as Report)
}

describe('trustedCacheDir', () => {
  it('makes a per-user, per-Node directory that only this user can use (mode 0700)', () => {
    const base = join(temp, 'fresh')
    mkdirSync(base)
    const dir = trustedCacheDir(base)!
    const userDir = join(base, `floe-compile-cache-${process.getuid?.() ?? 'user'}`)
    // …/<node>-<arch>-<hash of Node's options>
    expect(dirname(dir)).toBe(userDir)
    expect(basename(dir)).toMatch(new RegExp(`^${process.version}-${process.arch}-[0-9a-f]{8}$`))
    if (process.getuid) expect(statSync(userDir).mode & 0o777).toBe(0o700)
    if (process.getuid) expect(readdirSync(base)).toHaveLength(1)
    // a temp directory that does not exist gets no cache (and is not created)
    expect(trustedCacheDir(join(temp, 'missing'))).toBeUndefined()
    expect(readdirSync(temp)).not.toContain('missing')
  })

  it.runIf(process.getuid !== undefined)(
    'refuses a directory others can write, a symlink or a file',
    () => {
      const userDir = (base: string) => join(base, `floe-compile-cache-${process.getuid!()}`)
      const writable = join(temp, 'writable')
      mkdirSync(userDir(writable), { recursive: true })
      chmodSync(userDir(writable), 0o777)
      expect(trustedCacheDir(writable)).toBeUndefined()

      const linked = join(temp, 'linked')
      mkdirSync(linked)
      mkdirSync(join(temp, 'elsewhere'), { mode: 0o700 })
      symlinkSync(join(temp, 'elsewhere'), userDir(linked))
      expect(trustedCacheDir(linked)).toBeUndefined()

      const file = join(temp, 'file')
      mkdirSync(file)
      writeFileSync(userDir(file), '')
      expect(trustedCacheDir(file)).toBeUndefined()
    },
  )
})

describe('commandOf', () => {
  it('names the commands that start without oclif, and gives all others one shared name', () => {
    expect(commandOf(['secrets', 'exec', '-m', 'x.yaml', '--', 'dbt', 'run'])).toBe('secrets exec')
    expect(commandOf(['secrets', 'get', 'secret://db/password'])).toBe('secrets get')
    expect(commandOf(['secrets:validate', '--offline'])).toBe('secrets validate')
    expect(commandOf(['secrets', 'list', '--json'])).toBe('secrets list')
    // oclif's commands, a typo, flags alone: the shared set, so the cache stays bounded
    for (const argv of [['secrets', 'status'], ['secrets', 'exce', 'x'], ['--version'], []])
      expect(commandOf(argv), argv.join(' ')).toBe('')
  })
})

describe('floe with the code cache', () => {
  const project = makeProject({ '@floe/provider-env': 'packages/provider-env' })
  project.write(
    'floe.yaml',
    'secrets:\n  db:\n    provider: env\n    variables:\n      user: DB_USER\n',
  )
  // scopes and access: the manifest check import()s core's dist/zod.js
  project.write(
    'scoped.yaml',
    "secrets:\n  db:\n    provider: env\n    variables:\n      user: DB_USER\nscopes:\n  team:\n    secrets: [db]\naccess:\n  - { principal: 'user:a@example.com', role: reader, scope: team }\n",
  )
  const cacheRoot = join(temp, 'tmp')
  mkdirSync(cacheRoot)
  const run = (args: string[]) =>
    runFloe(args, {
      cwd: project.dir,
      env: { DB_USER: 'u', TMPDIR: cacheRoot, FLOE_DEBUG_COMPILE_CACHE: '1' },
    })
  const bundles = [
    '/apps/floe/dist/fast.cjs',
    '/core/dist/index.cjs',
    '/provider-env/dist/index.cjs',
  ]
  /** the one directory the runs above use, under <cacheRoot>/floe-compile-cache-<uid>/ */
  const cacheDirOfRuns = () => {
    const userDir = join(cacheRoot, `floe-compile-cache-${process.getuid?.() ?? 'user'}`)
    const dirs = readdirSync(userDir)
    expect(dirs).toHaveLength(1)
    return join(userDir, dirs[0]!)
  }
  const covers = (files: string[]) => bundles.every((b) => files.some((f) => f.endsWith(b)))

  it.runIf(!nodeHasItsOwn)(
    'writes entries on the first start and compiles from them on the next',
    async () => {
      const first = await run(['secrets', 'validate', '--offline'])
      expect(first.code, first.stderr).toBe(0)
      expect(covers(reportOf(first.stderr)!.written)).toBe(true)

      const second = await run(['secrets', 'validate', '--offline'])
      expect(second.code, second.stderr).toBe(0)
      expect(second.stdout).toBe(first.stdout)
      const report = reportOf(second.stderr)!
      expect(covers(report.used)).toBe(true)
      expect(report.written).toEqual([])

      // import() from a bundle compiled from the cache
      await run(['secrets', 'validate', '--offline', '-m', 'scoped.yaml'])
      const scoped = await run(['secrets', 'validate', '--offline', '-m', 'scoped.yaml'])
      expect(scoped.code, scoped.stdout + scoped.stderr).toBe(0)
      expect(reportOf(scoped.stderr)!.used.some((f) => f.endsWith('/core/dist/index.cjs'))).toBe(
        true,
      )
    },
  )

  it.runIf(!nodeHasItsOwn)(
    'gives each command entries of its own (an entry holds the functions its command ran)',
    async () => {
      await run(['secrets', 'validate', '--offline'])
      const validated = await run(['secrets', 'validate', '--offline'])
      expect(reportOf(validated.stderr)!.written).toEqual([])
      // exec's first start writes its own entries, although validate's are there
      const first = await run(['secrets', 'exec', '--', 'true'])
      expect(first.code, first.stderr).toBe(0)
      expect(covers(reportOf(first.stderr)!.written)).toBe(true)
      const second = await run(['secrets', 'exec', '--', 'true'])
      expect(covers(reportOf(second.stderr)!.used)).toBe(true)
      expect(reportOf(second.stderr)!.written).toEqual([])
      // and validate still has its own
      expect(reportOf((await run(['secrets', 'validate', '--offline'])).stderr)!.written).toEqual(
        [],
      )
    },
  )

  it.runIf(!nodeHasItsOwn)(
    'refuses a damaged entry (V8 would abort on it) and writes it again',
    async () => {
      await run(['secrets', 'validate', '--offline'])
      // the directory of floe's runs (this process has other Node options: another directory)
      const dir = cacheDirOfRuns()
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        const data = readFileSync(path)
        // the data after the header line, every 97th byte flipped
        for (let i = data.indexOf(10) + 200; i < data.length; i += 97) data[i] = data[i]! ^ 0xff
        writeFileSync(path, data)
      }
      const damaged = await run(['secrets', 'validate', '--offline'])
      expect(damaged.code, damaged.stderr).toBe(0)
      expect(damaged.stdout).toMatch(/No errors found/)
      expect(covers(reportOf(damaged.stderr)!.written)).toBe(true)
      const again = await run(['secrets', 'validate', '--offline'])
      expect(covers(reportOf(again.stderr)!.used)).toBe(true)
    },
  )

  it.runIf(!nodeHasItsOwn)('keeps the entries of runs with other Node options apart', async () => {
    await run(['secrets', 'validate', '--offline'])
    const other = await runFloe(['secrets', 'validate', '--offline'], {
      cwd: project.dir,
      env: {
        DB_USER: 'u',
        TMPDIR: cacheRoot,
        FLOE_DEBUG_COMPILE_CACHE: '1',
        NODE_OPTIONS: '--max-semi-space-size=16',
      },
    })
    expect(other.code, other.stderr).toBe(0)
    expect(covers(reportOf(other.stderr)!.written)).toBe(true)
    // the plain run's entries were not overwritten by V8 data made under other flags
    const plain = await run(['secrets', 'validate', '--offline'])
    expect(covers(reportOf(plain.stderr)!.used)).toBe(true)
    expect(reportOf(plain.stderr)!.written).toEqual([])
  })

  it('is off with NODE_DISABLE_COMPILE_CACHE=1, when debugging, and where Node has its own', async () => {
    for (const env of [{ NODE_DISABLE_COMPILE_CACHE: '1' }, { FLOE_DEBUG: '1' }]) {
      const result = await runFloe(['secrets', 'validate', '--offline'], {
        cwd: project.dir,
        env: { DB_USER: 'u', TMPDIR: cacheRoot, FLOE_DEBUG_COMPILE_CACHE: '1', ...env },
      })
      expect(result.code, result.stderr).toBe(0)
      expect(reportOf(result.stderr)).toBeUndefined()
    }
    if (nodeHasItsOwn) {
      const result = await run(['secrets', 'validate', '--offline'])
      expect(result.code, result.stderr).toBe(0)
      expect(reportOf(result.stderr)).toBeUndefined()
    }
  })
})
