#!/usr/bin/env node
// Bundles the CLI (after `tsc -b`), so a command loads a handful of files instead of hundreds:
//
//   dist/cli.js       bin/run.cjs's runtime (src/main.ts) and @oclif/core: all `--version` and
//                     help need (oclif reads commands from oclif.manifest.json)
//   dist/commands.js  every `floe secrets …` command of @floe/plugin-secrets, exported as
//                     COMMANDS for oclif's explicit command strategy (package.json
//                     oclif.commands); oclif imports it only to run a command
//   dist/chunks/      code both share, and what commands import on demand (yaml, spinners)
//
// and, as CommonJS (a start without oclif never starts Node's ES module loader, and Node 20 can
// keep a CommonJS file's V8 code cache: bin/run.cjs):
//
//   dist/version.cjs  `floe --version` without oclif (bin/run.cjs tries it first)
//   dist/fast.cjs     `floe secrets validate|exec|get|list` without oclif, when
//                     src/fast-start.ts can (bin/run.cjs tries it next); what it loads only on
//                     demand (spinners) is import()ed from dist/chunks/
//   dist/compile-cache.cjs  V8's code cache for those on Node 20 (src/compile-cache.ts)
//
// @floe/core stays external: providers, emitters and third-party plugins discovered at run time
// import it too and must see the same classes (FloeError, SecretValue…); core is itself bundled
// into one file (scripts/bundle-package.mjs). Source maps (.js.map) point at the TypeScript
// sources; see README "Startup time".
import { readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { build } from 'esbuild'
import {
  commonJsOptions,
  coreLocator,
  writeCommonJsOutputs,
} from '../../../scripts/commonjs-bundle.mjs'

const here = join(import.meta.dirname, '..')
const require = createRequire(join(here, 'package.json'))
const secretsRoot = dirname(require.resolve('@floe/plugin-secrets/package.json'))
const commandsDir = join(secretsRoot, 'src', 'commands')

function commandFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return commandFiles(path)
      return /\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [path] : []
    })
}

// The same ids oclif's pattern strategy derives from @floe/plugin-secrets' file layout.
const files = commandFiles(commandsDir)
const ids = files.map((f) => relative(commandsDir, f).replace(/\.ts$/, '').split(sep).join(':'))
const commandsModule = [
  ...files.map((f, i) => `import C${i} from ${JSON.stringify(f)}`),
  'export const COMMANDS = {',
  ...ids.map((id, i) => `  ${JSON.stringify(id)}: C${i},`),
  '}',
].join('\n')

const commandsEntry = {
  name: 'floe-commands',
  setup(b) {
    b.onResolve({ filter: /^floe:commands$/ }, () => ({ path: 'commands', namespace: 'floe' }))
    b.onLoad({ filter: /.*/, namespace: 'floe' }, () => ({
      contents: commandsModule,
      resolveDir: here,
      loader: 'js',
    }))
  },
}

const outdir = join(here, 'dist')
rmSync(join(outdir, 'chunks'), { recursive: true, force: true })
const result = await build({
  entryPoints: {
    cli: join(here, 'src', 'main.ts'),
    commands: 'floe:commands',
    // the ES module twin of what fast.cjs loads on demand
    spinner: createRequire(join(secretsRoot, 'package.json')).resolve('yocto-spinner'),
  },
  plugins: [commandsEntry],
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // workspace packages are bundled from their TypeScript sources (maps point there)
  conditions: ['@floe/source'],
  external: [
    '@floe/core',
    '@floe/core/*',
    // oclif's optional TypeScript support for linked plugins (FLOE_AUTO_TRANSPILE=1)
    'typescript',
    'tsx',
    'ts-node',
  ],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // CommonJS dependencies (oclif) call require(): give the ESM chunks a real one.
  banner: {
    js: "import { createRequire as __floeCreateRequire } from 'node:module'; const require = __floeCreateRequire(import.meta.url);",
  },
})

// version.cjs and fast.cjs; @floe/core is require()d (its dist/index.cjs), the spinner is the
// ES module chunk above, import()ed when a slow fetch shows one
const spinnerFile = Object.entries(result.metafile.outputs).find(([, output]) =>
  /yocto-spinner/.test(output.entryPoint ?? ''),
)?.[0]
const startFiles = await build({
  entryPoints: {
    version: join(here, 'src', 'version-line.ts'),
    fast: join(here, 'src', 'fast-start.ts'),
    'compile-cache': join(here, 'src', 'compile-cache.ts'),
  },
  outdir,
  ...commonJsOptions,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  conditions: ['@floe/source'],
  external: ['@floe/core', '@floe/core/*'],
  plugins: [
    coreLocator,
    {
      name: 'spinner-from-its-chunk',
      setup(b) {
        b.onResolve({ filter: /^yocto-spinner$/ }, () => ({
          path: `./${relative(outdir, join(here, spinnerFile)).split(sep).join('/')}`,
          external: true,
        }))
      },
    },
  ],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
})
writeCommonJsOutputs(startFiles.outputFiles)
result.metafile.outputs = { ...result.metafile.outputs, ...startFiles.metafile.outputs }

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => /\.c?js$/.test(file))
console.log(`@floe/cli: ${ids.length} commands bundled into ${outputs.length} files`)
if (process.env.FLOE_BUNDLE_REPORT) {
  // FLOE_BUNDLE_REPORT=cli.js (or any output name suffix): bytes per package in that output
  const byPackage = new Map()
  for (const [file, output] of outputs) {
    if (!file.endsWith(process.env.FLOE_BUNDLE_REPORT)) continue
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = path
        .replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
        .replace(/^(\.\.\/)*(packages|plugins|apps)\/([^/]+).*/, 'floe:$3')
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput)
    }
  }
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]))
    console.log(String(bytes).padStart(9), name)
}
