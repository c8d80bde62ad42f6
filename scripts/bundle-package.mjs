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
import { readFileSync } from 'node:fs'
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
// `dep` and `dep/sub/path` stay imports; so do node builtins.
const external = [
  ...dependencies.flatMap((name) => [name, `${name}/*`]),
  ...builtinModules.flatMap((name) => [name, `node:${name}`]),
]

const outdir = join(cwd, 'dist')
const entryPoints = Object.fromEntries(
  pairs.map(({ src, out }) => [relative(outdir, out).replace(/\.js$/, ''), src]),
)

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
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
})
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))
console.log(
  `${pkg.name}: bundled ${Object.keys(result.metafile.inputs).length} modules into ${files.length} file(s)`,
)
