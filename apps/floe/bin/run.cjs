#!/usr/bin/env node
'use strict'
// This entry is CommonJS and so is everything a start without oclif loads (dist/version.cjs,
// dist/fast.cjs, @floe/core's and the providers' dist/index.cjs: scripts/bundle-package.mjs):
// such a start never starts Node's ES module loader, and Node 20 can keep its V8 code cache —
// together about a third of `floe secrets validate` (bench/cli.bench.ts). oclif's bundle is an
// ES module, import()ed.
const { enableCompileCache } = require('node:module')
const { pathToFileURL } = require('node:url')

// V8's code cache for the modules floe loads is kept on disk, in the OS temp directory
// (NODE_DISABLE_COMPILE_CACHE=1 turns it off): on Node >= 22.1 Node's own, as tsc does; on
// Node 20 src/compile-cache.ts, for floe's CommonJS files. It must start before they load.
const debugging = Boolean(
  process.env.FLOE_DEBUG || process.env.DEBUG || process.argv.includes('--verbose'),
)
if (enableCompileCache) enableCompileCache()
else if (!process.env.NODE_DISABLE_COMPILE_CACHE && !debugging && !process.sourceMapsEnabled) {
  // (source maps are read only for modules Node compiles itself: not with the cache)
  const { commandOf, enableCodeCache, trustedCacheDir } = require('../dist/compile-cache.cjs')
  const dir = trustedCacheDir()
  if (dir !== undefined) enableCodeCache(dir, commandOf(process.argv.slice(2)))
}

// floe starts in every CI step and wraps every dbt run, so its start-up is overhead on each
// (bench/cli.bench.ts measures it against a bare `node -e ''`). @oclif/core checks, when first
// imported, that Node satisfies its own `engines` with the `semver` package. We check our own,
// stricter requirement below with a comparison instead, and keep the variable out of the
// environment the commands see (and pass to `exec`).
const ENGINE_WARNING = 'OCLIF_DISABLE_ENGINE_WARNING'
const engineWarning = process.env[ENGINE_WARNING]
// Stack traces name the TypeScript sources (dist/*.js.map) when debugging: with FLOE_DEBUG or
// DEBUG set, or --verbose. Not always: reading the maps costs a tenth of `floe --version`.
// (NODE_OPTIONS=--enable-source-maps works too.)
if (debugging) process.setSourceMapsEnabled(true)

const binUrl = pathToFileURL(__filename).href

async function run() {
  // `floe --version` is answered before oclif loads (half of its start-up): dist/version.cjs
  // reads package.json and prints oclif's own version line (src/version-line.ts). A version
  // flag is the first argument and starts with "-"; other commands skip loading that file.
  const version = process.argv[2]?.startsWith('-')
    ? require('../dist/version.cjs').versionLine(
        process.argv.slice(2),
        new URL('../package.json', binUrl),
      )
    : undefined
  const [major, minor] = process.versions.node.split('.').map(Number)
  const supported = major > 20 || (major === 20 && minor >= 19)
  if (version !== undefined) {
    process.stdout.write(`${version}\n`)
    return
  }
  // `floe secrets validate|exec|get|list` run without oclif when nothing but the built-in
  // command could answer (src/fast-start.ts): loading oclif is most of their start-up otherwise.
  const code = supported ? await require('../dist/fast.cjs').fastStart(binUrl) : undefined
  if (code !== undefined) {
    // as oclif ends a command that failed (its handle() exits with the code)
    if (code !== 0) process.exit(code)
    return
  }
  // dist/cli.js is oclif and floe's start-up in one file (scripts/bundle.mjs); the commands are
  // dist/commands.js, loaded by oclif only to run one.
  process.env[ENGINE_WARNING] = '1'
  const { main } = await import('../dist/cli.js')
  if (engineWarning === undefined) delete process.env[ENGINE_WARNING]
  else process.env[ENGINE_WARNING] = engineWarning

  if (!supported)
    process.emitWarning(
      `floe needs Node.js >= 20.19; this is ${process.versions.node}. Upgrade Node to use this CLI.`,
    )

  await main(binUrl)
}

// as an ES module's top-level await would: a failure is printed and the exit code is 1
run().catch((error) => {
  process.exitCode = 1
  throw error
})
