import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { default: string } | string>
}

/** The CommonJS modules (grpc, google-gax and the GCP SDK are CommonJS) an entry loads. */
function commonJsLoadedBy(entry: string): string[] {
  const script = `
    import { createRequire } from 'node:module'
    await import(${JSON.stringify(pathToFileURL(join(root, entry)).href)})
    const require = createRequire(import.meta.url)
    process.stdout.write(JSON.stringify(Object.keys(require.cache)))
  `
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  return JSON.parse(out) as string[]
}

const grpc = (files: string[]) => files.filter((f) => /[\\/]@grpc[\\/]|google-gax/.test(f))

describe('testkit subpath exports', () => {
  it('has one subpath per area, each pointing at a built file', () => {
    for (const sub of [
      'conformance',
      'emulator',
      'aws',
      'azure',
      'gcp',
      'kubernetes',
      'vault',
      'sandbox',
    ]) {
      const target = manifest.exports[`./${sub}`]
      expect(target, sub).toMatchObject({ default: `./dist/${sub}/index.js` })
      expect(existsSync(join(root, `dist/${sub}/index.js`)), `${sub} is built`).toBe(true)
    }
  })

  it('loads no gRPC for the conformance suite; the barrel does (so the check can fail)', () => {
    expect(grpc(commonJsLoadedBy('dist/conformance/index.js'))).toEqual([])
    expect(grpc(commonJsLoadedBy('dist/index.js')).length).toBeGreaterThan(0)
  })
})
