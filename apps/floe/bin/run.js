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
// Stack traces name the TypeScript sources (dist/*.js.map) when debugging: with FLOE_DEBUG or
// DEBUG set, or --verbose. Not always: reading the maps costs a tenth of `floe --version`.
// (NODE_OPTIONS=--enable-source-maps works too.)
if (process.env.FLOE_DEBUG || process.env.DEBUG || process.argv.includes('--verbose'))
  process.setSourceMapsEnabled(true)

// `floe --version` is answered before oclif loads (half of its start-up): dist/version.js reads
// package.json and prints oclif's own version line (src/version-line.ts).
const { versionLine } = await import('../dist/version.js')
const version = versionLine(process.argv.slice(2), new URL('../package.json', import.meta.url))
const [major, minor] = process.versions.node.split('.').map(Number)
const supported = major > 20 || (major === 20 && minor >= 19)
if (version !== undefined) process.stdout.write(`${version}\n`)
else {
  // `floe secrets validate|exec` run without oclif when nothing but the built-in command could
  // answer (src/fast-start.ts): loading oclif is most of their start-up otherwise.
  const code = supported
    ? await (await import('../dist/fast.js')).fastStart(import.meta.url)
    : undefined
  if (code !== undefined) {
    // as oclif ends a command that failed (its handle() exits with the code)
    if (code !== 0) process.exit(code)
  } else {
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

    await main(import.meta.url)
  }
}
