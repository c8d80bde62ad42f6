import { fileURLToPath } from 'node:url'
import { execute, settings } from '@oclif/core'
import { fastPathLoadOptions, PROJECT_PLUGIN_PATTERNS } from './built-in-fast-path.js'
import { findProjectRoot } from './project-root.js'

/**
 * Runs the CLI (bin/run.cjs calls this after its pre-import setup). Everything here is bundled
 * into dist/cli.js with oclif and the `floe secrets` commands (scripts/bundle.mjs), so a
 * command loads one module instead of hundreds.
 */
export async function main(binUrl: string): Promise<void> {
  // With NODE_ENV=development or test (a test runner, a dev shell), oclif looks for every
  // plugin's TypeScript sources: it loads the `typescript` compiler to read tsconfig and tries
  // tsx/ts-node, which costs more than the rest of startup. floe's plugins ship compiled; a
  // plugin author who `floe plugins link`s a TypeScript plugin can opt back in with
  // FLOE_AUTO_TRANSPILE=1.
  if (!/^(1|true|yes)$/i.test(process.env.FLOE_AUTO_TRANSPILE ?? ''))
    settings.enableAutoTranspile ??= false

  // Plugins a team lists in its own project's package.json are loaded at run time: oclif's
  // `plugins` globs only see the CLI's own dependencies. Outside any project (no package.json up
  // the tree) there is nothing to add. @floe/plugin-secrets is built into this bundle, so a
  // project that lists it does not load a second copy of its commands.
  const projectRoot = findProjectRoot(process.cwd())
  const root = fileURLToPath(new URL('..', binUrl))
  // `floe secrets validate|exec|get|list` without third-party command plugins skip plugin
  // discovery (src/built-in-fast-path.ts); oclif loads and runs the command as always.
  await execute({
    dir: binUrl,
    loadOptions: fastPathLoadOptions(root, process.argv.slice(2), projectRoot) ?? {
      root,
      ...(projectRoot
        ? { pluginAdditions: { core: [...PROJECT_PLUGIN_PATTERNS], path: projectRoot } }
        : {}),
    },
  })
}
