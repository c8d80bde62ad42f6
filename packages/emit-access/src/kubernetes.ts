import { stringify } from 'yaml'
import type { Grant, LoadedManifest, Role, Scope } from '@floe/core'
import {
  policyName,
  scopesWithGrants,
  stringOption,
  type CompileInput,
  type Compiled,
} from './shared.js'

const RBAC = 'rbac.authorization.k8s.io'

export interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  resourceNames?: string[]
  verbs: string[]
}

/** The Kubernetes Secret names a scope's secrets live in (kubernetes provider or ESO target). */
export function kubernetesSecretNames(manifest: LoadedManifest, scope: Scope): string[] {
  const names = scope.secrets.map((s) => {
    const def = manifest.secrets[s]!
    return def.provider === 'kubernetes' && typeof def.fields.secret_name === 'string'
      ? def.fields.secret_name
      : s
  })
  return [...new Set(names)].sort()
}

/** The namespaces the scope's kubernetes-provider secrets name (sorted, distinct). */
function kubernetesNamespaces(manifest: LoadedManifest, scope: Scope): string[] {
  const namespaces = scope.secrets.flatMap((s) => {
    const def = manifest.secrets[s]
    return def?.provider === 'kubernetes' && typeof def.fields.namespace === 'string'
      ? [def.fields.namespace]
      : []
  })
  return [...new Set(namespaces)].sort()
}

/** get for readers; get/update/patch/delete for writers; managers also own the scope's RBAC. */
export function rulesFor(scope: string, role: Role, secretNames: string[]): PolicyRule[] {
  const rules: PolicyRule[] = [
    {
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: secretNames,
      verbs: role === 'reader' ? ['get'] : ['get', 'update', 'patch', 'delete'],
    },
  ]
  if (role === 'manager') {
    const names = (['reader', 'writer', 'manager'] as Role[]).map((r) => policyName(scope, r))
    rules.push({
      apiGroups: [RBAC],
      resources: ['roles', 'rolebindings'],
      resourceNames: names,
      verbs: ['get', 'update', 'patch', 'delete'],
    })
    rules.push({
      apiGroups: [RBAC],
      resources: ['roles'],
      resourceNames: names,
      verbs: ['bind', 'escalate'],
    })
  }
  return rules
}

function subjectFor(grant: Grant): Record<string, string> | undefined {
  const p = grant.principal
  switch (p.kind) {
    case 'serviceaccount': {
      const [ns, name] = p.id.split('/') as [string, string]
      return { kind: 'ServiceAccount', name, namespace: ns }
    }
    case 'user':
      return { kind: 'User', apiGroup: RBAC, name: p.id }
    case 'group':
      return { kind: 'Group', apiGroup: RBAC, name: p.id }
    case 'workspace':
      return { kind: 'Group', apiGroup: RBAC, name: `floe:workspace:${p.id}` }
    default:
      return undefined
  }
}

/** Role + RoleBinding per (scope, role) in the scope's namespace, with exact resourceNames. */
export function compileKubernetesObjects({ manifest, model, options }: CompileInput): {
  objects: Record<string, unknown>[]
  warnings: string[]
} {
  const objects: Record<string, unknown>[] = []
  const warnings: string[] = []
  const fallbackNs =
    (manifest.kubernetes as { namespace?: string } | undefined)?.namespace ??
    (options.namespace as string | undefined)
  for (const { scope, byRole } of scopesWithGrants(model)) {
    const fromSecrets = kubernetesNamespaces(manifest, scope)
    const namespace =
      scope.location.kubernetes?.namespace ??
      (fromSecrets.length === 1 ? fromSecrets[0] : undefined) ??
      (fromSecrets.length ? undefined : fallbackNs)
    if (!namespace) {
      warnings.push(
        fromSecrets.length > 1
          ? `scope ${scope.name} has Kubernetes secrets in namespaces ${fromSecrets.join(', ')}: set scopes.${scope.name}.location.kubernetes.namespace to say which one the Roles go in; skipped`
          : `scope ${scope.name} has no kubernetes namespace (scopes.${scope.name}.location.kubernetes.namespace): skipped`,
      )
      continue
    }
    const secretNames = kubernetesSecretNames(manifest, scope)
    if (!secretNames.length) {
      warnings.push(`scope ${scope.name} holds no secrets: no Role emitted`)
      continue
    }
    for (const [role, grants] of byRole) {
      if (!grants.length) continue
      const name = policyName(scope.name, role)
      const labels = {
        'app.kubernetes.io/managed-by': 'floe',
        'floe.dev/scope': scope.name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-'),
        'floe.dev/role': role,
      }
      objects.push({
        apiVersion: `${RBAC}/v1`,
        kind: 'Role',
        metadata: { name, namespace, labels },
        rules: rulesFor(scope.name, role, secretNames),
      })
      const subjects = grants
        .map((g) => subjectFor(g))
        .filter((s): s is Record<string, string> => !!s)
      for (const g of grants)
        if (!subjectFor(g))
          warnings.push(
            `${g.principal.text} is not a Kubernetes identity: left out of RoleBinding ${name}`,
          )
      if (subjects.length) {
        objects.push({
          apiVersion: `${RBAC}/v1`,
          kind: 'RoleBinding',
          metadata: { name, namespace, labels },
          roleRef: { apiGroup: RBAC, kind: 'Role', name },
          subjects,
        })
      }
    }
  }
  return { objects, warnings }
}

export function compileKubernetes(input: CompileInput): Compiled {
  const { objects, warnings } = compileKubernetesObjects(input)
  const format = stringOption(input.options, 'format', 'yaml')
  const content =
    format === 'json'
      ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n'
      : objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n')
  return { files: [{ path: `rbac.${format === 'json' ? 'json' : 'yaml'}`, content }], warnings }
}
