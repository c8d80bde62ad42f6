import type { AccessModel, Grant, LoadedManifest, Role, Scope, SecretDefinition } from '@floe/core'
import { ROLES } from '@floe/core'

export interface CompileInput {
  manifest: LoadedManifest
  model: AccessModel
  options: Record<string, unknown>
}

export interface Compiled {
  files: { path: string; content: string }[]
  warnings: string[]
}

/** `floe-<scope>-<role>`: the one naming scheme for policies, Roles and bindings everywhere. */
export function policyName(scope: string, role: Role): string {
  return `floe-${scope}-${role}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-')
}

/** Scopes in name order, each with its grants grouped by role (roles in reader→manager order). */
export function scopesWithGrants(
  model: AccessModel,
): { scope: Scope; byRole: [Role, Grant[]][] }[] {
  return [...model.scopes.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((scope) => ({
      scope,
      byRole: ROLES.map(
        (role) =>
          [
            role,
            model.grants
              .filter((g) => g.scope === scope.name && g.role === role)
              .sort((a, b) => a.principal.text.localeCompare(b.principal.text)),
          ] as [Role, Grant[]],
      ),
    }))
}

export function secretsOf(
  manifest: LoadedManifest,
  scope: Scope,
  provider: string,
): SecretDefinition[] {
  return scope.secrets.map((s) => manifest.secrets[s]!).filter((d) => d.provider === provider)
}

export function stringOption(
  options: Record<string, unknown>,
  name: string,
  fallback: string,
): string {
  const value = options[name]
  return typeof value === 'string' || typeof value === 'number'
    ? String(value) || fallback
    : fallback
}

/** Stable JSON: two-space indent, trailing newline. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}
