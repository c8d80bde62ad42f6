import { readFile, writeFile } from 'node:fs/promises'
import { parseDocument, YAMLSeq, type Document } from 'yaml'
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
  if (!doc.has('access')) doc.set('access', new YAMLSeq())
  ;(doc.get('access') as YAMLSeq).add(doc.createNode(grant))
}
