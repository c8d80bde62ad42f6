/**
 * Every first-party package ships its code once, as dist/index.cjs, and an ES module facade
 * dist/index.js that re-exports it (scripts/bundle-package.mjs, issue 17). Checked in a plain
 * Node process (no test runner's loader or `@floe/source` condition), as a user's code loads
 * them: `import` and `require()` give the same objects — one FloeError class whichever way a
 * provider or a user's code reaches core — with the same names, and core's further entries
 * (testing, schema) use the main entry's classes.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, repoRoot } from './helpers.js'

beforeAll(() => assertBuilt())

const packagesDir = join(repoRoot, 'packages')
const bundled = readdirSync(packagesDir).filter((name) => {
  const pkg = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>
  }
  return pkg.scripts?.build?.includes('bundle-package.mjs') ?? false
})

/** runs an ES module in `cwd` and returns what it printed as JSON */
function inNode(cwd: string, source: string): unknown {
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd,
      encoding: 'utf8',
    }),
  )
}

describe('package entries', () => {
  it('finds the bundled packages', () => {
    expect(bundled).toContain('core')
    expect(bundled).toContain('provider-env')
    expect(bundled.length).toBeGreaterThan(10)
  })

  it.each(bundled)('%s: import and require() give the same exports', (name) => {
    const dir = join(packagesDir, name)
    const result = inNode(
      dir,
      `import { createRequire } from 'node:module'
       const esm = await import('./dist/index.js')
       const cjs = createRequire(import.meta.url)('./dist/index.cjs')
       const names = Object.keys(cjs).filter((k) => k !== '__esModule').sort()
       console.log(JSON.stringify({
         esm: Object.keys(esm).sort(),
         names,
         different: names.filter((k) => esm[k] !== cjs[k]),
       }))`,
    ) as { esm: string[]; names: string[]; different: string[] }
    expect(result.names.length).toBeGreaterThan(0)
    expect(result.esm).toEqual(result.names)
    expect(result.different).toEqual([])
  })

  it("core: one FloeError for import, require() and core's further entries", () => {
    const result = inNode(
      join(repoRoot, 'apps', 'floe'),
      `import { createRequire } from 'node:module'
       import * as esm from '@floe/core'
       import * as testing from '@floe/core/testing'
       const cjs = createRequire(import.meta.url)('@floe/core')
       const provider = testing.createMemoryProvider({ secrets: {} })
       let thrown
       try { await provider.fetchOne({ secret: 'missing', config: {} }, {}) } catch (e) { thrown = e }
       console.log(JSON.stringify({
         same: esm.FloeError === cjs.FloeError,
         fromTesting: thrown instanceof esm.FloeError,
         code: thrown?.code,
       }))`,
    ) as { same: boolean; fromTesting: boolean; code?: string }
    expect(result).toEqual({ same: true, fromTesting: true, code: 'NOT_FOUND' })
  })
})
