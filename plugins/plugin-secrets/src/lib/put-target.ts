/**
 * Where `floe secrets put -s SCOPE -k KEY` writes, and what it reads: the scope's definition
 * for the key, the declaration of a key the manifest does not declare yet (planned and checked,
 * written after the value), and the value from `-f FILE` or stdin. Kept out of the command so
 * it stays a thin wrapper around writeSecret.
 */
import {
  buildAccessModel,
  definitionForScopeKey,
  SecretValue,
  UsageError,
  type SecretDefinition,
} from '@floe/core'
import { declareSecret, planManifestEdit, type PlannedEdit } from './manifest-edit.js'
import { readSecretInput } from './secret-input.js'
import type { FloeSession } from './session.js'

export interface PutTarget {
  scope: string
  def: SecretDefinition
  /** the declaration of a new key, checked but not yet written */
  declaration?: PlannedEdit
}

export async function putTarget(
  session: FloeSession,
  flags: { scope: string; key: string; provider?: string | undefined },
): Promise<PutTarget> {
  const manifest = await session.manifest()
  const scope = (await buildAccessModel(manifest)).scopes.get(flags.scope)
  if (!scope)
    throw new UsageError(`scope "${flags.scope}" is not declared`, {
      hint: `floe secrets scopes create -s ${flags.scope}`,
    })
  if (flags.provider && scope.provider && flags.provider !== scope.provider)
    throw new UsageError(
      `scope ${scope.name} keeps new keys in ${scope.provider}, not ${flags.provider}`,
      { hint: `drop --provider, or put the key into another scope` },
    )
  const def = definitionForScopeKey(manifest, scope, flags.key, session.registry, flags.provider)
  if (manifest.secrets[def.name]) return { scope: scope.name, def }
  // checked before the write: a declaration the loader would reject must not strand a value
  const declaration = await planManifestEdit(session, (doc) => {
    declareSecret(
      doc,
      def.name,
      { provider: def.provider, scope: scope.name, fields: def.fields },
      namedFields(session, def.provider),
    )
    // --provider on a scope that named none: the scope remembers it for the next keys
    if (!scope.provider && def.provider !== manifest.config.defaultProvider)
      doc.setIn(['scopes', scope.name, 'provider'], def.provider)
  })
  return { scope: scope.name, def, declaration }
}

/** the fields the scope's location names (the rest were borrowed from siblings) */
function namedFields(session: FloeSession, provider: string): string[] {
  const naming = session.registry.metadataOf?.(provider)?.scopeKey
  return naming ? [naming.field, ...Object.keys(naming.copy ?? {})] : []
}

/**
 * The value of `put`: from `-f FILE`, else stdin (never argv, so it stays out of shell
 * history). Refused up front on a terminal with no file, rather than waiting on a prompt.
 */
export function putValue(
  secret: string,
  file: string | undefined,
  warn: (message: string) => void,
): () => Promise<SecretValue> {
  if (!file && process.stdin.isTTY)
    throw new UsageError('no value: give -f FILE or pipe the value on stdin')
  return async () =>
    file
      ? ((await readSecretInput(secret, { fromFile: [file] }, warn)) as SecretValue)
      : new SecretValue(await readStdin(), secret)
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
