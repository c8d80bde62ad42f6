#!/usr/bin/env node
// `pnpm bench [filter]`: runs bench/*.bench.ts through vitest and prints the figures.
import { rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const here = import.meta.dirname
rmSync(join(here, 'results', 'latest.jsonl'), { force: true })
const result = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--config', join(here, 'vitest.config.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: join(here, '..') },
)
process.exit(result.status ?? 1)
