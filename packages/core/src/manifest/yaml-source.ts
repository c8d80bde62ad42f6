/**
 * Reads a manifest's YAML keeping source positions: one walk of the `yaml` AST builds the
 * interpolated plain data and remembers which nodes each value came from, so any document
 * path (and any character inside a string scalar) can be mapped back to file:line:column.
 */
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml'
import { ConfigError, type SourceLocation } from '../errors.js'
import { interpolate } from './interpolate.js'
import { formatPath, throwAll, type DocPath } from './paths.js'
import {
  locateInFoundString,
  pathKey,
  scalarText,
  type LocateOptions,
  type SourceDocument,
  type UnsetVariable,
} from './source-document.js'
import {
  CORE_TAGS,
  MAX_ALIAS_DEPTH,
  MAX_ALIAS_EXPANSION,
  MAX_NESTING,
  aliasBombMessage,
  nestingError,
  tooDeepOffset,
  unknownTag,
} from './yaml-limits.js'
import { yaml } from './yaml-module.js'

// the modules split out of this file keep their names importable from here
export type { LocateOptions, SourceDocument, UnsetVariable } from './source-document.js'
export { pathKey, scalarText } from './source-document.js'
export { MAX_ALIAS_EXPANSION, MAX_NESTING, aliasBombMessage } from './yaml-limits.js'

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

  // An unknown tag (`!custom`, `!!js/function`) is only a warning to the library, which then
  // reads the node as if untagged: a manifest meant for another reader would pass silently.
  const refusals =
    doc.errors.length > 0 ? doc.errors : doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')
  // The library's composer recurses, and gives out (as RESOURCE_EXHAUSTION) somewhere past
  // about 800 levels: its token tree, built without recursion, says where nesting went too deep.
  if (doc.errors.some((e) => e.code === 'RESOURCE_EXHAUSTION')) {
    const deep = tooDeepOffset(text)
    if (deep !== undefined) throw nestingError(at(deep))
  }
  if (refusals.length > 0) {
    // Only the first: the parser's later errors are mostly consequences of it.
    const errors = refusals.slice(0, 1).map((e) => {
      if (e.code === 'TAG_RESOLVE_FAILED')
        return unknownTag(text.slice(e.pos[0], e.pos[1]), at(e.pos[0]))
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
  const unset: UnsetVariable[] = []
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
      const error = new ConfigError(`${formatPath(path)}: ${problem.message}`, { location })
      if (problem.unset) unset.push({ path: [...path], variable: problem.unset, error })
      else problems.push(error)
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

  // One walk before anything reads the data: nesting beyond MAX_NESTING and alias bombs are
  // refused at the node where the limit is crossed. Sizes are memoized per node so that the
  // walk stays linear; an alias adds the expanded size of its anchor.
  const measured = new WeakMap<object, { size: number; height: number }>()
  let aliasExpansion = 0
  const tooDeep = (node: YamlNode) => nestingError(at(nodeStart(node) ?? 0))
  // The library knows YAML 1.1 tags too (`!!binary` → bytes, `!!set`, `!!timestamp` → Date),
  // which would reach the manifest as objects: only the core schema's tags are data here.
  const checkTag = (node: YamlNode): void => {
    if (node.tag === undefined || CORE_TAGS.has(node.tag)) return
    throw unknownTag(node.tag.replace(/^tag:yaml\.org,2002:/, '!!'), at(nodeStart(node) ?? 0))
  }
  /** size: values once aliases are expanded; height: collections nested in the node. */
  const measure = (node: unknown, nesting: number): { size: number; height: number } => {
    if (node === null || typeof node !== 'object') return { size: 1, height: 0 }
    if (yaml().isScalar(node)) checkTag(node)
    const known = measured.get(node)
    if (known) return known
    const result = { size: 1, height: 0 }
    measured.set(node, result) // provisional: breaks alias cycles
    if (yaml().isAlias(node)) {
      const target = measure(node.resolve(doc), nesting)
      result.size = target.size
      result.height = target.height
      // The anchor was measured where it stands; here it may sit deeper.
      if (nesting + target.height > MAX_NESTING) throw tooDeep(node)
      aliasExpansion += target.size
      if (aliasExpansion > MAX_ALIAS_EXPANSION) {
        throw new ConfigError(aliasBombMessage(), { location: at(nodeStart(node) ?? 0) })
      }
    } else if (yaml().isCollection(node)) {
      if (nesting >= MAX_NESTING) throw tooDeep(node)
      checkTag(node)
      const children = yaml().isSeq(node) ? node.items : node.items.map((pair) => pair.value)
      for (const child of children) {
        const inner = measure(child, nesting + 1)
        result.size = Math.min(result.size + inner.size, Number.MAX_SAFE_INTEGER)
        result.height = Math.max(result.height, inner.height)
      }
      result.height += 1
    }
    return result
  }
  measure(doc.contents, 0)

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
  ): SourceLocation | undefined =>
    locateInFoundString(
      findNode(target, {}),
      (node) => (yaml().isScalar(node) && typeof node.value === 'string' ? node.value : undefined),
      () => locate(target, { nearest: true }),
      (node, value) => locateInScalar(node, value, index, needle),
    )

  return {
    file,
    data,
    problems,
    unset,
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
