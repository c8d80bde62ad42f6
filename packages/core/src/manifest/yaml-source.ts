/**
 * Reads a manifest's YAML keeping source positions: one walk of the `yaml` AST builds the
 * interpolated plain data and remembers which nodes each value came from, so any document
 * path (and any character inside a string scalar) can be mapped back to file:line:column.
 */
import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml'
import { ConfigError, type SourceLocation } from '../errors.js'
import { interpolate } from './interpolate.js'
import { formatPath, throwAll, type DocPath } from './paths.js'

export interface LocateOptions {
  /** point at the key of the last segment instead of its value */
  key?: boolean
  /** fall back to the closest existing ancestor when the path does not exist */
  nearest?: boolean
}

export interface SourceDocument {
  file: string
  data: unknown
  /** interpolation problems (unset variables, malformed `${…}`) */
  problems: ConfigError[]
  warnings: string[]
  /** path keys (see pathKey) of string scalars that came (partly) from `${…}` */
  interpolated: Set<string>
  locate(path: DocPath, options?: LocateOptions): SourceLocation | undefined
  /**
   * Position of character `index` of the string at `path`; `needle` (the text starting at
   * that character in the value) lets quoted and folded scalars map exactly.
   */
  locateInString(path: DocPath, index: number, needle?: string): SourceLocation | undefined
}

const requireFromHere = createRequire(import.meta.url)
let yamlModule: typeof Yaml | undefined
/**
 * The `yaml` library (~70 modules) only serves manifests js-yaml rejects and their error
 * positions: loaded on demand so a normal CLI start never pays for it. Synchronous because
 * `yaml` ships CommonJS.
 */
const yaml = (): typeof Yaml => (yamlModule ??= requireFromHere('yaml') as typeof Yaml)

export function pathKey(path: DocPath): string {
  return path.join('\u0001')
}

const MAX_ALIAS_DEPTH = 64
const MAX_VALUES = 5_000_000

