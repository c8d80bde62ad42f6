import type { Grant, Role } from '@floe/core'
import {
  json,
  scopesWithGrants,
  secretsOf,
  stringOption,
  type CompileInput,
  type Compiled,
} from './shared.js'

export const GCP_ROLES: Record<Role, string[]> = {
  reader: ['roles/secretmanager.secretAccessor'],
  writer: [
    'roles/secretmanager.secretAccessor',
    'roles/secretmanager.secretVersionAdder',
    'roles/secretmanager.secretVersionManager',
  ],
  manager: ['roles/secretmanager.admin'],
}

function member(grant: Grant, project: string): string | undefined {
  const p = grant.principal
  switch (p.kind) {
    case 'gcp':
      return p.id
    case 'user':
      return `user:${p.id}`
    case 'group':
      return `group:${p.id}`
    case 'serviceaccount': {
      // GKE Workload Identity: the Kubernetes service account as an IAM principal.
      const [ns, name] = p.id.split('/') as [string, string]
      return `serviceAccount:${project}.svc.id.goog[${ns}/${name}]`
    }
    default:
      return undefined
  }
}

/**
 * IAM bindings per secret (`gcloud secrets set-iam-policy`), or, for a scope located by name
 * prefix, one project binding with an IAM condition on the secret name.
 */
export function compileGcp({ manifest, model, options }: CompileInput): Compiled {
  const warnings: string[] = []
  const perSecret: Record<string, { bindings: { role: string; members: string[] }[] }> = {}
  const conditional: {
    role: string
    members: string[]
    condition: { title: string; expression: string }
  }[] = []
  for (const { scope, byRole } of scopesWithGrants(model)) {
    const secrets = secretsOf(manifest, scope, 'gcp_secret_manager')
    const project =
      scope.location.gcp?.project ??
      (secrets[0]?.fields.project as string | undefined) ??
      stringOption(options, 'project', 'PROJECT_ID')
    for (const [role, grants] of byRole) {
      const members = grants
        .map((g) => member(g, project))
        .filter((m): m is string => !!m)
        .sort()
      for (const g of grants)
        if (!member(g, project))
          warnings.push(`${g.principal.text} has no GCP IAM identity: left out`)
      if (!members.length) continue
      for (const def of secrets) {
        const resource = `projects/${stringOption(def.fields, 'project', project)}/secrets/${String(def.fields.secret)}`
        const entry = (perSecret[resource] ??= { bindings: [] })
        for (const r of GCP_ROLES[role]) {
          const existing = entry.bindings.find((b) => b.role === r)
          if (existing) existing.members = [...new Set([...existing.members, ...members])].sort()
          else entry.bindings.push({ role: r, members })
        }
      }
      const prefix = scope.location.gcp?.prefix
      if (prefix) {
        for (const r of GCP_ROLES[role]) {
          conditional.push({
            role: r,
            members,
            condition: {
              title: `floe scope ${scope.name} (${role})`,
              expression: `resource.name.startsWith("projects/${project}/secrets/${prefix}")`,
            },
          })
        }
      }
    }
  }
  for (const entry of Object.values(perSecret))
    entry.bindings.sort((a, b) => a.role.localeCompare(b.role))
  const sorted = Object.fromEntries(
    Object.entries(perSecret).sort(([a], [b]) => a.localeCompare(b)),
  )
  const files = [{ path: 'secret-iam-bindings.json', content: json(sorted) }]
  if (conditional.length)
    files.push({
      path: 'project-iam-conditional-bindings.json',
      content: json({ bindings: conditional }),
    })
  return { files, warnings }
}
