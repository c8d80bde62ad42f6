/**
 * scripts/commonjs-bundle.mjs rewrites esbuild's CommonJS output (issue 17): import() calls go
 * through ./import.cjs, builtins a start may not use are required when first read, and
 * esbuild's __toESM shares a module marked __esModule instead of copying it. Each bundle here
 * is built by esbuild with the options floe's bundles use and run by a plain node process, so
 * what is checked is what Node does with the rewritten file.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a build script, plain JavaScript without types
import { commonJsOptions, writeCommonJsOutputs } from '../../../scripts/commonjs-bundle.mjs'
import { assertBuilt, repoRoot } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'floe-commonjs-bundle-'))
mkdirSync(join(dir, 'out'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** bundles entry (already written in dir) as floe does; the rewritten text and esbuild's */
async function bundle(entry: string) {
  const result = await build({
    ...commonJsOptions,
    entryPoints: [join(dir, entry)],
    outdir: join(dir, 'out'),
    bundle: true,
    platform: 'node',
    write: false,
    logLevel: 'silent',
  })
  // write: false, so esbuild hands the files back
  const outputFiles = result.outputFiles!
  writeCommonJsOutputs(outputFiles)
  const [output] = outputFiles
  return { path: output!.path, original: output!.text, text: readFileSync(output!.path, 'utf8') }
}

/** writes a source file of lines into dir */
const writeSource = (name: string, lines: string[]) =>
  writeFileSync(join(dir, name), lines.join('\n'))

/**
 * What `script(path)` prints for the rewritten bundle, checked to be what it prints for esbuild's
 * own output, unchanged (written beside it as `<name>-esbuild.cjs`)
 */
function sameAsEsbuild(
  built: { path: string; original: string },
  name: string,
  script: (path: string) => string,
): unknown {
  const esbuildPath = join(dir, 'out', `${name}-esbuild.cjs`)
  writeFileSync(esbuildPath, built.original)
  const seen = inNode(script(built.path))
  expect(seen).toEqual(inNode(script(esbuildPath)))
  return seen
}

/** runs script in a fresh node process; its stdout parsed as JSON */
function inNode(script: string): unknown {
  const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' })
  expect(run.status, run.stderr).toBe(0)
  return JSON.parse(run.stdout)
}

describe('builtins required when first read', () => {
  it('loads node:fs/promises and node:os only when the bundle first uses them', async () => {
    writeSource('lazy.mjs', [
      "import { readFile } from 'node:fs/promises'",
      "import { EOL } from 'node:os'",
      "export const read = (path) => readFile(path, 'utf8')",
      'export const eol = () => EOL',
    ])
    writeFileSync(join(dir, 'note.txt'), 'a note')
    const built = await bundle('lazy.mjs')
    expect(built.text).toContain('__floeLazyBuiltin("node:fs/promises")')
    const seen = inNode(`
      const loaded = (name) => process.moduleLoadList.includes('NativeModule ' + name)
      const lazy = require(${JSON.stringify(built.path)})
      const before = { promises: loaded('fs/promises'), os: loaded('os') }
      const eol = lazy.eol()
      lazy.read('note.txt').then((text) => console.log(JSON.stringify({
        before, text, eol, after: { promises: loaded('fs/promises'), os: loaded('os') },
      })))
    `)
    expect(seen).toEqual({
      before: { promises: false, os: false },
      text: 'a note',
      eol: '\n',
      after: { promises: true, os: true },
    })
  })

  it('keeps a plain require where the module itself is used, not only its properties', () => {
    // esbuild names a builtin's properties (x.name), but a bundle's own top level may not
    const text = [
      commonJsOptions.banner.js,
      'var zlib = require("node:zlib");',
      'var os = require("node:os");',
      'var tty = require("node:tty");',
      'tty.isatty = () => true;',
      'module.exports = { zlib, release: () => os.release() };',
    ].join('\n')
    const path = join(dir, 'out', 'kept.cjs')
    writeCommonJsOutputs([{ path, text }])
    const written = readFileSync(path, 'utf8')
    expect(written).toContain('var zlib = require("node:zlib");')
    expect(written).toContain('var os = __floeLazyBuiltin("node:os");')
    // a write to the module's property must reach the module
    expect(written).toContain('var tty = require("node:tty");')
    const seen = inNode(`
      const kept = require(${JSON.stringify(path)})
      console.log(JSON.stringify({ same: kept.zlib === require('node:zlib'), release: kept.release() === require('node:os').release() }))
    `)
    expect(seen).toEqual({ same: true, release: true })
  })
})

