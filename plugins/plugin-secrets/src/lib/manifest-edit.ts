import { readFile, writeFile } from 'node:fs/promises'
import type * as Yaml from 'yaml'
import type { Document, YAMLSeq } from 'yaml'
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
  await writeFile(path, text)
  return path
}

export function appendGrant(
  doc: Document,
  grant: { principal: string; role: string; scope: string },
): void {
  if (!doc.has('access')) doc.set('access', doc.createNode([]))
  ;(doc.get('access') as YAMLSeq).add(doc.createNode(grant))
}
