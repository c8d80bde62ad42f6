import { defineConfig } from 'vitest/config'

const sourceConditions = ['@floe/source', 'import', 'node', 'default']

// Benchmarks are vitest files so they run TypeScript sources like the tests do; they report
// figures (ratios, counts) through report.ts and never assert on wall time.
export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@floe/source'] } },
  resolve: { conditions: sourceConditions },
  test: {
    root: import.meta.dirname,
    include: ['**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    env: { METADATA_SERVER_DETECTION: 'none', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' },
  },
})