describe("esbuild's __toESM", () => {
  it('shares a module marked __esModule: live values, and default as Node gives it', async () => {
    writeSource('marked.cjs', [
      "Object.defineProperty(exports, '__esModule', { value: true })",
      'let count = 0',
      "Object.defineProperty(exports, 'count', { get: () => count, enumerable: true })",
      'exports.bump = () => { count += 1 }',
      "exports.default = 'default export'",
    ])
    writeFileSync(join(dir, 'plain.cjs'), "module.exports = { name: 'plain' }")
    writeSource('interop.mjs', [
      "import marked, { count, bump } from './marked.cjs'",
      "import plain from './plain.cjs'",
      'export const read = () => { const before = count; bump(); return [before, count] }',
      'export const defaults = () => [marked, plain]',
    ])
    const built = await bundle('interop.mjs')
    // the helper is rewritten on the line where esbuild's ends: every line keeps its number
    expect(built.text).toContain('var __toESMCopy = ')
    expect(built.text.split('\n')).toHaveLength(built.original.split('\n').length)
    // esbuild's own output, unchanged, is what the rewritten one must behave like
    const seen = sameAsEsbuild(
      built,
      'interop',
      (path) => `
        const interop = require(${JSON.stringify(path)})
        const [marked, plain] = interop.defaults()
        console.log(JSON.stringify({
          counts: [interop.read(), interop.read()],
          marked: { default: marked.default, count: marked.count, keys: Object.keys(marked) },
          plain,
        }))
      `,
    )
    // as in Node, whose ES modules get module.exports as a CommonJS module's default
    expect(seen).toEqual({
      counts: [
        [0, 1],
        [1, 2],
      ],
      marked: { default: 'default export', count: 2, keys: ['count', 'bump', 'default'] },
      plain: { name: 'plain' },
    })
  })
})

describe("esbuild's __toCommonJS", () => {
  it("exports the bundle's own exports object, marked __esModule, with the same getters", async () => {
    writeFileSync(
      join(dir, 'counter.mjs'),
      ['export let count = 0', 'export function bump() { count += 1 }'].join('\n'),
    )
    const built = await bundle('counter.mjs')
    expect(built.text).toMatch(/^module\.exports = __defProp\(\w+, "__esModule"/m)
    const seen = sameAsEsbuild(
      built,
      'counter',
      (path) => `
        const counter = require(${JSON.stringify(path)})
        const before = counter.count
        counter.bump()
        const descriptor = Object.getOwnPropertyDescriptor(counter, 'count')
        console.log(JSON.stringify({
          before, after: counter.count, keys: Object.keys(counter), esModule: counter.__esModule,
          getter: typeof descriptor.get, enumerable: descriptor.enumerable, settable: Reflect.set(counter, 'count', 5),
        }))
      `,
    )
    expect(seen).toEqual({
      before: 0,
      after: 1,
      keys: ['bump', 'count'],
      esModule: true,
      getter: 'function',
      enumerable: true,
      settable: false,
    })
  })
})

describe('comments', () => {
  beforeAll(() => assertBuilt())

  it('are made ASCII, one "?" per UTF-16 unit, so Node reads a bundle as a one-byte string', async () => {
    // esbuild keeps comments like these (a class member's doc, one inside an expression)
    writeSource('commented.mjs', [
      'export class Half {',
      '  /** n ≈ 2·m → m 😀 */',
      '  of(n) {',
      '    return (',
      '      // ≈ a half',
      '      n / 2',
      '    )',
      '  }',
      '}',
    ])
    const built = await bundle('commented.mjs')
    expect(built.original).toContain('/** n ≈ 2·m → m 😀 */')
    expect(built.original).toContain('// ≈ a half')
    expect(built.text).toContain('/** n ? 2?m ? m ?? */')
    expect(built.text).toContain('// ? a half')
    // the same line and column in both: the source map still points at the comment
    const place = (text: string, comment: string) => {
      const lines = text.split('\n')
      const line = lines.findIndex((l) => l.includes(comment))
      return [line, lines[line]!.indexOf(comment)]
    }
    expect(place(built.text, '/** n ?')).toEqual(place(built.original, '/** n ≈'))
    expect(place(built.text, '// ? a half')).toEqual(place(built.original, '// ≈ a half'))
  })

  it("leave no byte above 0x7f in any of floe's CommonJS bundles", () => {
    const bundles = [
      ...readdirSync(join(repoRoot, 'packages'))
        .map((name) => join(repoRoot, 'packages', name, 'dist', 'index.cjs'))
        .filter((path) => readdirSync(join(path, '..')).includes('index.cjs')),
      ...['fast.cjs', 'version.cjs', 'compile-cache.cjs'].map((name) =>
        join(repoRoot, 'apps/floe/dist', name),
      ),
    ]
    expect(bundles.length).toBeGreaterThan(10)
    for (const path of bundles)
      expect(
        readFileSync(path).some((byte) => byte > 0x7f),
        path,
      ).toBe(false)
  })
})
