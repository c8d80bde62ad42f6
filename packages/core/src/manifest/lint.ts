/**
 * Static security lints over a loaded manifest: plaintext credentials, secrets
 * that belong to another environment, persistent DuckDB secrets without scope, references to
 * undeclared secrets or keys. Findings name fields and secrets, never values.
 */
import type { SourceLocation } from '../errors.js'
import type { LoadedManifest } from '../types.js'
import { formatSecretRef } from '../uri.js'
import { internalsOf } from './load.js'
import { formatPath, type DocPath } from './paths.js'
import type { ManifestReferenceSite } from './references.js'
import { pathKey } from './yaml-source.js'

export interface LintFinding {
  severity: 'error' | 'warning'
  /** stable identifier, e.g. 'plaintext-credential' */
  code: string
  message: string
  secret?: string
  location?: SourceLocation
}

/** Field names that hold a credential wherever they appear. */
const CREDENTIAL_FIELDS = new Set([
  'password',
  'passwd',
  'pass',
  'secret',
  'secret_key',
  'secret_access_key',
  'aws_secret_access_key',
  'access_key',
  'access_key_id',
  'key_id',
  'token',
  'bearer_token',
  'access_token',
  'refresh_token',
  'session_token',
  'api_key',
  'apikey',
  'api_token',
  'auth_token',
  'client_secret',
  'secret_id',
  'connection_string',
  'private_key',
  'private_key_passphrase',
  'private_key_password',
  'account_key',
  'sas_token',
  'jwt',
  'credentials',
  'keyfile_json',
])
/**
 * Inside `secrets:` definitions some of those names are locators, not credentials
 * (gcp `secret:` is a secret's name, aws `secret_id` its id); only nested auth blocks and
 * fallbacks carry credentials there.
 */
const LOCATOR_FIELDS = new Set(['secret', 'secret_id', 'key_id', 'kms_key_id', 'access_key_id'])

const ENVIRONMENTS: Record<string, string> = {
  dev: 'dev',
  development: 'dev',
  local: 'dev',
  test: 'test',
  testing: 'test',
  qa: 'qa',
  uat: 'uat',
  stage: 'staging',
  staging: 'staging',
  stg: 'staging',
  prod: 'prod',
  production: 'prod',
  prd: 'prod',
}
const LOCATION_FIELDS = ['path', 'secret_id', 'name', 'secret_name', 'secret', 'variable']

