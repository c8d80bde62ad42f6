/**
 * The fast path of reading a manifest: js-yaml builds the data (about ten times faster than
 * the `yaml` library, which matters for manifests with thousands of secrets) while its
 * listener records where every node starts and ends. Anything js-yaml rejects is re-read by
 * yaml-source.ts, whose error messages and positions are the reference.
 */
import jsyaml from 'js-yaml'
import { ConfigError, type SourceLocation } from '../errors.js'
import { interpolate } from './interpolate.js'
import { formatPath, type DocPath } from './paths.js'
import {
  locateInFoundString,
  pathKey,
  type LocateOptions,
  type SourceDocument,
  type UnsetVariable,
} from './source-document.js'
import { MAX_ALIAS_EXPANSION, MAX_NESTING } from './yaml-limits.js'
import { readYamlSource } from './yaml-source.js'

interface PositionNode {
  /** offset of the node's first character (after leading blanks and comments) */
  start: number
  end: number
  result: unknown
  /** shared empty array until the node gets a child (most nodes are scalars) */
  children: PositionNode[]
  kind: string | null
  /** nodes in the data once aliases are expanded (guards against alias bombs) */
  size: number
  /** collections nested in the node, aliases expanded (guards against deep nesting) */
  height: number
  /** key → [keyNode, valueNode], built on first lookup */
  pairs?: Map<string, [PositionNode, PositionNode]>
}

// YAML 1.2 core schema (no timestamps → Date) plus `<<` merge keys, like the yaml library's.
const { merge } = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [merge] })

/**
 * js-yaml has no limit of its own on what aliases expand to or on nesting: beyond either
 * limit the reference reader takes over, whose refusal names the node that crosses it.
 */
class BeyondLimitsError extends Error {}
class UnpositionedError extends Error {}
const NO_CHILDREN: PositionNode[] = []

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object'
}

interface ListenerState {
  position: number
  result: unknown
  kind: string | null
}

