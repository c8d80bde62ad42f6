import type { SourceLocation } from '../errors.js'
import type { LoadedManifest } from '../types.js'
import { checkSecretAccess, type AccessModel } from './model.js'
import { parsePrincipal } from './principals.js'

/** Something that runs with secrets, and the principal it runs as. */
export interface Workload {
  /** e.g. "kubernetes Deployment dagster-daemon", "dbt profile floe", "duckdb catalog" */
  label: string
  principal?: string
  secrets: string[]
  location?: SourceLocation
}

interface K8sWorkloadSpec {
  kind?: string
  name?: string
  namespace?: string
  service_account?: string
  principal?: string
  secrets?: string[]
}

function referencedUnder(manifest: LoadedManifest, prefix: (string | number)[]): string[] {
  const names = new Set<string>()
  for (const site of manifest.references) {
    if (prefix.every((p, i) => site.path[i] === p)) names.add(site.ref.name)
  }
  return [...names].sort()
}

/**
 * Workloads declared in the manifest and the principal each runs as:
 * - `kubernetes.workloads[]`: `principal:`, else `serviceaccount:<namespace>/<service_account>`;
 * - `dbt.profiles.<profile>.principal` (or `dbt.principal` for every profile);
 * - `duckdb.principal` for the DuckDB catalog.
 */
export function declaredWorkloads(manifest: LoadedManifest): Workload[] {
  const workloads: Workload[] = []
  const k8s = (manifest.kubernetes ?? {}) as { namespace?: string; workloads?: K8sWorkloadSpec[] }
  for (const [i, w] of (Array.isArray(k8s.workloads) ? k8s.workloads : []).entries()) {
    const ns = w.namespace ?? k8s.namespace
    const principal =
      w.principal ??
      (w.service_account && ns ? `serviceaccount:${ns}/${w.service_account}` : undefined)
    const location = manifest.locate(['kubernetes', 'workloads', i])
    workloads.push({
      label: `kubernetes ${w.kind ?? 'Deployment'} ${w.name ?? `#${i}`}`,
      ...(principal ? { principal } : {}),
      secrets: [...new Set(w.secrets ?? [])].sort(),
      ...(location ? { location } : {}),
    })
  }
  const dbt = manifest.dbt as
    | (Record<string, unknown> & {
        principal?: string
        profiles?: Record<string, { principal?: string }>
      })
    | undefined
  for (const [name, profile] of Object.entries(dbt?.profiles ?? {})) {
    const principal = profile?.principal ?? dbt?.principal
    const location = manifest.locate(['dbt', 'profiles', name])
    workloads.push({
      label: `dbt profile ${name}`,
      ...(principal ? { principal } : {}),
      secrets: referencedUnder(manifest, ['dbt', 'profiles', name]),
      ...(location ? { location } : {}),
    })
  }
  const duckdb = manifest.duckdb as { principal?: string } | undefined
  if (duckdb) {
    const location = manifest.locate(['duckdb'])
    workloads.push({
      label: 'duckdb catalog',
      ...(duckdb.principal ? { principal: duckdb.principal } : {}),
      secrets: referencedUnder(manifest, ['duckdb']),
      ...(location ? { location } : {}),
    })
  }
  return workloads
}

export interface AccessFinding {
  severity: 'error' | 'warning'
  code:
    | 'access-denied-workload'
    | 'access-broad-grant'
    | 'access-scope-spans-environments'
    | 'access-write-role-for-workload'
  message: string
  location?: SourceLocation
}

const ENVIRONMENTS: Record<string, string> = {
  prod: 'prod',
  production: 'prod',
  prd: 'prod',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
  dev: 'dev',
  development: 'dev',
  test: 'test',
  qa: 'test',
}

function environmentsIn(text: string): string[] {
  return [
    ...new Set(
      text
        .toLowerCase()
        .split(/[^a-z]+/)
        .map((t) => ENVIRONMENTS[t])
        .filter((e): e is string => !!e),
    ),
  ]
}

/** `floe secrets validate`'s access checks (issue: least privilege, environment isolation). */
export function accessFindings(manifest: LoadedManifest, model: AccessModel): AccessFinding[] {
  if (!model.enabled) return []
  const findings: AccessFinding[] = []
  const workloads = declaredWorkloads(manifest)
  const used = new Map<string, Set<string>>() // principal → secrets its workloads use

  for (const w of workloads) {
    if (!w.principal) continue
    parsePrincipal(w.principal)
    const set = used.get(w.principal) ?? new Set<string>()
    for (const secret of w.secrets) {
      set.add(secret)
      const decision = checkSecretAccess(model, w.principal, 'read', secret)
      if (!decision.allowed) {
        findings.push({
          severity: 'error',
          code: 'access-denied-workload',
          message: `${w.label} runs as ${w.principal} but uses "${secret}" without a reader grant (${decision.reason})`,
          ...(w.location ? { location: w.location } : {}),
        })
      }
    }
    used.set(w.principal, set)
  }

  for (const grant of model.grants) {
    const secrets = used.get(grant.principal.text)
    if (!secrets) continue // not a workload principal: people and groups are not linted here
    const scope = model.scopes.get(grant.scope)!
    if (grant.role !== 'reader') {
      findings.push({
        severity: 'warning',
        code: 'access-write-role-for-workload',
        message: `${grant.principal.text} (a workload) holds ${grant.role} on ${grant.scope}; workloads only need reader`,
        ...(grant.sourceLocation ? { location: grant.sourceLocation } : {}),
      })
    }
    const unused = scope.secrets.filter((s) => !secrets.has(s))
    if (unused.length && unused.length === scope.secrets.length) {
      findings.push({
        severity: 'warning',
        code: 'access-broad-grant',
        message: `${grant.principal.text} holds ${grant.role} on ${grant.scope} but its workloads use none of its secrets: remove the grant`,
        ...(grant.sourceLocation ? { location: grant.sourceLocation } : {}),
      })
    } else if (unused.length) {
      findings.push({
        severity: 'warning',
        code: 'access-broad-grant',
        message: `${grant.principal.text} holds ${grant.role} on ${grant.scope}, which also holds ${unused.join(', ')} that its workloads do not use (least privilege: split the scope)`,
        ...(grant.sourceLocation ? { location: grant.sourceLocation } : {}),
      })
    }
  }

  for (const scope of model.scopes.values()) {
    const envs = new Set<string>()
    for (const secret of scope.secrets) {
      const def = manifest.secrets[secret]
      if (!def) continue
      for (const env of environmentsIn(`${secret} ${JSON.stringify(def.fields)}`)) envs.add(env)
    }
    if (envs.size > 1) {
      findings.push({
        severity: 'warning',
        code: 'access-scope-spans-environments',
        message: `scope ${scope.name} holds secrets of several environments (${[...envs].sort().join(', ')}): keep one scope per environment`,
        ...(scope.sourceLocation ? { location: scope.sourceLocation } : {}),
      })
    }
  }
  return findings
}
