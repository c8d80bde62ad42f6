import { join } from 'node:path'
import { LineCounter, isMap, isSeq, parseDocument, type Node } from 'yaml'
import type { EnvBinding, LoadedManifest } from '@floe/core'

/**
 * A LoadedManifest from YAML with real line numbers, standing in for core's loader (only the
 * fields the dbt emitter reads are filled; env bindings are passed in).
 */
export function manifestFromYaml(text: string, env: EnvBinding[] = []): LoadedManifest {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  if (doc.errors.length) throw new Error(doc.errors[0]!.message)
  const data = (doc.toJS() ?? {}) as Record<string, unknown>
  return {
    path: '/tmp/floe.yaml',
    dir: '/tmp',
    version: 1,
    secrets: {},
    config: { concurrency: 8 },
    dbt: data.dbt as LoadedManifest['dbt'],
    env,
    references: [],
    document: data,
    warnings: [],
    locate(path) {
      let node: unknown = doc.contents
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === segment)
          if (!pair) return undefined
          node = pair.value
        } else if (isSeq(node) && typeof segment === 'number') node = node.items[segment]
        else return undefined
      }
      const range = (node as Node | undefined)?.range
      if (!range) return undefined
      const { line, col } = lineCounter.linePos(range[0])
      return { file: join('/tmp', 'floe.yaml'), line, column: col }
    },
  }
}
