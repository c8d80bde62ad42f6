#!/usr/bin/env node
// Rebundles a package's entry points after `tsc -b`, so that loading the package reads one
// file instead of one per source module (startup time: every `floe` command loads core, and
// a manifest's providers are loaded on first use).
//
//   node ../../scripts/bundle-package.mjs [src/index.ts=dist/index.js ...]
//
// The first `src=out` pair (default: src/index.ts=dist/index.js) is the package's main entry.
// It is bundled twice over (startup, issue 17):
//
//   dist/index.cjs  the code, as one CommonJS file: what floe itself loads (a provider's or
//                   emitter's `floe.entry`; @floe/core through scripts/commonjs-bundle.mjs's
//                   locator). A CommonJS start never starts Node's ES module loader, and Node 20
//                   can keep a CommonJS file's V8 code cache (apps/floe/src/compile-cache.ts):
//                   together about a third of `floe secrets validate`'s own time.
//   dist/index.js   what package.json "exports" names, as before: an ES module facade that
//                   require()s index.cjs and re-exports its names, so `import`, `require()`
//                   (require(esm)) and floe's own loads see one copy of every class
//                   (FloeError, SecretValue…). Its names are listed, so Node's CommonJS export
//                   lexer (≈ 28 ms on core) never runs. There is no "require" export of
//                   index.cjs: its types would have to be CommonJS declarations (.d.cts).
//
// Further pairs (core's testing, zod and schema) stay ES modules; a module of theirs that the
// main entry also contains, and exports all of, is imported from the package itself
// ("@floe/core"), so they share its classes too. A dynamic import() of a further entry stays an
// import() of its file (through dist/import.cjs: scripts/commonjs-bundle.mjs), so what it loads
// (zod) is still loaded only when needed. Every dependency stays external: packages that
// share @floe/core, zod… keep sharing one copy. Source maps (.map beside each file) point at
// src/*.ts; the .d.ts files are tsc's.
//
// zod is the one exception: @floe/core bundles it into dist/zod.js (its `@floe/core/zod`
// export, one file instead of ~95 modules, without zod's optional locales, ~60% of its import
// time), and every package that depends on @floe/core and zod imports zod from there, so a
// command loads one copy once. Third-party packages keep their own zod.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { build } from 'esbuild'
import { commonJsOptions, coreLocator, writeCommonJsOutputs } from './commonjs-bundle.mjs'

const cwd = process.cwd()
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
const pairs = (process.argv.length > 2 ? process.argv.slice(2) : ['src/index.ts=dist/index.js'])
  .map((pair) => pair.split('='))
  .map(([src, out]) => ({ src: resolve(cwd, src), out: resolve(cwd, out) }))
const [main, ...further] = pairs

const dependencies = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
]
const bundlesZod = pkg.name === '@floe/core'
const zodFromCore =
  !bundlesZod && dependencies.includes('@floe/core') && dependencies.includes('zod')
// The dependencies a start loads are bundled into index.cjs: CommonJS ones with many files
// (js-yaml, dotenv, ms) and ES-module-only ones (p-limit), which require() could only load with
// the ES module loader. They are small, keep no state a second copy could split, and stay listed
// as dependencies (as zod does) for their licenses and versions.
const INLINED = {
  '@floe/core': ['ms', 'p-limit', 'js-yaml'],
  '@floe/provider-env': ['dotenv'],
}
const inlined = new Set(INLINED[pkg.name] ?? [])
// Node builtins an inlined dependency requires when loaded but uses only in functions floe never
// calls (dotenv's `crypto`, for its encrypted files: ≈ 4 ms of `floe secrets exec`): loaded on
// first use instead.
const LAZY_BUILTINS = ['crypto']
const lazyBuiltinsOfInlined = {
  name: 'lazy-builtins-of-inlined-dependencies',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`)
    b.onResolve({ filter }, (args) =>
      [...inlined].some((name) =>
        args.importer.split(sep).join('/').includes(`/node_modules/${name}/`),
      )
        ? { path: args.path.replace(/^node:/, ''), namespace: 'floe-lazy-builtin' }
        : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'floe-lazy-builtin' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)})[key] })`,
      loader: 'js',
    }))
  },
}
// `dep` and `dep/sub/path` stay imports; so do node builtins.
const external = [
  ...dependencies
    .filter((name) => !(bundlesZod && name === 'zod') && !inlined.has(name))
    .flatMap((name) => [name, `${name}/*`]),
  ...builtinModules.flatMap((name) => [name, `node:${name}`]),
]

// zod's `z.locales` namespace (every translation of its messages) is never used by floe; the
// English messages zod sets by default are imported on their own and stay.
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'floe-stub' }
        : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'floe-stub' }, () => ({
      contents: 'export {}',
      loader: 'js',
    }))
  },
}

