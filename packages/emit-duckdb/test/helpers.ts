import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml'
import {
  SecretNotFoundError,
  SecretValue,
  refId,
  type LoadedManifest,
  type ResolveReport,
  type Resolver,
  type SecretRef,
} from '@floe/core'

/**
 * A LoadedManifest built from YAML with real line numbers, standing in for core's loader in
 * these tests (only the fields the DuckDB emitter reads are filled).
 */
export function manifestFromYaml(text: string, dir = '/tmp'): LoadedManifest {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  if (doc.errors.length) throw new Error(doc.errors[0]!.message)
  const data = (doc.toJS() ?? {}) as Record<string, unknown>
  return {
    path: join(dir, 'floe.yaml'),
    dir,
    version: 1,
    secrets: {},
    config: { concurrency: 8 },
    duckdb: data.duckdb as LoadedManifest['duckdb'],
    dbt: data.dbt as LoadedManifest['dbt'],
    env: [],
    references: [],
    document: data,
    warnings: [],
    locate(path) {
      let node: unknown = doc.contents
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === segment)
          if (!pair) return undefined
          node = pair.key && segment === path[path.length - 1] ? pair.key : pair.value
        } else if (isSeq(node) && typeof segment === 'number') node = node.items[segment]
        else return undefined
      }
      const range = (node as Node | undefined)?.range
      if (!range) return undefined
      const { line, col } = lineCounter.linePos(range[0])
      return { file: join(dir, 'floe.yaml'), line, column: col }
    },
  }
}

/** A Resolver over a map of `secret://…` text → value: what the real resolver returns, minus providers. */
export function mapResolver(values: Record<string, string>): Resolver & { calls: SecretRef[][] } {
  const calls: SecretRef[][] = []
  const byId = new Map(Object.entries(values).map(([uri, v]) => [uri, v]))
  const resolver = {
    calls,
    async resolve(refs: readonly SecretRef[]): Promise<ResolveReport> {
      calls.push([...refs])
      const resolved = new Map<string, SecretValue>()
      const failures: ResolveReport['failures'] = []
      for (const ref of refs) {
        const id = refId(ref)
        const value = byId.get(id)
        if (value === undefined) {
          failures.push({
            ref,
            error: new SecretNotFoundError(`secret ${id} not found`, { secret: ref.name }),
          })
        } else resolved.set(id, new SecretValue(value, id))
      }
      return {
        values: resolved,
        failures,
        warnings: [],
        valueOf: (ref) => resolved.get(refId(ref)),
      }
    },
    async resolveEnv() {
      throw new Error('not used')
    },
    async describe() {
      return []
    },
    async dispose() {},
  }
  return resolver
}

const tempDirs: string[] = []
// Each test file imports this module afresh: its temp dirs go when the file is done.
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

export function tempDir(prefix = 'floe-duckdb-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/** Instance options that keep DuckDB offline and away from the real ~/.duckdb. */
export function isolatedConfig(
  secretDirectory: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    secret_directory: secretDirectory,
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
    // nothing listens there: an INSTALL fails at once, without leaving the machine
    custom_extension_repository: 'http://127.0.0.1:9',
    ...extra,
  }
}
