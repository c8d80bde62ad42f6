/**
 * Finds every secret reference in the sections that consume secrets (everything but the
 * `secrets:` definitions): `secret://` URIs, whole or embedded in text, plus the name
 * forms — `*_secret_ref: <secret>` and `ingestion.pipelines[].source.secret_refs`.
 */
import { ConfigError, SecretReferenceError } from '../errors.js'
import type { LoadedManifest, ReferenceSite } from '../types.js'
import { findSecretRefs, parseSecretRef, SCHEME, type SecretRef } from '../uri.js'
import { formatPath, type DocPath } from './paths.js'
import { SECRET_NAME_PATTERN } from './patterns.js'
import type { SourceDocument } from './yaml-source.js'

/** A ReferenceSite that also says how it was written (core's type gains `form` later). */
export interface ManifestReferenceSite extends ReferenceSite {
  /** 'uri' for secret://…, 'name' for `*_secret_ref` / `secret_refs` secret names */
  form: 'uri' | 'name'
}

export interface ScanResult {
  references: ManifestReferenceSite[]
  errors: ConfigError[]
}

export function scanReferences(
  document: Record<string, unknown>,
  source: SourceDocument,
): ScanResult {
  const references: ManifestReferenceSite[] = []
  const errors: ConfigError[] = []
  const path: DocPath = []

  const visitString = (value: string): void => {
    const last = path[path.length - 1]
    if (!value.startsWith(SCHEME) && isNameReferenceSite(path)) {
      if (!SECRET_NAME_PATTERN.test(value)) {
        errors.push(
          new ConfigError(
            `${formatPath(path)}: expected a secret name (letters, digits, "_", "." or "-")`,
            {
              location: source.locate(path, { nearest: true }),
            },
          ),
        )
        return
      }
      const ref: SecretRef = { name: value }
      if (typeof last === 'string' && path[path.length - 2] === 'secret_refs') ref.key = last
      references.push({
        ref,
        raw: value,
        path: [...path],
        location: source.locate(path),
        form: 'name',
      })
      return
    }
    if (!value.includes(SCHEME)) return
    try {
      // A value that is one reference is parsed whole, so `?default=` may hold any character
      // and a stray space is an error rather than the end of the reference.
      if (value.startsWith(SCHEME)) {
        references.push({
          ref: parseSecretRef(value),
          raw: value,
          path: [...path],
          location: source.locate(path),
          form: 'uri',
        })
        return
      }
      for (const found of findSecretRefs(value)) {
        references.push({
          ref: found.ref,
          raw: found.raw,
          path: [...path],
          location: source.locateInString(
            path,
            found.start,
            value.slice(found.start, found.start + 24),
          ),
          form: 'uri',
        })
      }
    } catch (error) {
      if (!(error instanceof SecretReferenceError)) throw error
      const reason = error.message.replace(/ at offset \d+$/, '')
      errors.push(
        new ConfigError(`${formatPath(path)}: malformed secret reference: ${reason}`, {
          location: source.locateInString(
            path,
            error.offset,
            value.slice(error.offset, error.offset + 24),
          ),
          cause: error,
        }),
      )
    }
  }

  const visit = (value: unknown): void => {
    if (typeof value === 'string') visitString(value)
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        path.push(i)
        visit(value[i])
        path.pop()
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        path.push(key)
        visit(child)
        path.pop()
      }
    }
  }

  for (const [section, value] of Object.entries(document)) {
    if (section === 'secrets') continue
    path.push(section)
    visit(value)
    path.pop()
  }
  return { references, errors }
}

/** `plugins.compute.connection_secret_ref`, `ingestion.pipelines[0].source.secret_refs.client_id`. */
function isNameReferenceSite(path: DocPath): boolean {
  const last = path[path.length - 1]
  if (typeof last === 'string' && last.endsWith('_secret_ref')) return true
  return (
    path.length === 6 &&
    path[0] === 'ingestion' &&
    path[1] === 'pipelines' &&
    path[3] === 'source' &&
    path[4] === 'secret_refs'
  )
}

export interface DualSecret {
  /** path of the object holding primary/secondary, e.g. ['lookups','database','auth'] */
  path: (string | number)[]
  primary: SecretRef
  secondary: SecretRef
  fallbackEnabled: boolean
}

/**
 * The dual-secret pattern: `{primary: secret://a, secondary: secret://b,
 * fallback_enabled: true}` — try the primary, fall back to the secondary during rotation.
 */
export function findDualSecrets(
  manifest: Pick<LoadedManifest, 'references' | 'document'>,
): DualSecret[] {
  const byParent = new Map<
    string,
    { path: (string | number)[]; primary?: SecretRef; secondary?: SecretRef }
  >()
  for (const site of manifest.references) {
    const last = site.path[site.path.length - 1]
    if (
      (last !== 'primary' && last !== 'secondary') ||
      site.raw !== valueAt(manifest.document, site.path)
    )
      continue
    const parent = site.path.slice(0, -1)
    const id = parent.join('\u0001')
    const entry = byParent.get(id) ?? { path: parent }
    entry[last] = site.ref
    byParent.set(id, entry)
  }
  const out: DualSecret[] = []
  for (const entry of byParent.values()) {
    if (!entry.primary || !entry.secondary) continue
    const holder = valueAt(manifest.document, entry.path) as Record<string, unknown>
    out.push({
      path: entry.path,
      primary: entry.primary,
      secondary: entry.secondary,
      fallbackEnabled: holder.fallback_enabled === true,
    })
  }
  return out
}

function valueAt(document: unknown, path: readonly (string | number)[]): unknown {
  let current = document
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[segment]
  }
  return current
}