export function readManifestSource(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
): SourceDocument {
  const stack: PositionNode[] = []
  const byContainer = new WeakMap<object, PositionNode>()
  let root: PositionNode | undefined
  let data: unknown
  let aliasExpansion = 0
  try {
    data = jsyaml.load(text, {
      schema: SCHEMA,
      filename: file,
      listener(this: ListenerState, event: 'open' | 'close', state: ListenerState) {
        if (event === 'open') {
          stack.push({
            start: state.position,
            end: state.position,
            result: undefined,
            children: NO_CHILDREN,
            kind: null,
            size: 1,
            height: 0,
          })
          return
        }
        let node = stack.pop() as PositionNode
        node.end = state.position
        node.result = state.result
        node.kind = state.kind
        // Block contexts first try to read a node as an implicit key: it is then wrapped in a
        // node of its own with the same result, which says nothing more.
        const only = node.children.length === 1 ? node.children[0] : undefined
        if (only && only.result === node.result) node = only
        else if (node.kind === null && node.children.length === 0 && isObject(state.result)) {
          // an alias: as big and as deep as its anchor
          const anchor = byContainer.get(state.result)
          node.size = anchor?.size ?? 1
          node.height = anchor?.height ?? 0
          aliasExpansion += node.size
          if (aliasExpansion > MAX_ALIAS_EXPANSION) throw new BeyondLimitsError()
        } else {
          for (const child of node.children) {
            node.size += child.size
            if (child.height > node.height) node.height = child.height
          }
          if (node.kind === 'mapping' || node.kind === 'sequence') node.height += 1
        }
        if (node.height > MAX_NESTING) throw new BeyondLimitsError()
        // A single-pair mapping inside a flow sequence (`[a: 1]`) is built by js-yaml without
        // a node of its own, so its key and value would pass for two items: positions inside
        // it are unknown here, and the reference reader takes over.
        if (
          node.kind === 'sequence' &&
          Array.isArray(state.result) &&
          node.children.length !== state.result.length
        )
          throw new UnpositionedError()
        if (
          state.result !== null &&
          typeof state.result === 'object' &&
          !byContainer.has(state.result)
        ) {
          byContainer.set(state.result, node)
        }
        const parent = stack[stack.length - 1]
        if (parent) {
          if (parent.children === NO_CHILDREN) parent.children = [node]
          else parent.children.push(node)
        } else root = node
      },
    })
  } catch {
    // Malformed, duplicate keys, several documents, unknown tags, beyond limits (js-yaml's
    // own recursion may give out first)…: the reference reader reports them (and reads
    // anything js-yaml alone disagrees about).
    return readYamlSource(text, file, env)
  }

  let lineStarts: number[] | undefined
  const at = (offset: number): SourceLocation => {
    lineStarts ??= computeLineStarts(text)
    let low = 0
    let high = lineStarts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((lineStarts[mid] as number) <= offset) low = mid
      else high = mid - 1
    }
    return { file, line: low + 1, column: offset - (lineStarts[low] as number) + 1 }
  }
  const startOf = (node: PositionNode): number => {
    let i = skipBlanks(text, node.start, node.end)
    // Like the yaml library, a node starts at its content, after `&anchor` and `!tag`.
    while ((text[i] === '&' || text[i] === '!') && node.kind !== null) {
      while (i < node.end && !/\s/.test(text[i] as string)) i += 1
      i = skipBlanks(text, i, node.end)
    }
    return i
  }

  const pairsOf = (node: PositionNode): Map<string, [PositionNode, PositionNode]> => {
    if (node.pairs) return node.pairs
    const pairs = new Map<string, [PositionNode, PositionNode]>()
    const merged: PositionNode[] = []
    for (let i = 0; i + 1 < node.children.length; i += 2) {
      const key = node.children[i] as PositionNode
      const value = node.children[i + 1] as PositionNode
      const name = keyText(key.result)
      if (name === '<<' && key.kind === 'scalar') merged.push(value)
      else if (!pairs.has(name)) pairs.set(name, [key, value])
    }
    for (const source of merged) {
      const sources = Array.isArray(source.result) ? source.result : [source.result]
      for (const object of sources) {
        const target =
          object !== null && typeof object === 'object' ? byContainer.get(object) : undefined
        if (!target || target.kind !== 'mapping') continue
        for (const [k, v] of pairsOf(target)) if (!pairs.has(k)) pairs.set(k, v)
      }
    }
    node.pairs = pairs
    return pairs
  }

  /** Aliases are nodes without children: continue in the anchored node. */
  const resolved = (node: PositionNode): PositionNode => {
    if (node.kind !== null || node.children.length > 0) return node
    const result = node.result
    return result !== null && typeof result === 'object' ? (byContainer.get(result) ?? node) : node
  }

  const findNode = (
    target: DocPath,
    options: LocateOptions,
  ): { node?: PositionNode; exact: boolean } => {
    let node = root
    let lastFound = root
    for (let i = 0; i < target.length && node; i += 1) {
      node = resolved(node)
      const segment = target[i] as string | number
      let next: PositionNode | undefined
      if (node.kind === 'mapping') {
        const pair = pairsOf(node).get(String(segment))
        if (!pair) return { node: lastFound, exact: false }
        if (i === target.length - 1 && options.key) return { node: pair[0], exact: true }
        next = pair[1]
      } else if (node.kind === 'sequence' && typeof segment === 'number') {
        next = node.children[segment]
      }
      if (!next) return { node: lastFound, exact: false }
      node = next
      lastFound = next
    }
    return { node, exact: node !== undefined }
  }

  const locate = (target: DocPath, options: LocateOptions = {}): SourceLocation | undefined => {
    const { node, exact } = findNode(target, options)
    if (!exact && !options.nearest) return undefined
    if (!node) return options.nearest ? at(0) : undefined
    return at(startOf(node))
  }

  const locateInScalar = (
    node: PositionNode,
    value: string,
    index: number,
    needle?: string,
  ): SourceLocation => {
    const start = startOf(node)
    const raw = text.slice(start, Math.max(node.end, start))
    if (needle) {
      let found = raw.indexOf(needle)
      if (found !== -1 && raw.indexOf(needle, found + 1) !== -1) {
        // ambiguous: take the occurrence with the same rank as in the value
        for (
          let seen = value.slice(0, index).split(needle).length - 1;
          seen > 0 && found !== -1;
          seen -= 1
        ) {
          found = raw.indexOf(needle, found + 1)
        }
      }
      if (found !== -1) return at(start + found)
    }
    const first = text[start]
    if (first === '"' || first === "'") return at(start + 1 + index)
    if (first === '|' || first === '>') return at(start)
    return at(start + index)
  }

  const locateInString = (
    target: DocPath,
    index: number,
    needle?: string,
  ): SourceLocation | undefined =>
    locateInFoundString(
      findNode(target, {}),
      (node) => (typeof node.result === 'string' ? node.result : undefined),
      () => locate(target, { nearest: true }),
      (node, value) => locateInScalar(node, value, index, needle),
    )

  // Interpolation, in place: only strings holding `${` are touched.
  const problems: ConfigError[] = []
  const unset: UnsetVariable[] = []
  const interpolated = new Set<string>()
  const path: DocPath = []
  const seen = new Set<object>()
  const expand = (value: string): unknown => {
    const result = interpolate(value, env)
    if (result.problems.length > 0) {
      const { node } = findNode(path, {})
      for (const problem of result.problems) {
        const needle = value.slice(problem.offset, problem.offset + 16)
        const error = new ConfigError(`${formatPath(path)}: ${problem.message}`, {
          location: node
            ? locateInScalar(node, value, problem.offset, needle)
            : locate(path, { nearest: true }),
        })
        if (problem.unset) unset.push({ path: [...path], variable: problem.unset, error })
        else problems.push(error)
      }
    }
    if (!result.substituted) return result.value
    interpolated.add(pathKey(path))
    // An unquoted `${PORT}` reads like the number it expands to, as it would after envsubst.
    const { node } = findNode(path, {})
    const quoted = node ? /^["'|>]/.test(text[startOf(node)] ?? '') : true
    if (!quoted) {
      if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(result.value)) return Number(result.value)
      if (result.value === 'true' || result.value === 'false') return result.value === 'true'
    }
    return result.value
  }
  const visit = (holder: Record<string | number, unknown>, key: string | number): void => {
    const child = holder[key]
    if (typeof child === 'string') {
      if (child.includes('${')) {
        path.push(key)
        holder[key] = expand(child)
        path.pop()
      }
    } else if (child !== null && typeof child === 'object') {
      path.push(key)
      walk(child)
      path.pop()
    }
  }
  const walk = (value: object): void => {
    if (seen.has(value)) return
    seen.add(value)
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1)
        visit(value as unknown[] as Record<number, unknown>, i)
    } else {
      for (const key of Object.keys(value)) visit(value as Record<string, unknown>, key)
    }
  }
  if (typeof data === 'string' && data.includes('${')) data = expand(data)
  else if (data !== null && typeof data === 'object') walk(data)

  return {
    file,
    data: data ?? null,
    problems,
    unset,
    warnings: [],
    interpolated,
    locate,
    locateInString,
  }
}

function keyText(key: unknown): string {
  if (typeof key === 'string') return key
  if (typeof key === 'number' || typeof key === 'boolean') return String(key)
  return key === null ? 'null' : ''
}

/** Skips spaces, line breaks and comments between a node's listener position and its text. */
function skipBlanks(text: string, from: number, limit: number): number {
  let i = from
  const end = Math.max(limit, from)
  while (i < end) {
    const ch = text.charCodeAt(i)
    if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) i += 1
    else if (ch === 0x23 /* # */) {
      while (i < end && text.charCodeAt(i) !== 0x0a) i += 1
    } else break
  }
  return i < end ? i : from
}

function computeLineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}
