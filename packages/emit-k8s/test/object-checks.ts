/**
 * Offline checks for emitted objects: kubernetes-models / @kubernetes-models/external-secrets
 * validation, plus the two checks those libraries skip — RFC 1123 names and unknown fields
 * (a typo like `secretStoreref` validates but is silently dropped by the API server or rejected
 * by strict decoding). Unknown fields are found by walking the models' own .d.ts interfaces.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as core from 'kubernetes-models/v1'
import * as apps from 'kubernetes-models/apps/v1'
import * as batch from 'kubernetes-models/batch/v1'
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import * as esoV1 from '@kubernetes-models/external-secrets/external-secrets.io/v1'
import * as esoV1beta1 from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1'

const here = dirname(fileURLToPath(import.meta.url))
const modelsRoot = realpathSync(join(here, '../node_modules/kubernetes-models'))
const esoRoot = realpathSync(join(here, '../node_modules/@kubernetes-models/external-secrets'))

type Obj = Record<string, unknown>

const MODELS: Record<string, Obj> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'rbac.authorization.k8s.io/v1': rbac,
  'external-secrets.io/v1': esoV1,
  'external-secrets.io/v1beta1': esoV1beta1,
}

/** apiVersion + kind → model class */
function modelFor(
  apiVersion: string,
  kind: string,
): { new (data: Obj): { validate(): void } } | undefined {
  return MODELS[apiVersion]?.[kind] as { new (data: Obj): { validate(): void } } | undefined
}

function declarationFile(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/')
    ? (apiVersion.split('/') as [string, string])
    : ['', apiVersion]
  if (group === 'external-secrets.io') return join(esoRoot, group, version, `${kind}.d.ts`)
  return join(modelsRoot, group, version, `${kind}.d.ts`)
}

// ───── a small reader for the generated .d.ts interfaces ─────

type TypeNode =
  | { kind: 'leaf' }
  | { kind: 'array'; of: TypeNode }
  | { kind: 'map'; of: TypeNode }
  | { kind: 'object'; fields: Map<string, TypeNode> }
  | { kind: 'ref'; file: string; name: string }

const parsedFiles = new Map<
  string,
  { imports: Map<string, string>; interfaces: Map<string, string> }
>()

function resolveImport(fromFile: string, spec: string): string {
  if (spec.startsWith('.')) return resolve(dirname(fromFile), spec.replace(/\.js$/, '.d.ts'))
  const [scope, name, ...rest] = spec.split('/')
  // walk up node_modules like Node does (the packages' exports hide package.json)
  for (let dir = dirname(fromFile); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', scope as string, name as string)
    if (existsSync(candidate)) return join(candidate, ...rest) + '.d.ts'
  }
  return ''
}

function parseFile(file: string): {
  imports: Map<string, string>
  interfaces: Map<string, string>
} {
  const cached = parsedFiles.get(file)
  if (cached) return cached
  const text = existsSync(file) ? readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '') : ''
  const imports = new Map<string, string>()
  for (const m of text.matchAll(/import \{([^}]+)\} from "([^"]+)"/g))
    for (const name of (m[1] as string)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      if (name.startsWith('I')) imports.set(name, resolveImport(file, m[2] as string))
  const interfaces = new Map<string, string>()
  for (const m of text.matchAll(/export interface (\w+)[^{]*\{/g)) {
    let depth = 1
    let i = m.index + m[0].length
    const start = i
    while (depth > 0 && i < text.length) {
      if (text[i] === '{') depth += 1
      else if (text[i] === '}') depth -= 1
      i += 1
    }
    interfaces.set(m[1] as string, text.slice(start, i - 1))
  }
  const parsed = { imports, interfaces }
  parsedFiles.set(file, parsed)
  return parsed
}

function parseFields(body: string, file: string): Map<string, TypeNode> {
  const fields = new Map<string, TypeNode>()
  let i = 0
  while (i < body.length) {
    const m = /"([^"]+)"\??:\s*/y
    m.lastIndex = i
    const hit = m.exec(body)
    if (!hit) {
      i += 1
      continue
    }
    let j = m.lastIndex
    let depth = 0
    while (j < body.length && !(depth === 0 && body[j] === ';')) {
      if ('{<('.includes(body[j] as string)) depth += 1
      if ('}>)'.includes(body[j] as string)) depth -= 1
      j += 1
    }
    fields.set(hit[1] as string, parseType(body.slice(m.lastIndex, j).trim(), file))
    i = j + 1
  }
  return fields
}

