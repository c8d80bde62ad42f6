/** One secret's line from its provider's metadata, following what resolution would do. */
import type { DescribeOutcome, LoadedManifest, SecretDefinition, SecretMetadata } from '../types.js'
import { keysWithoutGenerator } from '../manifest/generators.js'
import type { ValidationCheck } from './validation-types.js'

/** Provider states that mean "usable" (Azure `enabled`, GCP `ENABLED`, Kubernetes `active`). */
const USABLE_STATES = ['enabled', 'ENABLED', 'active']

/** The failure code of a describe outcome: absent metadata is NOT_FOUND. */
export function outcomeCode(outcome: DescribeOutcome): string | undefined {
  return outcome.error?.code ?? (outcome.metadata?.exists ? undefined : 'NOT_FOUND')
}

/** Whether resolution would try the secret's `fallback:` source after this outcome. */
export function triesFallback(manifest: LoadedManifest, outcome: DescribeOutcome): boolean {
  const code = outcomeCode(outcome)
  return Boolean(
    manifest.secrets[outcome.secret]?.fallback && (code === 'NOT_FOUND' || code === 'UNAVAILABLE'),
  )
}

/**
 * What the fallback source's metadata says resolution would get from it: a value (the line
 * is a warning), or nothing, with the words that say why (the line stays a failure unless a
 * default applies). Without the fallback's metadata the fallback is trusted, as before.
 */
function fallbackVerdict(
  provider: string,
  fallback: DescribeOutcome | undefined,
): { resolves: true; where: string } | { resolves: false; note: string } {
  if (!fallback) return { resolves: true, where: '' }
  if (fallback.error?.code === 'UNSUPPORTED')
    return { resolves: true, where: ` (not checked: ${provider} has no metadata API)` }
  const code = outcomeCode(fallback)
  if (!code && (!fallback.metadata?.state || USABLE_STATES.includes(fallback.metadata.state)))
    return { resolves: true, where: ', where it exists' }
  const why = !code
    ? `is ${fallback.metadata!.state}`
    : code === 'NOT_FOUND'
      ? 'NOT FOUND'
      : fallback.error!.message
  return { resolves: false, note: `fallback ${provider}: ${why}` }
}

/**
 * One secret's describe outcome as a check; `fallback` is the describe outcome of its
 * `fallback:` source, when resolution would try it.
 */
export function describeCheck(
  manifest: LoadedManifest,
  outcome: DescribeOutcome,
  fallback?: DescribeOutcome,
): ValidationCheck {
  const name = outcome.secret
  const def = manifest.secrets[name]!
  const err = outcome.error
  const m = outcome.metadata
  const code = outcomeCode(outcome)
  // what resolution does after this failure (resolver/reference-policies.ts): fallback source
  // on NOT_FOUND/UNAVAILABLE, then ?default= / default / on_missing on NOT_FOUND
  let note: string | undefined
  if (def.fallback && (code === 'NOT_FOUND' || code === 'UNAVAILABLE')) {
    const verdict = fallbackVerdict(def.fallback.provider, fallback)
    const primary = code === 'NOT_FOUND' ? 'NOT FOUND' : 'unreachable'
    if (verdict.resolves)
      return missingButResolves(
        name,
        `${primary} — resolution falls back to ${def.fallback.provider}${verdict.where}`,
      )
    note = verdict.note
  }
  if (code === 'NOT_FOUND') {
    if (everyReferenceDefaulted(manifest, name))
      return missingButResolves(name, 'NOT FOUND — every reference has a ?default=, which is used')
    if (def.onMissing?.action === 'warn')
      return missingButResolves(name, 'NOT FOUND — on_missing: warn, it will resolve empty')
    if (def.default !== undefined || def.onMissing?.action === 'default')
      return missingButResolves(name, 'NOT FOUND — its default will be used')
    return notFound(def, note)
  }
  if (err?.code === 'UNSUPPORTED')
    return {
      ok: true,
      severity: 'warning',
      subject: name,
      message: `cannot be checked without reading it (${outcome.provider} has no metadata API)`,
      code: err.code,
    }
  if (err)
    return {
      ok: false,
      severity: 'error',
      subject: name,
      message: note ? `${err.message}; ${note}` : err.message,
      code: err.code,
    }
  return existingCheck(name, m!, expectedKeys(manifest, name))
}

function missingButResolves(name: string, message: string): ValidationCheck {
  return { ok: true, severity: 'warning', subject: name, message, code: 'NOT_FOUND' }
}

function notFound(def: SecretDefinition, note?: string): ValidationCheck {
  const fix = createFix(def)
  return {
    ok: false,
    severity: 'error',
    subject: def.name,
    message: note ? `NOT FOUND (${note})` : 'NOT FOUND',
    code: 'NOT_FOUND',
    ...(fix ? { fix } : {}),
  }
}

/**
 * A `create` command that works as printed: bare when `rotation.generate` covers every key
 * (create generates them), else with the flag that gives the values. None for what `create`
 * cannot make: environment variables and dynamic (leased) credentials.
 */
function createFix(def: SecretDefinition): string | undefined {
  if (def.kind === 'dynamic' || def.provider === 'env') return undefined
  const missing = keysWithoutGenerator(def)
  if (!missing.length) return `floe secrets create ${def.name}`
  return def.keys?.length
    ? `floe secrets create ${def.name} --from-env-file FILE`
    : `floe secrets create ${def.name} --from-file FILE`
}

function existingCheck(name: string, m: SecretMetadata, wanted: string[]): ValidationCheck {
  const missing = m.keys ? wanted.filter((k) => !m.keys!.includes(k)) : []
  if (m.state && !USABLE_STATES.includes(m.state))
    return {
      ok: false,
      severity: 'error',
      subject: name,
      message: `exists but is ${m.state}`,
      code: 'INVALID',
    }
  if (missing.length)
    return {
      ok: false,
      severity: 'error',
      subject: name,
      message: `exists, missing key${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
      code: 'NOT_FOUND',
      fix: `floe secrets rotate ${name} --value-file FILE`,
    }
  const keyText = m.keys
    ? `${m.keys.length} key${m.keys.length === 1 ? '' : 's'}`
    : wanted.length
      ? `${wanted.length} key${wanted.length === 1 ? '' : 's'} expected`
      : 'single value'
  return { ok: true, severity: 'info', subject: name, message: `exists, ${keyText}` }
}

/** Whether the secret is referenced, and every reference carries `?default=` (resolution's rule). */
function everyReferenceDefaulted(manifest: LoadedManifest, name: string): boolean {
  const refs = [
    ...manifest.references.filter((s) => s.ref.name === name).map((s) => s.ref),
    // derived <SECRET>_<KEY> names are not references the team wrote
    ...manifest.env.filter((b) => b.ref.name === name && b.origin !== 'derived').map((b) => b.ref),
  ]
  return refs.length > 0 && refs.every((ref) => ref.default !== undefined)
}

/** Keys consumers need: declared keys plus every key referenced in the manifest. */
export function expectedKeys(manifest: LoadedManifest, name: string): string[] {
  const keys = new Set(manifest.secrets[name]?.keys ?? [])
  for (const site of manifest.references)
    if (site.ref.name === name && site.ref.key) keys.add(site.ref.key)
  for (const binding of manifest.env)
    if (binding.ref.name === name && binding.ref.key) keys.add(binding.ref.key)
  return [...keys]
}