export function readYamlSource(text: string, file: string, env: NodeJS.ProcessEnv): SourceDocument {
  const lineCounter = new (yaml().LineCounter)()
  // uniqueKeys is checked by the walk below: the library's check is quadratic in map size,
  // which dominates loading a manifest with thousands of secrets.
  const doc = yaml().parseDocument(text, {
    lineCounter,
    merge: true,
    prettyErrors: true,
    uniqueKeys: false,
  })
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset)
    return { file, line, column: col }
  }

  if (doc.errors.length > 0) {
    // Only the first: the parser's later errors are mostly consequences of it.
    const errors = doc.errors.slice(0, 1).map((e) => {
      // The pretty message ends with a source excerpt that may show a value: keep the first clause.
      const summary = e.message.split(/ at line \d+, column \d+/)[0] ?? e.message
      const hint =
        e.code === 'MULTIPLE_DOCS'
          ? 'a floe manifest is a single YAML document: remove the "---" separator (Kubernetes objects belong in separate files)'
          : undefined
      return new ConfigError(`invalid YAML: ${hint ?? summary}`, {
        location: at(e.pos[0]),
        details: { yamlCode: e.code },
      })
    })
    throwAll(errors)
  }

  const problems: ConfigError[] = []
  const interpolated = new Set<string>()
  const path: DocPath = []
  let aliasDepth = 0

  const nodeStart = (node: YamlNode | null | undefined): number | undefined => node?.range?.[0]

  const scalarToJs = (node: YamlNode & { value: unknown; type?: string }): unknown => {
    const value = node.value
    if (typeof value !== 'string' || !value.includes('${')) return value
    const result = interpolate(value, env)
    for (const problem of result.problems) {
      const location = locateInScalar(
        node,
        value,
        problem.offset,
        value.slice(problem.offset, problem.offset + 2),
      )
      problems.push(new ConfigError(`${formatPath(path)}: ${problem.message}`, { location }))
    }
    if (!result.substituted) return result.value
    interpolated.add(pathKey(path))
    // An unquoted `${PORT}` reads like the number it expands to, as it would after envsubst.
    if (node.type === 'PLAIN') {
      if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(result.value)) return Number(result.value)
      if (result.value === 'true' || result.value === 'false') return result.value === 'true'
    }
    return result.value
  }

  const locateInScalar = (
    node: YamlNode,
    value: string,
    index: number,
    needle?: string,
  ): SourceLocation => {
    const range = node.range
    if (!range) return { file, line: 1, column: 1 }
    const raw = text.slice(range[0], range[1])
    if (needle) {
      const found = raw.indexOf(needle)
      if (found !== -1 && raw.indexOf(needle, found + 1) === -1) return at(range[0] + found)
      // ambiguous: pick the occurrence matching the value's own count before `index`
      if (found !== -1) {
        const nth = countOccurrences(value.slice(0, index), needle)
        let pos = found
        for (let k = 0; k < nth && pos !== -1; k += 1) pos = raw.indexOf(needle, pos + 1)
        if (pos !== -1) return at(range[0] + pos)
      }
    }
    const type = (node as { type?: string }).type
    if (type === 'PLAIN') return at(range[0] + index)
    if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') return at(range[0] + 1 + index)
    return at(range[0])
  }

  // Size of the data once aliases are expanded, memoized per node so that it stays linear.
  const sizes = new WeakMap<object, number>()
  const expandedSize = (node: unknown, depth = 0): number => {
    if (node === null || typeof node !== 'object' || depth > MAX_ALIAS_DEPTH * 4) return 1
    const known = sizes.get(node)
    if (known !== undefined) return known
    sizes.set(node, 1) // provisional: breaks alias cycles
    let size = 1
    if (yaml().isAlias(node)) size = expandedSize(node.resolve(doc), depth + 1)
    else if (yaml().isSeq(node))
      for (const item of node.items) size += expandedSize(item, depth + 1)
    else if (yaml().isMap(node))
      for (const pair of node.items) size += expandedSize(pair.value, depth + 1)
    sizes.set(node, Math.min(size, Number.MAX_SAFE_INTEGER))
    return size
  }
  if (expandedSize(doc.contents) > MAX_VALUES) {
    throw new ConfigError(
      `aliases expand to more than ${MAX_VALUES.toLocaleString('en')} values: a manifest this large is almost certainly an alias bomb`,
      { location: { file, line: 1, column: 1 } },
    )
  }

  const toJs = (node: unknown): unknown => {
    if (node === null || node === undefined) return null
    if (yaml().isAlias(node)) {
      const target = node.resolve(doc)
      if (!target || aliasDepth > MAX_ALIAS_DEPTH) return null
      aliasDepth += 1
      try {
        return toJs(target)
      } finally {
        aliasDepth -= 1
      }
    }
    if (yaml().isScalar(node))
      return scalarToJs(node as YamlNode & { value: unknown; type?: string })
    if (yaml().isSeq(node)) {
      const out: unknown[] = []
      for (let i = 0; i < node.items.length; i += 1) {
        path.push(i)
        out.push(toJs(node.items[i]))
        path.pop()
      }
      return out
    }
    if (yaml().isMap(node)) {
      const out: Record<string, unknown> = {}
      const merges: unknown[] = []
      for (const pair of node.items) {
        const key = keyOf(pair)
        if (key === MERGE) {
          merges.push(pair.value)
          continue
        }
        if (key === undefined) {
          problems.push(
            new ConfigError(`${formatPath(path)}: only string keys are supported`, {
              location: at(nodeStart(pair.key as YamlNode) ?? 0),
            }),
          )
          continue
        }
        if (Object.hasOwn(out, key)) {
          const first = firstPairWithKey(node, key)
          problems.push(
            new ConfigError(
              `invalid YAML: duplicate key "${key}" in ${formatPath(path)}${first === undefined ? '' : ` (first at line ${at(first).line})`}`,
              {
                location: at(nodeStart(pair.key as YamlNode) ?? 0),
                details: { yamlCode: 'DUPLICATE_KEY' },
              },
            ),
          )
          continue
        }
        path.push(key)
        setOwn(out, key, toJs(pair.value))
        path.pop()
      }
      for (const merge of merges) {
        const sources = yaml().isSeq(merge) ? merge.items : [merge]
        for (const source of sources) {
          const value = toJs(source)
          if (value && typeof value === 'object' && !Array.isArray(value)) {
            for (const [k, v] of Object.entries(value))
              if (!Object.hasOwn(out, k)) setOwn(out, k, v)
          }
        }
      }
      return out
    }
    return null
  }

  const firstPairWithKey = (map: YAMLMap, key: string): number | undefined => {
    for (const pair of map.items) if (keyOf(pair) === key) return nodeStart(pair.key as YamlNode)
    return undefined
  }

  const data = toJs(doc.contents)

  // Lazily built key → pair indexes, so locating among 10,000 secrets stays linear overall.
  const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>()
  const pairFor = (map: YAMLMap, key: string): Pair | undefined => {
    let index = pairIndexes.get(map)
    if (!index) {
      index = new Map()
      const merged: Pair[] = []
      for (const pair of map.items) {
        if (!yaml().isPair(pair)) continue
        const k = keyOf(pair)
        if (k === MERGE) {
          const sources = yaml().isSeq(pair.value) ? pair.value.items : [pair.value]
          for (let source of sources) {
            if (yaml().isAlias(source)) source = source.resolve(doc)
            if (yaml().isMap(source)) merged.push(...source.items)
          }
        } else if (k !== undefined) index.set(k, pair)
      }
      for (const pair of merged) {
        const k = keyOf(pair)
        if (typeof k === 'string' && !index.has(k)) index.set(k, pair)
      }
      pairIndexes.set(map, index)
    }
    return index.get(key)
  }

  const findNode = (
    target: DocPath,
    options: LocateOptions,
  ): { node: YamlNode | undefined; exact: boolean } => {
    let node = doc.contents as YamlNode | null
    let lastFound: YamlNode | undefined = node ?? undefined
    for (let i = 0; i < target.length; i += 1) {
      if (yaml().isAlias(node)) node = node.resolve(doc) ?? null
      const segment = target[i] as string | number
      let next: YamlNode | null | undefined
      if (yaml().isMap(node)) {
        const pair = pairFor(node, String(segment))
        if (!pair) return { node: lastFound, exact: false }
        if (i === target.length - 1 && options.key)
          return { node: pair.key as YamlNode, exact: true }
        // `key:` with no value has no value node: point at the key.
        next = (pair.value as YamlNode | null) ?? (pair.key as YamlNode)
      } else if (yaml().isSeq(node) && typeof segment === 'number') {
        next = node.items[segment] as YamlNode | undefined
      } else {
        return { node: lastFound, exact: false }
      }
      if (!next) return { node: lastFound, exact: false }
      node = next
      lastFound = next
    }
    return { node: node ?? undefined, exact: true }
  }

  const locate = (target: DocPath, options: LocateOptions = {}): SourceLocation | undefined => {
    const { node, exact } = findNode(target, options)
    if (!exact && !options.nearest) return undefined
    const start = nodeStart(node)
    return start === undefined ? (options.nearest ? at(0) : undefined) : at(start)
  }

  const locateInString = (
    target: DocPath,
    index: number,
    needle?: string,
  ): SourceLocation | undefined => {
    const { node, exact } = findNode(target, {})
    if (!node) return undefined
    if (!exact || !yaml().isScalar(node) || typeof node.value !== 'string')
      return locate(target, { nearest: true })
    return locateInScalar(node, node.value, index, needle)
  }

  return {
    file,
    data,
    problems,
    warnings: doc.warnings.map(
      (w) => `${file}:${at(w.pos[0]).line}: ${w.message.split(/ at line \d+/)[0]}`,
    ),
    interpolated,
    locate,
    locateInString,
  }
}

const MERGE = Symbol('merge')

function keyOf(pair: { key: unknown }): string | typeof MERGE | undefined {
  const key = pair.key
  if (yaml().isScalar(key)) {
    if (typeof key.value === 'symbol') return MERGE
    if (key.value === null) return (key as { source?: string }).source ?? ''
    return scalarText(key.value)
  }
  if (key === null || key === undefined) return ''
  return undefined
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  else target[key] = value
}

function countOccurrences(text: string, needle: string): number {
  let count = 0
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) count += 1
  return count
}

export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return ''
}
