#!/usr/bin/env node
// Runs from the built package: `pnpm exec tsc -b packages/testkit` first in a checkout.
import { main } from '../dist/sandbox/cli.js'

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code
  },
  (error) => {
    process.stderr.write(
      `floe-sandbox: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    process.exitCode = 2
  },
)
