/**
 * docs/adding-a-provider.md, as written: its file blocks become a package in a team project
 * outside the workspace; the package passes the conformance suite (the guide's own test file)
 * and the CLI discovers and uses it.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, parseJson, repoRoot, runFloe } from './helpers.js'

const guide = readFileSync(join(repoRoot, 'docs/adding-a-provider.md'), 'utf8')

/** `<!-- file: NAME -->` followed by a fenced block: NAME → the block's text. */
function filesOf(markdown: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const match of markdown.matchAll(/<!-- file: (\S+) -->\s*```\w*\n([\s\S]*?)\n```/g)) {
    files[match[1]!] = `${match[2]!}\n`
  }
  return files
}

const files = filesOf(guide)
// The provider author's own checkout, with what its package.json asks for installed…
const author = makeProject({
  '@floe/core': 'packages/core',
  '@floe/testkit': 'packages/testkit',
  zod: 'packages/core/node_modules/zod',
  vitest: 'node_modules/vitest',
})
for (const [name, text] of Object.entries(files)) author.write(name, text)
// …and a team project that installed it next to the CLI.
const project = makeProject({
  '@floe/cli': 'apps/floe',
  '@oclif/core': 'apps/floe/node_modules/@oclif/core',
})
symlinkSync(author.dir, join(project.dir, 'node_modules', 'floe-provider-folder'), 'dir')
project.write(
  'package.json',
  JSON.stringify({
    name: 'team',
    private: true,
    dependencies: { '@floe/cli': '*', 'floe-provider-folder': '0.1.0' },
  }),
)

it('the guide has the three files it promises', () => {
  expect(Object.keys(files).sort()).toEqual(['conformance.test.js', 'index.js', 'package.json'])
})

it('passes the conformance suite, run as the guide says (npx vitest run conformance.test.js)', () => {
  const run = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/vitest/vitest.mjs'),
      'run',
      'conformance.test.js',
      '--reporter=json',
    ],
    { cwd: author.dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  )
  const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
    numPassedTests: number
    numFailedTests: number
    testResults: { assertionResults: { ancestorTitles: string[]; status: string }[] }[]
  }
  const results = report.testResults.flatMap((file) => file.assertionResults)
  expect(report.numFailedTests, run.stderr).toBe(0)
  expect(results.length).toBeGreaterThanOrEqual(10)
  expect(results.every((r) => r.ancestorTitles.includes('provider conformance: folder'))).toBe(true)
  expect(run.status).toBe(0)
})

describe("the guide's provider from the CLI", () => {
  beforeAll(() => assertBuilt())

  it('is discovered from the project and resolves a key of a JSON file', async () => {
    project.write(
      'secrets/kafka.json',
      JSON.stringify({ username: 'kafka-user', password: 'p' }),
      0o600,
    )
    // the guide's manifest, as written
    project.write('floe.yaml', /```yaml\n([\s\S]*?)\n```/.exec(guide)![1]! + '\n')
    const providers = await runFloe(['secrets', 'providers', '--json'], { cwd: project.dir })
    expect(providers.code).toBe(0)
    const installed = parseJson<{ result: { installed: { name: string; package: string }[] } }>(
      providers.stdout,
    ).result.installed
    expect(installed.find((p) => p.name === 'folder')?.package).toBe('floe-provider-folder')

    const get = await runFloe(['secrets', 'get', 'kafka/username', '--reveal'], {
      cwd: project.dir,
    })
    expect(get.stderr).toBe('')
    expect(get.stdout.trim()).toBe('kafka-user')
    expect(get.code).toBe(0)
  })

  it('a missing file is NOT FOUND with the manifest line', async () => {
    project.write(
      'floe.yaml',
      'secrets:\n  gone:\n    provider: folder\n    name: gone.json\n    folder: secrets\n',
    )
    const get = await runFloe(['secrets', 'get', 'gone', '--reveal'], { cwd: project.dir })
    expect(get.code).not.toBe(0)
    expect(get.stderr).toMatch(/not found|no file/i)
  })
})
