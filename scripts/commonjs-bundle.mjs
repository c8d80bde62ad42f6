// What floe's CommonJS bundles share (scripts/bundle-package.mjs for each package's
// dist/index.cjs, apps/floe/scripts/bundle.mjs for the CLI's dist/fast.cjs and version.cjs).
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse } from 'acorn'

/**
 * The first line of every such bundle. apps/floe/src/compile-cache.ts compiles a file through
 * V8's code cache only when it starts with it: on Node 20 a function compiled from the cache
 * loses import() ("A dynamic import callback was not specified"), and these bundles have none —
 * each import() of theirs calls ./import.cjs instead (below), which Node compiles itself.
 */
export const CODE_CACHE_MARKER = '/* @floe/code-cache */'

/** esbuild options every CommonJS bundle uses */
export const commonJsOptions = {
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // import.meta.url (createRequire, "am I running from sources?") in CommonJS
  define: { 'import.meta.url': '__floeModuleUrl' },
  banner: {
    js: [
      CODE_CACHE_MARKER,
      // the sources are ES modules, which are strict
      "'use strict';",
      "const __floeModuleUrl = require('node:url').pathToFileURL(__filename).href;",
      "const __floeImport = (specifier) => require('./import.cjs')(specifier);",
    ].join('\n'),
  },
}

const IMPORT_HELPER = `'use strict'
// import() for the CommonJS bundles beside this file (scripts/commonjs-bundle.mjs): Node compiles
// this file itself, so import() works here even when the bundle was compiled from V8's code cache.
module.exports = (specifier) => import(specifier)
`

/** every ImportExpression of a program, by a walk over acorn's tree */
function dynamicImports(node, found = []) {
  if (node === null || typeof node !== 'object') return found
  if (Array.isArray(node)) {
    for (const child of node) dynamicImports(child, found)
    return found
  }
  if (node.type === 'ImportExpression') found.push(node)
  for (const key of Object.keys(node)) if (key !== 'type') dynamicImports(node[key], found)
  return found
}

/**
 * Writes esbuild's output files (a build with `write: false`), each CommonJS bundle's import()
 * calls turned into calls of `__floeImport` (its banner) and ./import.cjs beside it. A source
 * map's columns after such a call on its line shift by the longer name; lines stay exact.
 */
export function writeCommonJsOutputs(outputFiles) {
  const dirs = new Set()
  for (const file of outputFiles) {
    let text = file.text
    if (file.path.endsWith('.cjs')) {
      const program = parse(text, { ecmaVersion: 'latest', sourceType: 'script' })
      const starts = dynamicImports(program)
        .map((node) => node.start)
        .sort((a, b) => b - a)
      for (const start of starts)
        text = `${text.slice(0, start)}__floeImport${text.slice(start + 'import'.length)}`
      dirs.add(dirname(file.path))
    }
    writeFileSync(file.path, text)
  }
  for (const dir of dirs) writeFileSync(join(dir, 'import.cjs'), IMPORT_HELPER)
}

// An esbuild plugin: `require('@floe/core')` loads core's dist/index.cjs from the first
// node_modules folder that has it, as Node's lookup would, without resolving core's package.json
// "exports". That resolution is the first of a start and loads Node's ES module resolver to do
// it: ≈ 4.5 ms of `floe secrets validate` on Node 20 (bench/cli.bench.ts). The file is the one
// core's ES module facade (its "exports") loads too, so the module (and its classes) is the one
// every other import of @floe/core gets; where the folder or file is not there (another
// layout, an older core), the plain require() runs.
const LOCATOR = `const { existsSync } = require('node:fs')
const { join } = require('node:path')
const found = (require.resolve.paths('@floe/core') ?? [])
  .map((dir) => join(dir, '@floe', 'core', 'dist', 'index.cjs'))
  .find((file) => existsSync(file))
module.exports = found === undefined ? require('@floe/core') : require(found)
`

export const coreLocator = {
  name: 'floe-core-locator',
  setup(b) {
    b.onResolve({ filter: /^@floe\/core$/ }, (args) =>
      args.namespace === 'floe-core-locator'
        ? { path: '@floe/core', external: true }
        : { path: '@floe/core', namespace: 'floe-core-locator' },
    )
    b.onLoad({ filter: /.*/, namespace: 'floe-core-locator' }, () => ({
      contents: LOCATOR,
      loader: 'js',
      resolveDir: process.cwd(),
    }))
  },
}
