#!/usr/bin/env node
import { execute } from '@oclif/core'
import { findProjectRoot } from '../dist/project-root.js'

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
