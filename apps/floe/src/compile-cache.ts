/**
 * V8's code cache for floe's CommonJS bundles on Node versions without `module.enableCompileCache`
 * (Node 20; from 22.1 bin/run.cjs uses Node's own). Compiling dist/fast.cjs, @floe/core's and
 * a provider's index.cjs is about a quarter of `floe secrets validate`'s own time; from a cache
 * V8 skips it, and the functions that ran are compiled already.
 *
 * Where: one file per source file and command in
 * `<os tmpdir>/floe-compile-cache-<uid>/<node>-<arch>-<flags>/` (`<flags>`: a hash of Node's
 * options, which V8's data depends on), the temp directory as for Node's own cache. Per command
 * because an entry holds the functions that had run when it was made: `exec` from `validate`'s
 * entry compiles its own from source (≈ 4 ms here). A cache is code floe runs, so it is used
 * only from a directory this user created and alone can write (owner checked, mode 0700, no
 * symlink); anything else and floe compiles as without a cache. An entry records the source's
 * path, size and mtime, and a
 * CRC-32 of its data; V8 itself rejects data made by another V8 version, other flags or another
 * source length. Entries are written once, after the command (or again after a rejection),
 * whole (a temporary file renamed into place), so concurrent floe processes never read half a
 * file.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it turns off Node's.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Script } from 'node:vm'

interface CommonJsModule {
  exports: unknown
}
interface ModuleInternals {
  _extensions: Record<string, (module: CommonJsModule, filename: string) => void>
  wrap(source: string): string
}
// taken as it is: a default import of a builtin is a copy of all its properties in the bundle
const Module = process.getBuiltinModule('node:module')
const ModuleApi = Module as unknown as ModuleInternals

/**
 * How floe's CommonJS bundles begin (CODE_CACHE_MARKER in scripts/commonjs-bundle.mjs). Only
 * those are compiled through the cache: on Node 20 a function compiled from V8's code cache
 * loses import(), and they have none (theirs go through a helper Node compiles itself).
 */
export const CODE_CACHE_MARKER = '/* @floe/code-cache */'

/** the cache directory for this user and Node, if it is one only this user can write */
export function trustedCacheDir(base = tmpdir()): string | undefined {
  const uid = process.getuid?.()
  const userDir = join(base, `floe-compile-cache-${uid ?? 'user'}`)
  try {
    // not recursive: a temp directory that does not exist is not created for a cache
    try {
      mkdirSync(userDir, { mode: 0o700 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined
    }
    const stat = lstatSync(userDir)
    if (!stat.isDirectory()) return undefined
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o077) !== 0)) return undefined
    // V8 rejects data made under other flags: runs with other NODE_OPTIONS keep their own
    const flags = hashOf(`${process.execArgv.join('\0')}\0${process.env.NODE_OPTIONS ?? ''}`)
    const dir = join(userDir, `${process.version}-${process.arch}-${flags}`)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    return dir
  } catch {
    return undefined
  }
}

/** FNV-1a of a string, in hex: a short, stable name without loading node:crypto */
function hashOf(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(16).padStart(8, '0')
}

/** which source an entry was written for, and what it was then: path, size and mtime */
const stampOf = (path: string, size: number, mtimeMs: number) => `${path}\0${size}:${mtimeMs}:`

// V8 trusts the data it is given (a damaged entry aborts the process: "Fatal error … unreachable
// code"), so an entry carries a CRC-32 of its data (Node >= 20.15), checked before V8 sees it
const crc32 = (data: Uint8Array): number => process.getBuiltinModule('node:zlib').crc32(data)

/** an entry: the stamp, the data's CRC-32 in hex and a newline, then the data */
const entryOf = (stamp: string, data: Buffer) =>
  Buffer.concat([Buffer.from(`${stamp}${crc32(data).toString(16)}\n`), data])

function readEntry(file: string, stamp: string): Buffer | undefined {
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch {
    return undefined // none yet
  }
  const newline = data.indexOf(10)
  const header = data.toString('utf8', 0, Math.max(newline, 0))
  if (newline < 0 || !header.startsWith(stamp)) return undefined
  const payload = data.subarray(newline + 1)
  return crc32(payload).toString(16) === header.slice(stamp.length) ? payload : undefined
}

export interface CompileCacheReport {
  /** source files compiled from a cache entry V8 accepted */
  used: string[]
  /** source files compiled from source (entry missing, stale or rejected); written on exit */
  written: string[]
}

/** The commands that start without oclif (src/fast-start.ts): each keeps entries of its own. */
const OWN_ENTRIES = new Set(['secrets validate', 'secrets exec', 'secrets get', 'secrets list'])

/**
 * Which command a command line runs, for the name of its entries: `secrets exec` for
 * `floe secrets exec -m x.yaml -- dbt run` (or `secrets:exec`). Every other command line, and
 * a mistyped one, gets the one shared set: the cache does not grow with what people type.
 */
export function commandOf(argv: readonly string[]): string {
  const end = argv.findIndex((arg) => arg.startsWith('-'))
  const words = argv.slice(0, Math.min(end < 0 ? argv.length : end, 2)).join(' ')
  const command = words.replace(':', ' ')
  return OWN_ENTRIES.has(command) ? command : ''
}

/**
 * Compiles `.cjs` files through V8's code cache in `dir` from now on, with entries of their own
 * for `command` (commandOf); returns what it did (FLOE_DEBUG_COMPILE_CACHE=1 prints it on exit).
 */
export function enableCodeCache(dir: string, command = ''): CompileCacheReport {
  const report: CompileCacheReport = { used: [], written: [] }
  const pending: Array<{ script: Script; file: string; stamp: string }> = []
  const compileCommonJs = ModuleApi._extensions['.js']!
  ModuleApi._extensions['.cjs'] = (module, filename) => {
    let source: string
    let stamp: string
    try {
      const stat = statSync(filename)
      stamp = stampOf(filename, stat.size, stat.mtimeMs)
      source = readFileSync(filename, 'utf8')
    } catch {
      return compileCommonJs(module, filename) // as Node reports it
    }
    if (!source.startsWith(CODE_CACHE_MARKER)) return compileCommonJs(module, filename)
    const file = join(dir, `${hashOf(`${filename}\0${command}`)}.bin`)
    const cachedData = readEntry(file, stamp)
    const script = new Script(ModuleApi.wrap(source), {
      filename,
      cachedData,
    })
    if (cachedData === undefined || script.cachedDataRejected) {
      pending.push({ script, file, stamp })
      report.written.push(filename)
    } else report.used.push(filename)
    // resolves and caches as the module's own require() would (relative to its file)
    const require = Module.createRequire(filename)
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void
    wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename))
  }
  process.once('exit', () => {
    for (const { script, file, stamp } of pending) {
      try {
        const temporary = `${file}.${process.pid}.tmp`
        writeFileSync(temporary, entryOf(stamp, script.createCachedData()), { mode: 0o600 })
        renameSync(temporary, file)
      } catch {
        // a full disk or a vanished directory: the next start compiles again
      }
    }
    if (process.env.FLOE_DEBUG_COMPILE_CACHE)
      process.stderr.write(`floe compile cache: ${JSON.stringify(report)}\n`)
  })
  return report
}
