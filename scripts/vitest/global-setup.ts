/**
 * One private temporary root per test run. Every worker (and every process it spawns with
 * the inherited environment) gets TMPDIR pointing inside it, and the manifest search is told
 * to stop there (FLOE_CEILING_DIRECTORIES, see packages/core/src/manifest/find.ts): a test
 * never finds a floe.yaml that some other program left in /tmp or above. At the end the root
 * is removed, and what tests forgot to clean up is listed so it can be fixed.
 */
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  // every project of vitest.config.ts inherits this setup: the first one makes the root
  if (process.env.FLOE_TEST_RUN_ROOT) return () => {}
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'floe-test-run-')))
  const previous = { TMPDIR: process.env.TMPDIR, CEILING: process.env.FLOE_CEILING_DIRECTORIES }
  process.env.FLOE_TEST_RUN_ROOT = root
  process.env.TMPDIR = root
  process.env.FLOE_CEILING_DIRECTORIES = root
  return () => {
    delete process.env.FLOE_TEST_RUN_ROOT
    let left: string[] = []
    try {
      // the V8 code caches of the floe processes tests start (Node's own module.enableCompileCache()
      // directory, and floe's on Node 20: apps/floe/src/compile-cache.ts), not a test's
      left = readdirSync(root).filter(
        (name) => name !== 'node-compile-cache' && !name.startsWith('floe-compile-cache-'),
      )
    } catch {
      left = []
    }
    if (left.length > 0 && process.env.FLOE_TEST_REPORT_LEFTOVERS !== '0') {
      const names = [...new Set(left.map((name) => name.replace(/[-_.]?[A-Za-z0-9]{6}$/, '-*')))]
      process.stderr.write(
        `\nnote: tests left ${left.length} temporary entr${left.length === 1 ? 'y' : 'ies'} (${names.sort().join(', ')}); removed with ${root}\n`,
      )
    }
    rmSync(root, { recursive: true, force: true })
    for (const [key, value] of [
      ['TMPDIR', previous.TMPDIR],
      ['FLOE_CEILING_DIRECTORIES', previous.CEILING],
    ] as const) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}
