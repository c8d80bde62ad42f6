#!/usr/bin/env node
import module from 'node:module'

// On Node >= 22.1, V8's code cache for every module floe loads is kept on disk (in the OS temp
// directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off), as tsc does. Node 20 has no such API.
// It must run before the import below, hence its dynamic form.
module.enableCompileCache?.()

// floe starts in every CI step and wraps every dbt run, so its start-up is overhead on each
// (bench/cli.bench.ts measures it against a bare `node -e ''`). @oclif/core checks, when first
// imported, that Node satisfies its own `engines` with the `semver` package. We check our own,
// stricter requirement below with a comparison instead, and keep the variable out of the
// environment the commands see (and pass to `exec`).
const ENGINE_WARNING = 'OCLIF_DISABLE_ENGINE_WARNING'
const engineWarning = process.env[ENGINE_WARNING]
process.env[ENGINE_WARNING] = '1'
// Stack traces name the TypeScript sources (dist/*.js.map) when debugging: with FLOE_DEBUG or
// DEBUG set, or --verbose. Not always: reading the maps costs a tenth of `floe --version`.
// (NODE_OPTIONS=--enable-source-maps works too.)
if (process.env.FLOE_DEBUG || process.env.DEBUG || process.argv.includes('--verbose'))
  process.setSourceMapsEnabled(true)

// `floe --version` is answered before oclif loads (half of its start-up): dist/version.js reads
// package.json and prints oclif's own version line (src/version-line.ts).
const { versionLine } = await import('../dist/version.js')
const version = versionLine(process.argv.slice(2), new URL('../package.json', import.meta.url))
if (version !== undefined) process.stdout.write(`${version}\n`)
else {
  // dist/cli.js is oclif and floe's start-up in one file (scripts/bundle.mjs); the commands are
  // dist/commands.js, loaded by oclif only to run one.
  const { main } = await import('../dist/cli.js')
  if (engineWarning === undefined) delete process.env[ENGINE_WARNING]
  else process.env[ENGINE_WARNING] = engineWarning

  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major < 20 || (major === 20 && minor < 19))
    process.emitWarning(
      `floe needs Node.js >= 20.19; this is ${process.versions.node}. Upgrade Node to use this CLI.`,
    )

  await main(import.meta.url)
}
