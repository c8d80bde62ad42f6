/**
 * The three patch formats the API server accepts: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902) and strategic merge patch (built-in types only). Strategic merge is approximated
 * the way it matters for floe: lists of objects carrying `name` (containers, env, volumes)
 * merge by name instead of being replaced.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

export class PatchError extends Error {
  constructor(
    message: string,
    /** 422 for a failed `test` or a bad path, 400 for a malformed patch document */
    readonly status: 400 | 422,
  ) {
    super(message)
  }
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const clone = <T>(value: T): T => structuredClone(value)

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch)
  const result: JsonObject = isObject(target) ? clone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

export function strategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (
    Array.isArray(patch) &&
    Array.isArray(target) &&
    patch.every((item) => isObject(item) && typeof item.name === 'string')
  ) {
    const result = clone(target)
    for (const item of patch as JsonObject[]) {
      if (item.$patch === 'delete') {
        const index = result.findIndex(
          (existing) => isObject(existing) && existing.name === item.name,
        )
        if (index >= 0) result.splice(index, 1)
        continue
      }
      const index = result.findIndex(
        (existing) => isObject(existing) && existing.name === item.name,
      )
      if (index >= 0) result[index] = strategicMergePatch(result[index], item)
      else result.push(clone(item))
    }
    return result
  }
  if (!isObject(patch)) return clone(patch)
  const result: JsonObject = isObject(target) ? clone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue
    if (value === null) delete result[key]
    else result[key] = strategicMergePatch(result[key], value)
  }
  return result
}

interface Operation {
  op: string
  path: string
  value?: Json
  from?: string
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`, 400)
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function locate(
  doc: Json,
  tokens: string[],
  pointer: string,
): { parent: JsonObject | Json[]; key: string } {
  let node: Json = doc
  for (const token of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node)
      ? node[Number(token)]
      : isObject(node)
        ? node[token]
        : undefined
    if (next === undefined)
      throw new PatchError(`doc is missing path: "${pointer}": missing value`, 422)
    node = next
  }
  if (!Array.isArray(node) && !isObject(node))
    throw new PatchError(`doc is missing path: "${pointer}"`, 422)
  return { parent: node, key: tokens[tokens.length - 1] ?? '' }
}

function read(doc: Json, pointer: string): Json {
  let node: Json | undefined = doc
  for (const token of parsePointer(pointer)) {
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined
    if (node === undefined)
      throw new PatchError(`doc is missing path: "${pointer}": missing value`, 422)
  }
  return node
}

function remove(doc: Json, pointer: string): Json {
  const { parent, key } = locate(doc, parsePointer(pointer), pointer)
  if (Array.isArray(parent)) {
    const index = Number(key)
    if (!Number.isInteger(index) || index < 0 || index >= parent.length)
      throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`, 422)
    return parent.splice(index, 1)[0] as Json
  }
  if (!(key in parent))
    throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`, 422)
  const value = parent[key] as Json
  delete parent[key]
  return value
}

function add(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0) return clone(value)
  const { parent, key } = locate(doc, tokens, pointer)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key)
    if (
      !Number.isInteger(index) ||
      index < 0 ||
      index > parent.length ||
      (replace && index >= parent.length)
    )
      throw new PatchError(`invalid array index "${key}" in "${pointer}"`, 422)
    if (replace) parent[index] = clone(value)
    else parent.splice(index, 0, clone(value))
  } else {
    if (replace && !(key in parent))
      throw new PatchError(
        `replace operation does not apply: doc is missing key: ${pointer}: missing value`,
        422,
      )
    parent[key] = clone(value)
  }
  return doc
}

export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations))
    throw new PatchError('json patch must be an array of operations', 400)
  let doc = clone(target)
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError('each json patch operation needs "op" and "path"', 400)
    const op = raw as unknown as Operation
    switch (op.op) {
      case 'add':
      case 'replace':
        if (!('value' in raw))
          throw new PatchError(`missing value for "${op.op}" at ${op.path}`, 400)
        doc = add(doc, op.path, op.value as Json, op.op === 'replace')
        break
      case 'remove':
        remove(doc, op.path)
        break
      case 'move': {
        const value = remove(doc, String(op.from))
        doc = add(doc, op.path, value, false)
        break
      }
      case 'copy':
        doc = add(doc, op.path, read(doc, String(op.from)), false)
        break
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value))
          throw new PatchError(`testing value ${op.path} failed: test failed`, 422)
        break
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`, 400)
    }
  }
  return doc
}
