import type { z as Zod } from 'zod'
import {
  AggregateConfigError,
  ConfigError,
  ForbiddenError,
  type FloeError,
  type SourceLocation,
} from '../errors.js'
import type { LoadedManifest } from '../types.js'
import { parsePrincipal, type Principal } from './principals.js'

/**
 * Secret scopes and roles: scopes group secrets; grants give a principal the
 * reader, writer or manager role on a scope. floe has no server, so the model is evaluated
 * locally (`floe secrets access check`, `--as`) and compiled to each backend's own access
 * control by @floe/emit-access.
 */

export const ROLES = ['reader', 'writer', 'manager'] as const
export type Role = (typeof ROLES)[number]

/** Scope-level permissions, one action per row of its table. */
export const ACTIONS = [
  'create_scope',
  'manage_grants',
  'delete_scope',
  'write',
  'list',
  'read',
] as const
export type Action = (typeof ACTIONS)[number]

export const ACTION_DESCRIPTIONS: Record<Action, string> = {
  create_scope: 'Create a secret scope',
  manage_grants: 'View and edit role assignments on a secret scope',
  delete_scope: 'Delete a secret scope',
  write: 'Create, update, and delete secret values in a secret scope',
  list: 'List secret keys in a secret scope',
  read: 'Read secret values in a secret scope',
}

/** Who may do what: manager ⊃ writer ⊃ reader; creating a scope is open to everyone. */
export const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  reader: ['read'],
  writer: ['write', 'list', 'read'],
  manager: ['manage_grants', 'delete_scope', 'write', 'list', 'read'],
}
export const EVERYONE_ACTIONS: readonly Action[] = ['create_scope']

export interface ScopeLocation {
  /** Vault KV path prefix, e.g. secret/data/scopes/snowflake */
  vault?: string
  /** AWS name prefix and/or tag value of `floe:scope` */
  aws?: { prefix?: string; tag?: string }
  /** GCP label value of `floe-scope` and/or secret name prefix */
  gcp?: { label?: string; prefix?: string; project?: string }
  /** Azure tag value of `floe-scope` */
  azure?: { tag?: string; vault_url?: string }
  /** Kubernetes namespace holding the scope's Secrets */
  kubernetes?: { namespace: string }
}

export interface Scope {
  name: string
  description?: string
  /** declared secret names that belong to the scope (explicit + pattern matches) */
  secrets: string[]
  patterns: string[]
  location: ScopeLocation
  /** provider used by `floe secrets put` for keys not declared in the manifest */
  provider?: string
  sourceLocation?: SourceLocation
}

export interface Grant {
  principal: Principal
  role: Role
  scope: string
  index: number
  sourceLocation?: SourceLocation
}

export interface AccessModel {
  /** false when the manifest declares neither scopes nor access */
  enabled: boolean
  scopes: Map<string, Scope>
  grants: Grant[]
  /** scopes a declared secret belongs to */
  scopesOf(secret: string): Scope[]
}

// zod is imported, and the schemas built, only for a manifest with `scopes:` or `access:`:
// importing @floe/core loads no zod (start-up, issue 17)
function accessSchemas(z: typeof Zod) {
  const scopeSchema = z.strictObject({
    description: z.string().optional(),
    secrets: z.array(z.string().min(1)).optional(),
    pattern: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    provider: z.string().optional(),
    location: z
      .strictObject({
        vault: z.string().min(1).optional(),
        aws: z
          .strictObject({ prefix: z.string().min(1).optional(), tag: z.string().min(1).optional() })
          .optional(),
        gcp: z
          .strictObject({
            label: z.string().min(1).optional(),
            prefix: z.string().min(1).optional(),
            project: z.string().optional(),
          })
          .optional(),
        azure: z
          .strictObject({ tag: z.string().min(1).optional(), vault_url: z.string().optional() })
          .optional(),
        kubernetes: z.strictObject({ namespace: z.string().min(1) }).optional(),
      })
      .optional(),
  })

  const grantSchema = z.strictObject({
    principal: z.string().min(1),
    role: z.enum(ROLES),
    scope: z.string().min(1),
  })
  return { scopeSchema, grantSchema }
}

