import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { assertBuilt, makeProject, repoRoot, runFloe, type FixtureProject } from './helpers.js'

/**
 * Every ```yaml block of the READMEs is a fixture: a manifest passes `floe secrets validate
 * --offline` as written (every `${VAR}` set), with every provider and emitter installed. A block
 * that is not a manifest (a fragment, a Kubernetes object, emitted output) says so with an
 * `<!-- not-a-manifest: why -->` line before it, and is only checked to be valid YAML.
 */
interface Block {
  file: string
  line: number
  text: string
  manifest: boolean
}

function readmes(): string[] {
  const files = [join(repoRoot, 'README.md')]
  for (const group of ['packages', 'plugins', 'apps']) {
    for (const name of readdirSync(join(repoRoot, group))) {
      const file = join(repoRoot, group, name, 'README.md')
      if (existsSync(file)) files.push(file)
    }
  }
  return files
}

function yamlBlocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^```ya?ml\s*$/.test(lines[i]!)) continue
    const before = lines
      .slice(0, i)
      .filter((l) => l.trim())
      .at(-1)
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
    blocks.push({
      file: relative(repoRoot, file),
      line: i + 1,
      text: lines.slice(i + 1, end).join('\n') + '\n',
      manifest: !before?.includes('not-a-manifest'),
    })
    i = end
  }
  return blocks
}

const blocks = readmes().flatMap(yamlBlocks)
const variables = (text: string) =>
  Object.fromEntries(
    [...text.matchAll(/\$\{(?:env:)?([A-Z_][A-Z0-9_]*)/g)].map((m) => [m[1]!, `value-of-${m[1]}`]),
  )

let project: FixtureProject
beforeAll(() => {
  assertBuilt()
  const packages = ['packages', 'plugins'].flatMap((group) =>
    readdirSync(join(repoRoot, group))
      .filter((name) => /^(provider|emit|plugin)-/.test(name))
      .map((name) => `${group}/${name}`),
  )
  project = makeProject({
    '@floe/cli': 'apps/floe',
    ...Object.fromEntries(
      packages.map((dir) => [
        (JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string })
          .name,
        dir,
      ]),
    ),
  })
})

describe('README yaml examples', () => {
  it('there are examples to check', () => {
    expect(blocks.filter((b) => b.manifest).length).toBeGreaterThan(10)
  })

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s',
    async (_where, block) => {
      const documents = parseAllDocuments(block.text)
      const list = Array.isArray(documents) ? documents : [documents]
      expect(list.flatMap((d) => d.errors.map((e) => e.message))).toEqual([])
      if (!block.manifest) return
      const file = `example-${block.line}.yaml`
      project.write(file, block.text)
      const result = await runFloe(['secrets', 'validate', '--offline', '-m', file], {
        cwd: project.dir,
        env: { ...variables(block.text), VAULT_ADDR: 'http://127.0.0.1:8200' },
      })
      expect(result.stdout + result.stderr).not.toMatch(/✗/)
      expect(result.code, result.stdout + result.stderr).toBe(0)
    },
    60_000,
  )
})
