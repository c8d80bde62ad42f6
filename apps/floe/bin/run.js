#!/usr/bin/env node
import module from 'node:module'

// On Node >= 22.1, V8's code cache for every module floe loads is kept on disk (in the OS temp
// directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off), as tsc does. Node 20 has no such API.
// It must run before the imports below, hence their dynamic form.
module.enableCompileCache?.()

// Startup time matters (DESIGN §10). @oclif/core checks, when first imported, that Node
// satisfies its own `engines` with the full `semver` package (~50 modules, a tenth of
// `floe --version`). We check our own, stricter requirement below with a comparison instead,
// and keep the variable out of the environment the commands see (and pass to `exec`).
const ENGINE_WARNING = 'OCLIF_DISABLE_ENGINE_WARNING'
const engineWarning = process.env[ENGINE_WARNING]
process.env[ENGINE_WARNING] = '1'
const { execute, settings } = await import('@oclif/core')
const { findProjectRoot } = await import('../dist/project-root.js')
if (engineWarning === undefined) delete process.env[ENGINE_WARNING]
else process.env[ENGINE_WARNING] = engineWarning

// With NODE_ENV=development or test (a test runner, a dev shell), oclif looks for every plugin's
// TypeScript sources: it loads the `typescript` compiler to read tsconfig and tries tsx/ts-node,
// which costs more than the rest of startup. floe's plugins ship compiled; a plugin author who
// `floe plugins link`s a TypeScript plugin can opt back in with FLOE_AUTO_TRANSPILE=1.
if (!/^(1|true|yes)$/i.test(process.env.FLOE_AUTO_TRANSPILE ?? ''))
  settings.enableAutoTranspile ??= false

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19))
  process.emitWarning(
    `floe needs Node.js >= 20.19; this is ${process.versions.node}. Upgrade Node to use this CLI.`,
  )

// Plugins a team lists in its own project's package.json are loaded at run time: oclif's
// `plugins` globs only see the CLI's own dependencies (see SDK-NOTES, oclif). Outside any
// project (no package.json up the tree) there is nothing to add.
const projectRoot = findProjectRoot(process.cwd())
await execute({
  dir: import.meta.url,
  loadOptions: {
    root: new URL('..', import.meta.url).pathname,
    ...(projectRoot
      ? {
          pluginAdditions: {
            core: ['@floe/plugin-*', 'floe-plugin-*', '@*/floe-plugin-*'],
            path: projectRoot,
          },
        }
      : {}),
  },
})