let schemas: Promise<ReturnType<typeof accessSchemas>> | undefined
const loadSchemas = () => (schemas ??= import('zod').then(({ z }) => accessSchemas(z)))

/** Glob with `*` (any run of characters) and `?` (one), matched against whole secret names. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`)
}

/** Builds and validates the model from `scopes:` and `access:`; every problem carries its line. */
export async function buildAccessModel(manifest: LoadedManifest): Promise<AccessModel> {
  const problems: FloeError[] = []
  const scopes = new Map<string, Scope>()
  const declared = Object.keys(manifest.secrets)
  const rawScopes = manifest.scopes ?? {}
  const rawAccess = manifest.access ?? []
  const at = (path: (string | number)[]) => manifest.locate(path)
  const { scopeSchema, grantSchema } =
    Object.keys(rawScopes).length > 0 || (Array.isArray(rawAccess) && rawAccess.length > 0)
      ? await loadSchemas()
      : ({} as Awaited<ReturnType<typeof loadSchemas>>)

  for (const [name, raw] of Object.entries(rawScopes)) {
    const parsed = scopeSchema.safeParse(raw ?? {})
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = ['scopes', name, ...(issue.path as (string | number)[])]
        problems.push(
          new ConfigError(`${path.join('.')}: ${issue.message}`, {
            location: at(path) ?? at(['scopes', name]),
          }),
        )
      }
      continue
    }
    const spec = parsed.data
    const patterns =
      spec.pattern === undefined ? [] : Array.isArray(spec.pattern) ? spec.pattern : [spec.pattern]
    const members = new Set<string>()
    for (const [i, secret] of (spec.secrets ?? []).entries()) {
      if (!manifest.secrets[secret]) {
        problems.push(
          new ConfigError(
            `scopes.${name}.secrets[${i}]: "${secret}" is not declared under secrets:`,
            { location: at(['scopes', name, 'secrets', i]) },
          ),
        )
      } else members.add(secret)
    }
    for (const pattern of patterns) {
      const re = globToRegExp(pattern)
      for (const secret of declared) if (re.test(secret)) members.add(secret)
    }
    for (const def of Object.values(manifest.secrets)) if (def.scope === name) members.add(def.name)
    scopes.set(name, {
      name,
      ...(spec.description ? { description: spec.description } : {}),
      secrets: [...members].sort(),
      patterns,
      location: spec.location ?? {},
      ...(spec.provider ? { provider: spec.provider } : {}),
      ...(at(['scopes', name]) ? { sourceLocation: at(['scopes', name]) } : {}),
    })
  }

  for (const def of Object.values(manifest.secrets)) {
    if (def.scope && !scopes.has(def.scope)) {
      problems.push(
        new ConfigError(
          `secrets.${def.name}.scope: scope "${def.scope}" is not declared under scopes:`,
          { location: at(['secrets', def.name, 'scope']) ?? def.location },
        ),
      )
    }
  }

  const grants: Grant[] = []
  if (!Array.isArray(rawAccess)) {
    problems.push(
      new ConfigError('access: expected a list of {principal, role, scope}', {
        location: at(['access']),
      }),
    )
  } else {
    rawAccess.forEach((raw, index) => {
      const parsed = grantSchema.safeParse(raw)
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = ['access', index, ...(issue.path as (string | number)[])]
          problems.push(
            new ConfigError(`${path.join('.')}: ${issue.message}`, {
              location: at(path) ?? at(['access', index]),
            }),
          )
        }
        return
      }
      if (!scopes.has(parsed.data.scope)) {
        problems.push(
          new ConfigError(
            `access[${index}].scope: scope "${parsed.data.scope}" is not declared under scopes:`,
            { location: at(['access', index, 'scope']) },
          ),
        )
        return
      }
      try {
        const location = at(['access', index])
        grants.push({
          principal: parsePrincipal(parsed.data.principal),
          role: parsed.data.role,
          scope: parsed.data.scope,
          index,
          ...(location ? { sourceLocation: location } : {}),
        })
      } catch (error) {
        const e = error as ConfigError
        problems.push(
          new ConfigError(`access[${index}].principal: ${e.message}`, {
            location: at(['access', index, 'principal']),
            hint: e.hint,
          }),
        )
      }
    })
  }

  if (problems.length === 1) throw problems[0] as FloeError
  if (problems.length) throw new AggregateConfigError(problems)

  const byScope = new Map<string, Scope[]>()
  for (const scope of scopes.values()) {
    for (const secret of scope.secrets) byScope.set(secret, [...(byScope.get(secret) ?? []), scope])
  }
  return {
    enabled: scopes.size > 0 || grants.length > 0,
    scopes,
    grants,
    scopesOf: (secret) => byScope.get(secret) ?? [],
  }
}

