import { readFile, writeFile } from 'node:fs/promises'
import type * as Yaml from 'yaml'
import type { Document, YAMLMap, YAMLSeq } from 'yaml'
import { UsageError } from '@floe/core'
import type { FloeSession } from './session.js'

/**
 * Edits the manifest in place through the yaml Document API, so comments and layout survive,
 * and refuses to write a result the loader would reject.
 */
export async function editManifest(
  session: FloeSession,
  edit: (doc: Document) => void,
): Promise<string> {
  const planned = await planManifestEdit(session, edit)
  await planned.write()
  return planned.path
}

export interface PlannedEdit {
  path: string
  /** writes the checked text */
  write(): Promise<void>
}

/**
 * An edit checked but not yet written, for commands that change a backend too (`delete
 * --undeclare`): a manifest the loader would reject is refused before the backend is touched.
 */
export async function planManifestEdit(
  session: FloeSession,
  edit: (doc: Document) => void,
): Promise<PlannedEdit> {
  const path = session.manifestPath()
  // yaml (~70 modules) is loaded by the commands that edit the manifest only, not at startup.
  // (bundled into @floe/cli, the CommonJS module arrives as `default` only)
  const yaml = (await import('yaml')) as Partial<typeof Yaml> & { default?: typeof Yaml }
  const { parseDocument } = yaml.parseDocument ? (yaml as typeof Yaml) : yaml.default!
  const doc = parseDocument(await readFile(path, 'utf8'))
  if (doc.errors.length) throw new UsageError(`${path}: ${doc.errors[0]!.message}`)
  edit(doc)
  const text = doc.toString()
  await session.checkManifestText(text, path)
  return { path, write: () => writeFile(path, text) }
}

export function appendGrant(
  doc: Document,
  grant: { principal: string; role: string; scope: string },
): void {
  if (!doc.has('access')) doc.set('access', doc.createNode([]))
  ;(doc.get('access') as YAMLSeq).add(doc.createNode(grant))
}

/** The plain value of a YAML node (yaml is loaded lazily: no isNode() at module level). */
function plain(node: unknown): unknown {
  return node && typeof (node as { toJSON?: unknown }).toJSON === 'function'
    ? (node as { toJSON(): unknown }).toJSON()
    : node
}

/** Keys of the mapping at `path`, as written. */
function keysAt(doc: Document, path: string[]): string[] {
  const map = doc.getIn(path) as YAMLMap | undefined
  return Array.isArray(map?.items) ? map.items.map((pair) => String(plain(pair.key))) : []
}

/**
 * Declares a secret put into a scope (`put -s S -k K`), so `get K` works afterwards. Fields
 * the key borrowed from a sibling of the same provider (connection settings) are copied from
 * the sibling's YAML as written, `${VAR}` references and all — never their resolved values.
 */
export function declareSecret(
  doc: Document,
  name: string,
  declaration: { provider: string; scope: string; fields: Record<string, unknown> },
  named: readonly string[],
): void {
  if (!doc.get('secrets')) doc.set('secrets', doc.createNode({}))
  const raw: Record<string, unknown> = { provider: declaration.provider }
  const siblings = keysAt(doc, ['secrets']).filter(
    (s) => plain(doc.getIn(['secrets', s, 'provider'])) === declaration.provider,
  )
  for (const [field, value] of Object.entries(declaration.fields)) {
    const from = named.includes(field)
      ? undefined
      : siblings.find((s) => doc.hasIn(['secrets', s, field]))
    raw[field] = from === undefined ? value : plain(doc.getIn(['secrets', from, field], true))
  }
  raw.scope = declaration.scope
  doc.setIn(['secrets', name], doc.createNode(raw))
}

/** Drops a declaration and its mentions in scopes' `secrets:` lists. */
export function undeclareSecret(doc: Document, name: string): void {
  doc.deleteIn(['secrets', name])
  for (const scope of keysAt(doc, ['scopes'])) {
    const list = doc.getIn(['scopes', scope, 'secrets']) as YAMLSeq | undefined
    if (!Array.isArray(list?.items)) continue
    const index = list.items.findIndex((item) => plain(item) === name)
    if (index >= 0) list.delete(index)
  }
}