export function lintManifest(manifest: LoadedManifest): LintFinding[] {
  const findings: LintFinding[] = []
  const source = internalsOf(manifest)?.source
  const locate = (path: DocPath): SourceLocation | undefined =>
    source ? source.locate(path, { nearest: true }) : manifest.locate(path)
  const environment = manifest.environment ? canonicalEnvironment(manifest.environment) : undefined

  // ── plaintext credentials ──
  const relaxed = environment === 'dev'
  const visit = (value: unknown, path: DocPath, inSecrets: boolean): void => {
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i], inSecrets))
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) visit(child, [...path, key], inSecrets)
    } else if (typeof value === 'string' || typeof value === 'number') {
      const field = String(path[path.length - 1] ?? '')
      if (!isCredentialField(field, path, inSecrets)) return
      if (!isPlaintext(String(value), path, source?.interpolated)) return
      const secret = inSecrets ? String(path[1]) : undefined
      findings.push({
        severity: relaxed ? 'warning' : 'error',
        code: 'plaintext-credential',
        message: `${formatPath(path)} holds a literal credential: use a secret:// reference or \${env:VAR}${relaxed ? ' (allowed for local testing in environment: dev)' : ''}`,
        ...(secret ? { secret } : {}),
        ...withLocation(locate(path)),
      })
    }
  }
  for (const [section, value] of Object.entries(manifest.document)) {
    if (section === 'env') continue
    visit(value, [section], section === 'secrets')
  }

  // ── another environment's secret ──
  if (environment) {
    for (const secret of Object.values(manifest.secrets)) {
      for (const field of LOCATION_FIELDS) {
        const value = secret.fields[field]
        if (typeof value !== 'string') continue
        const other = value
          .split(/[/_.:\-\s]+/)
          .map((part) => ENVIRONMENTS[part.toLowerCase()])
          .find((env) => env !== undefined && env !== environment)
        if (!other) continue
        findings.push({
          severity: 'error',
          code: 'cross-environment',
          message: `secrets.${secret.name}.${field} points at the ${other} environment, but this manifest is environment: ${manifest.environment}; use a separate secret per environment`,
          secret: secret.name,
          ...withLocation(locate(['secrets', secret.name, field])),
        })
        break
      }
    }
  }

  // ── persistent DuckDB secrets without scope ──
  manifest.duckdb?.secrets?.forEach((spec, i) => {
    if (spec.persistent !== true) return
    const scope = spec.scope
    if (scope !== undefined && (Array.isArray(scope) ? scope.length > 0 : scope !== '')) return
    findings.push({
      severity: 'warning',
      code: 'duckdb-persistent-unscoped',
      message: `duckdb.secrets[${i}] (${spec.name}) is persistent but has no scope: DuckDB stores it unencrypted under its secret_directory and offers it for every path; add scope: "s3://bucket/prefix/"`,
      ...withLocation(locate(['duckdb', 'secrets', i, 'persistent'])),
    })
  })

  // ── undeclared secrets and keys ──
  for (const site of manifest.references as ManifestReferenceSite[]) {
    const definition = manifest.secrets[site.ref.name]
    const where = formatPath(site.path)
    if (!definition) {
      const byName = site.form === 'name'
      findings.push({
        severity: byName ? 'warning' : 'error',
        code: 'undeclared-secret',
        message: byName
          ? `${where} names "${site.ref.name}", which is not declared under secrets: (fine if it is a Kubernetes Secret managed elsewhere)`
          : `${where} references secret "${site.ref.name}", which is not declared under secrets:`,
        secret: site.ref.name,
        ...withLocation(site.location),
      })
      continue
    }
    if (site.ref.key !== undefined && definition.keys && !definition.keys.includes(site.ref.key)) {
      findings.push({
        severity: 'error',
        code: 'undeclared-key',
        message: `${where} references ${formatSecretRef({ name: site.ref.name, key: site.ref.key })}, but secrets.${site.ref.name} declares keys: ${definition.keys.join(', ')}`,
        secret: site.ref.name,
        ...withLocation(site.location),
      })
    }
  }
  return findings
}

function isCredentialField(field: string, path: DocPath, inSecrets: boolean): boolean {
  const name = field.toLowerCase().split('.').pop() ?? ''
  if (!CREDENTIAL_FIELDS.has(name) && !/(?:^|_)(?:password|secret|token)$/.test(name)) return false
  if (path.includes('secret_refs') || name.endsWith('_secret_ref')) return false
  if (inSecrets) {
    // secrets.<name>.<field> says where a secret lives (gcp `secret:`, aws `secret_id`), and
    // env `variables:` maps keys to variable names; credentials hide in auth/vault/fallback blocks.
    const depth = path[1] === '_groups' ? path.length - 1 : path.length
    const fieldOf = path[1] === '_groups' ? path.slice(3) : path.slice(2)
    const definitionLevel = depth <= 3 || (depth === 4 && fieldOf[0] === 'fallback')
    if (definitionLevel && LOCATOR_FIELDS.has(name)) return false
    if (path.includes('variables') || path[1] === '_config') return false
  }
  return true
}

function isPlaintext(value: string, path: DocPath, interpolated: Set<string> | undefined): boolean {
  if (value === '') return false
  if (value.startsWith('secret://')) return false
  if (interpolated?.has(pathKey(path))) return false
  // templated values (dbt `{{ env_var('X') }}`, k8s `$(VAR)`) are not literals
  if (value.includes('{{') || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value)) return false
  return true
}

function canonicalEnvironment(name: string): string {
  return ENVIRONMENTS[name.toLowerCase()] ?? name.toLowerCase()
}

function withLocation(location: SourceLocation | undefined): { location?: SourceLocation } {
  return location ? { location } : {}
}
