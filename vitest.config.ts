import { defineConfig } from 'vitest/config'

// Tests run against TypeScript sources: every package exports a `@floe/source` condition
// pointing at src/, and SSR resolution must be told to prefer it (plain resolve.conditions
// is not enough for vitest's node environment).
const sourceConditions = ['@floe/source', 'import', 'module', 'node', 'default']

export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@floe/source'] } },
  resolve: { conditions: sourceConditions },
  test: {
    projects: ['packages/*', 'plugins/*', 'apps/*'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