function parseType(text: string, file: string): TypeNode {
  if (text.startsWith('Array<')) return { kind: 'array', of: parseType(text.slice(6, -1), file) }
  if (/^\{\s*\[key: string\]/.test(text))
    return {
      kind: 'map',
      of: parseType(text.replace(/^\{\s*\[key: string\]:\s*/, '').replace(/;?\s*\}$/, ''), file),
    }
  if (text.startsWith('{')) return { kind: 'object', fields: parseFields(text.slice(1, -1), file) }
  if (/^I\w+$/.test(text)) {
    const { imports, interfaces } = parseFile(file)
    if (interfaces.has(text)) return { kind: 'ref', file, name: text }
    const target = imports.get(text)
    if (target) return { kind: 'ref', file: target, name: text }
  }
  return { kind: 'leaf' }
}

function resolveRef(node: TypeNode): TypeNode {
  if (node.kind !== 'ref') return node
  const { interfaces } = parseFile(node.file)
  const body = interfaces.get(node.name) ?? [...interfaces.values()][0]
  return body === undefined
    ? { kind: 'leaf' }
    : { kind: 'object', fields: parseFields(body, node.file) }
}

function unknownFields(value: unknown, type: TypeNode, path: string, out: string[]): void {
  const node = resolveRef(type)
  if (value === null || value === undefined || node.kind === 'leaf') return
  if (node.kind === 'array') {
    if (Array.isArray(value))
      value.forEach((item, i) => unknownFields(item, node.of, `${path}[${i}]`, out))
    return
  }
  if (typeof value !== 'object' || Array.isArray(value)) return
  for (const [key, child] of Object.entries(value as Obj)) {
    if (node.kind === 'map') unknownFields(child, node.of, `${path}.${key}`, out)
    else if (node.kind === 'object') {
      const field = node.fields.get(key)
      if (!field) out.push(`${path}.${key}`)
      else unknownFields(child, field, `${path}.${key}`, out)
    }
  }
}

// ───── the checks ─────

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function dnsProblems(object: Obj): string[] {
  const problems: string[] = []
  const meta = (object.metadata ?? {}) as Obj
  const name = typeof meta.name === 'string' ? meta.name : ''
  if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253)
    problems.push(`metadata.name "${name}" is not an RFC 1123 subdomain`)
  const namespace = meta.namespace
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || !DNS1123_LABEL.test(namespace) || namespace.length > 63)
  )
    problems.push(`metadata.namespace ${JSON.stringify(namespace)} is not an RFC 1123 label`)
  return problems
}

/** Everything wrong with one object; [] when it is valid. */
export function objectProblems(object: Obj): string[] {
  const apiVersion = String(object.apiVersion)
  const kind = String(object.kind)
  const Model = modelFor(apiVersion, kind)
  if (!Model) return [`no model for ${apiVersion} ${kind}`]
  const problems = dnsProblems(object)
  try {
    new Model(object).validate()
  } catch (error) {
    problems.push(`schema: ${error instanceof Error ? error.message : String(error)}`)
  }
  const unknown: string[] = []
  const file = declarationFile(apiVersion, kind)
  const { interfaces } = parseFile(file)
  const root = [...interfaces.keys()][0] as string
  unknownFields(object, { kind: 'ref', file, name: root }, '', unknown)
  problems.push(...unknown.map((p) => `unknown field ${p.slice(1)}`))
  return problems
}
