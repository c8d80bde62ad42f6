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
      'const __floeLazyBuiltin = (id) => { let m; return new Proxy({}, { get: (_, key) => (m ??= require(id))[key] }); };',
    ].join('\n'),
  },
}

const IMPORT_HELPER = `'use strict'
// import() for the CommonJS bundles beside this file (scripts/commonjs-bundle.mjs): Node compiles
// this file itself, so import() works here even when the bundle was compiled from V8's code cache.
module.exports = (specifier) => import(specifier)
`

/** calls visit(node, parent) for every node of acorn's tree */
function walk(node, visit, parent = null) {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit, parent)
    return
  }
  if (typeof node.type !== 'string') return
  visit(node, parent)
  for (const key of Object.keys(node)) if (key !== 'type') walk(node[key], visit, node)
}

// Node builtins a start may not need, which cost ≈ 0.3–1.3 ms each to load (node:fs/promises
// brings fs watchers and readline with it). Their top-level `var x = require('node:…')` becomes
// a proxy that requires the builtin when a property is first read (the banner's
// __floeLazyBuiltin). Only where the variable is used for nothing but reading `x.name`: no call
// of it, no spread, no `in`, no write, nothing that would see the proxy instead of the module.
const LAZY_BUILTINS = new Set(
  [
    'child_process',
    'crypto',
    'dns',
    'fs/promises',
    'http',
    'https',
    'net',
    'os',
    'readline',
    'stream',
    'stream/promises',
    'timers/promises',
    'tty',
    'v8',
    'worker_threads',
    'zlib',
  ].flatMap((name) => [name, `node:${name}`]),
)

/** `var x = require('<lazy builtin>')` declarations at a program's top level */
function builtinRequires(program) {
  return program.body.flatMap((node) => {
    if (node.type !== 'VariableDeclaration' || node.declarations.length !== 1) return []
    const { id, init } = node.declarations[0]
    const required =
      id.type === 'Identifier' &&
      init?.type === 'CallExpression' &&
      init.callee.type === 'Identifier' &&
      init.callee.name === 'require' &&
      init.arguments.length === 1 &&
      init.arguments[0].type === 'Literal'
        ? init.arguments[0].value
        : undefined
    return LAZY_BUILTINS.has(required) ? [{ name: id.name, id, init, specifier: required }] : []
  })
}

// esbuild's __toESM copies every export of a CommonJS module onto a new object, as getters, at
// each import site that names it. The CLI's fast.cjs imports core (hundreds of names, __esModule
// set) from ten modules: ≈ 1.4 ms of a start spent copying. An object whose prototype is the
// module reads the same live values; that is what a module marked __esModule gets here.
// It goes on the line where esbuild's helper ends, so a source map's lines stay exact.
const ES_MODULE_INTEROP = [
  ' var __toESM = (mod, isNodeMode, target) => mod != null && mod.__esModule',
  '? (isNodeMode ? __create(mod, { default: { value: mod, enumerable: true } }) : mod)',
  ': __toESMCopy(mod, isNodeMode, target);',
].join(' ')

/** the top-level `var __toESM = …` statement of esbuild's runtime, if the bundle has one */
function esModuleInterop(program) {
  return program.body.find(
    (node) =>
      node.type === 'VariableDeclaration' &&
      node.declarations.length === 1 &&
      node.declarations[0].id.name === '__toESM',
  )
}

/**
 * esbuild's `module.exports = __toCommonJS(x_exports)`: it copies every getter of x_exports onto a
 * new object (≈ 0.5 ms for core's hundreds of names). x_exports itself, marked __esModule, is the
 * same set of enumerable getters on a plain object, one indirection fewer.
 */
function exportsCopy(program) {
  for (const node of program.body) {
    const expression = node.type === 'ExpressionStatement' ? node.expression : undefined
    const call = expression?.type === 'AssignmentExpression' ? expression.right : undefined
    const target = expression?.left
    if (
      target?.type === 'MemberExpression' &&
      target.object.name === 'module' &&
      target.property.name === 'exports' &&
      call?.type === 'CallExpression' &&
      call.callee.name === '__toCommonJS' &&
      call.arguments.length === 1 &&
      call.arguments[0].type === 'Identifier'
    )
      return { call, exports: call.arguments[0].name }
  }
  return undefined
}

/** the edits a CommonJS bundle gets, last first, so each one's offsets still hold */
function commonJsEdits(text) {
  const edits = []
  // esbuild writes strings and names in ASCII but keeps comments as they are: one "≈" in a
  // comment makes Node read the whole file as a two-byte string (twice the memory, ≈ 0.5 ms
  // more to read core's). One "?" per UTF-16 unit keeps every column of the source map.
  const onComment = (_block, comment, start, end) => {
    if (/[\u0080-\uffff]/.test(comment))
      edits.push({ start, end, text: text.slice(start, end).replace(/[\u0080-\uffff]/g, '?') })
  }
  const program = parse(text, { ecmaVersion: 'latest', sourceType: 'script', onComment })
  const builtins = new Map(builtinRequires(program).map((found) => [found.name, found]))
  walk(program, (node, parent) => {
    if (node.type === 'ImportExpression')
      edits.push({ start: node.start, end: node.start + 'import'.length, text: '__floeImport' })
    const found = node.type === 'Identifier' ? builtins.get(node.name) : undefined
    const propertyRead =
      parent?.type === 'MemberExpression' && parent.object === node && !parent.computed
    if (found !== undefined && node !== found.id && !propertyRead) builtins.delete(node.name)
    // `x.name = …`, `x.name++`, `delete x.name` would change the proxy, not the module
    const written =
      node.type === 'AssignmentExpression'
        ? node.left
        : node.type === 'UpdateExpression' ||
            (node.type === 'UnaryExpression' && node.operator === 'delete')
          ? node.argument
          : undefined
    if (written?.type === 'MemberExpression' && written.object.type === 'Identifier')
      builtins.delete(written.object.name)
  })
  for (const { init, specifier } of builtins.values())
    edits.push({
      start: init.start,
      end: init.end,
      text: `__floeLazyBuiltin(${JSON.stringify(specifier)})`,
    })
  const copied = exportsCopy(program)
  if (copied !== undefined)
    edits.push({
      start: copied.call.start,
      end: copied.call.end,
      text: `__defProp(${copied.exports}, "__esModule", { value: true })`,
    })
  const interop = esModuleInterop(program)
  if (interop !== undefined) {
    const name = interop.declarations[0].id
    edits.push(
      { start: interop.end, end: interop.end, text: ES_MODULE_INTEROP },
      { start: name.start, end: name.end, text: '__toESMCopy' },
    )
  }
  return edits.sort((a, b) => b.start - a.start)
}

/**
 * Writes esbuild's output files (a build with `write: false`). In each CommonJS bundle:
 * import() calls become calls of `__floeImport` (its banner), with ./import.cjs written beside
 * it; some builtins are required when first used (LAZY_BUILTINS); esbuild's __toESM shares a
 * module marked __esModule instead of copying it, and so does its __toCommonJS for the bundle's
 * own exports; comments are made ASCII. Every line keeps its number (a source map's columns
 * after a rewrite on the same line shift by the longer text).
 */
export function writeCommonJsOutputs(outputFiles) {
  const dirs = new Set()
  for (const file of outputFiles) {
    let text = file.text
    if (file.path.endsWith('.cjs')) {
      for (const edit of commonJsEdits(text))
        text = `${text.slice(0, edit.start)}${edit.text}${text.slice(edit.end)}`
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
