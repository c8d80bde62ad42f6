#!/usr/bin/env node
// Rebundles a package's entry points after `tsc -b`, so that importing the package loads one
// file instead of one per source module (startup time: every `floe` command imports core, and
// a manifest's providers are imported on first use).
//
//   node ../../scripts/bundle-package.mjs [src/index.ts=dist/index.js ...]
//
// Each `src=out` pair (default: src/index.ts=dist/index.js) is bundled from the TypeScript
// sources over tsc's output file of the same name, so package.json `exports`, `main` and the
// `floe.entry` field keep pointing where they did (tsc's other files in dist/ stay, unused at
// run time; the .d.ts files are tsc's). Every dependency stays external: packages that share
// @floe/core, zod… keep sharing one copy, as before bundling. With several entries (core and
// core/testing) shared modules go to dist/_chunks/, so both entries see the same classes.
// Source maps (.js.map beside each file) point at src/*.ts.
//
// zod is the one exception (startup, issue 17): @floe/core bundles it into dist/zod.js (its
// `@floe/core/zod` export, one file instead of ~95 modules, without zod's optional locales,
// ~60% of its import time), and every package that depends on @floe/core and zod imports zod
// from there, so a command loads one copy once. Third-party packages keep their own zod.
import { readFileSync, rmSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { build } from 'esbuild'

const cwd = process.cwd()
const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
const pairs = (process.argv.length > 2 ? process.argv.slice(2) : ['src/index.ts=dist/index.js'])
  .map((pair) => pair.split('='))
  .map(([src, out]) => ({ src: resolve(cwd, src), out: resolve(cwd, out) }))

const dependencies = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
]
const bundlesZod = pkg.name === '@floe/core'
const zodFromCore =
  !bundlesZod && dependencies.includes('@floe/core') && dependencies.includes('zod')
// The CommonJS dependencies a start loads are bundled too (startup, issue 17): when no ESM
// import reaches a CommonJS file, Node never starts its CommonJS translator and export lexer
// (≈ 6 ms of `floe secrets validate`). Both are small, keep no state a second copy could split,
// and stay listed as dependencies (as zod does) for their licenses and versions.
const INLINED_COMMONJS = { '@floe/core': ['ms'], '@floe/provider-env': ['dotenv'] }
const inlined = new Set(INLINED_COMMONJS[pkg.name] ?? [])
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
const entryPoints = Object.fromEntries(
  pairs.map(({ src, out }) => [relative(outdir, out).replace(/\.js$/, ''), src]),
)

// chunk names change with their contents: drop the previous build's
rmSync(join(outdir, '_chunks'), { recursive: true, force: true })
const result = await build({
  entryPoints,
  outdir,
  bundle: true,
  splitting: pairs.length > 1,
  chunkNames: '_chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external,
  ...(bundlesZod ? { plugins: [withoutZodLocales] } : {}),
  ...(zodFromCore ? { alias: { zod: '@floe/core/zod' } } : {}),
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // a bundled CommonJS dependency calls require() for node builtins: give it a real one
  ...(inlined.size
    ? {
        banner: {
          js: "import { createRequire as __floeCreateRequire } from 'node:module'; const require = __floeCreateRequire(import.meta.url);",
        },
      }
    : {}),
})
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))
console.log(
  `${pkg.name}: bundled ${Object.keys(result.metafile.inputs).length} modules into ${files.length} file(s)`,
)