export interface AccessDecision {
  allowed: boolean
  principal: string
  action: Action
  scope?: string
  /** the grant that allows it (the strongest role wins) */
  grant?: Grant
  reason: string
}

const roleRank: Record<Role, number> = { reader: 1, writer: 2, manager: 3 }

/** Evaluates one action of a principal on a scope: which grant allows it, or why not. */
export function checkScopeAccess(
  model: AccessModel,
  principal: Principal | string,
  action: Action,
  scope: string,
): AccessDecision {
  const who = typeof principal === 'string' ? parsePrincipal(principal) : principal
  if (EVERYONE_ACTIONS.includes(action)) {
    return {
      allowed: true,
      principal: who.text,
      action,
      scope,
      reason: 'everyone may create a scope (the creator becomes its manager)',
    }
  }
  const matching = model.grants
    .filter(
      (g) =>
        g.scope === scope && g.principal.text === who.text && ROLE_ACTIONS[g.role].includes(action),
    )
    .sort((a, b) => roleRank[b.role] - roleRank[a.role])
  const grant = matching[0]
  if (grant) {
    return {
      allowed: true,
      principal: who.text,
      action,
      scope,
      grant,
      reason: `${grant.role} on ${scope} (access[${grant.index}])`,
    }
  }
  const held = model.grants
    .filter((g) => g.scope === scope && g.principal.text === who.text)
    .map((g) => g.role)
  const needed = ROLES.filter((r) => ROLE_ACTIONS[r].includes(action))
  return {
    allowed: false,
    principal: who.text,
    action,
    scope,
    reason: held.length
      ? `${who.text} holds ${held.join(', ')} on ${scope}; "${action}" needs ${needed.join(' or ')}`
      : `${who.text} has no role on ${scope}; "${action}" needs ${needed.join(' or ')}`,
  }
}

/** Evaluates an action on a secret: allowed when any scope holding it allows it. */
export function checkSecretAccess(
  model: AccessModel,
  principal: Principal | string,
  action: Action,
  secret: string,
): AccessDecision {
  const who = typeof principal === 'string' ? parsePrincipal(principal) : principal
  const scopes = model.scopesOf(secret)
  if (!scopes.length) {
    return {
      allowed: false,
      principal: who.text,
      action,
      reason: `secret "${secret}" belongs to no scope, so no grant covers it`,
    }
  }
  const decisions = scopes.map((s) => checkScopeAccess(model, who, action, s.name))
  return (
    decisions.find((d) => d.allowed) ?? {
      ...decisions[0]!,
      reason: decisions.map((d) => d.reason).join('; '),
    }
  )
}

/** Throws FORBIDDEN (exit 4) unless the principal may read every named secret. */
export function assertCanRead(
  model: AccessModel,
  principal: string,
  secrets: readonly string[],
): void {
  const denied = [...new Set(secrets)]
    .map((s) => ({ s, d: checkSecretAccess(model, principal, 'read', s) }))
    .filter((x) => !x.d.allowed)
  if (!denied.length) return
  throw new ForbiddenError(
    `${principal} may not read ${denied.map((x) => `"${x.s}"`).join(', ')}: ${denied.map((x) => x.d.reason).join('; ')}`,
    {
      hint: "grant it the reader role on the secret's scope under access:, or run as another principal (--as / FLOE_PRINCIPAL)",
    },
  )
}
