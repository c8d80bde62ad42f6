import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const src = fileURLToPath(new URL('../src/', import.meta.url))

describe('startup cost', () => {
  it('imports @kubernetes/client-node (~630 ms) only lazily: type-only imports plus one dynamic import()', () => {
    const runtime: string[] = []
    const dynamic: string[] = []
    for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(src, file), 'utf8')
      for (const line of text.split('\n')) {
        if (/^import (?!type ).*['"]@kubernetes\/client-node['"]/.test(line))
          runtime.push(`${file}: ${line}`)
        if (/(?<!typeof )import\(['"]@kubernetes\/client-node['"]\)/.test(line)) dynamic.push(file)
      }
    }
    expect(runtime).toEqual([])
    expect(dynamic).toEqual(['client.ts'])
  })
})
