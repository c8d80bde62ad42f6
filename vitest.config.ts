import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// Tests run against TypeScript sources: every package exports a `@floe/source` condition
// pointing at src/, and SSR resolution must be told to prefer it (plain resolve.conditions
// is not enough for vitest's node environment).
const sourceConditions = ['@floe/source', 'import', 'node', 'default']

const packageDirs = ['packages', 'plugins', 'apps'].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(group, d.name, 'package.json')))
    .map((d) => join(group, d.name)),
)

export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@floe/source'] } },
  resolve: { conditions: sourceConditions },
  test: {
    // a private temp root per run, removed at the end (scripts/vitest/global-setup.ts)
    globalSetup: [resolve('scripts/vitest/global-setup.ts')],
    // one fast-check seed per run: fixed in CI, random elsewhere, FLOE_FC_SEED to replay
    setupFiles: [resolve('scripts/vitest/fast-check-seed.ts')],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests must never reach a cloud: no metadata-server probes, no ambient credentials.
    env: {
      METADATA_SERVER_DETECTION: 'none',
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_COLOR: '1',
    },
    projects: packageDirs.map((dir) => ({
      extends: true,
      test: {
        name: (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string })
          .name,
        root: dir,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
})