const outdir = join(cwd, 'dist')
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  external,
  ...(zodFromCore ? { alias: { zod: '@floe/core/zod' } } : {}),
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
}
const relativeImport = (from, to) => {
  const path = relative(dirname(from), to).split('\\').join('/')
  return path.startsWith('.') ? path : `./${path}`
}

// index.cjs: a further entry's source (core's manifest schema) and zod (core's, bundled into
// dist/zod.js) are imports of their files, not copies
const mainCjs = main.out.replace(/\.js$/, '.cjs')
const furtherFiles = new Map(further.map(({ src, out }) => [src, out]))
const zodEntry = further.find(({ src }) => basename(src) === 'zod.ts')
const toFurtherEntries = {
  name: 'further-entries-stay-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined
      if (bundlesZod && zodEntry && args.path === 'zod')
        return { path: relativeImport(mainCjs, zodEntry.out), external: true }
      if (!args.path.startsWith('.')) return undefined
      const found = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      })
      const out = furtherFiles.get(found.path)
      return out ? { path: relativeImport(mainCjs, out), external: true } : undefined
    })
  },
}
const cjs = await build({
  ...common,
  ...commonJsOptions,
  entryPoints: { [relative(outdir, main.out).replace(/\.js$/, '')]: main.src },
  outdir,
  write: false,
  plugins: [
    toFurtherEntries,
    lazyBuiltinsOfInlined,
    ...(dependencies.includes('@floe/core') ? [coreLocator] : []),
  ],
})
writeCommonJsOutputs(cjs.outputFiles)
const mainInputs = new Set(Object.keys(cjs.metafile.inputs).map((input) => resolve(cwd, input)))

// the names index.cjs exports, for its ES module facade (a build that writes nothing)
const names = await build({
  ...common,
  entryPoints: [main.src],
  format: 'esm',
  write: false,
  outdir,
  plugins: [toFurtherEntries],
  sourcemap: false,
})
const exported = Object.values(names.metafile.outputs).flatMap((output) => output.exports)
const named = exported.filter((name) => name !== 'default')
writeFileSync(
  main.out,
  [
    `// The ES module face of ${relativeImport(main.out, mainCjs)} (scripts/bundle-package.mjs): import and require() share one copy.`,
    "import { createRequire } from 'node:module'",
    `const cjs = createRequire(import.meta.url)(${JSON.stringify(relativeImport(main.out, mainCjs))})`,
    ...(named.length ? [`export const { ${named.join(', ')} } = cjs`] : []),
    ...(exported.includes('default') ? ['export default cjs.default'] : []),
    '',
  ].join('\n'),
)
rmSync(`${main.out}.map`, { force: true })

// the further entries, ES modules sharing chunks among themselves; a module of the main entry
// whose every export the main entry exports too (its classes: FloeError…) is imported from the
// package, the rest (constants such as the manifest's patterns) is bundled
const mainExports = new Set(exported)
const exportsOf = new Map()
async function exportedByMain(file) {
  if (!mainInputs.has(file)) return false
  if (!exportsOf.has(file)) {
    const alone = await build({
      entryPoints: [file],
      write: false,
      metafile: true,
      format: 'esm',
      outdir,
      logLevel: 'silent',
    })
    exportsOf.set(
      file,
      Object.values(alone.metafile.outputs).flatMap((output) => output.exports),
    )
  }
  return exportsOf.get(file).every((name) => mainExports.has(name))
}
let furtherFileCount = 0
if (further.length) {
  const fromThePackage = {
    name: 'main-entry-from-the-package',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined
        const found = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'inner',
        })
        return (await exportedByMain(found.path)) ? { path: pkg.name, external: true } : undefined
      })
    },
  }
  // chunk names change with their contents: drop the previous build's
  rmSync(join(outdir, '_chunks'), { recursive: true, force: true })
  const esm = await build({
    ...common,
    entryPoints: Object.fromEntries(
      further.map(({ src, out }) => [relative(outdir, out).replace(/\.js$/, ''), src]),
    ),
    outdir,
    splitting: further.length > 1,
    chunkNames: '_chunks/[name]-[hash]',
    format: 'esm',
    plugins: [fromThePackage, ...(bundlesZod ? [withoutZodLocales] : [])],
  })
  furtherFileCount = Object.keys(esm.metafile.outputs).filter((f) => f.endsWith('.js')).length
  // a name the main entry does not export fails here, not in a user's import
  for (const { out } of further) await import(out)
}
console.log(
  `${pkg.name}: bundled ${mainInputs.size} modules into ${relative(cwd, mainCjs)} (+ its ES module facade)` +
    (further.length ? `, ${further.length} further entries into ${furtherFileCount} file(s)` : ''),
)
