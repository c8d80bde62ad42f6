import {
  buildAccessModel,
  checkScopeAccess,
  ForbiddenError,
  UsageError,
  type AccessModel,
} from '@floe/core'
import type { FloeSession } from './session.js'

/**
 * The checks every scope administration command (grant, revoke, scopes delete) starts with:
 * the scope is declared, the caller says who they are, and holds the manager role on it.
 */
export async function managerOf(
  session: FloeSession,
  scope: string,
  action: 'manage_grants' | 'delete_scope',
): Promise<{ model: AccessModel; by: string }> {
  const what = action === 'delete_scope' ? 'delete it' : 'change its grants'
  const model = await buildAccessModel(await session.manifest())
  if (!model.scopes.has(scope))
    throw new UsageError(`scope "${scope}" is not declared`, {
      hint: model.scopes.size
        ? `declared scopes: ${[...model.scopes.keys()].join(', ')}`
        : `floe secrets scopes create -s ${scope}`,
    })
  const by = session.principal
  if (!by)
    throw new UsageError(`only a manager of the scope may ${what}: say who you are`, {
      hint: 'pass --as user:you@example.com or set FLOE_PRINCIPAL',
    })
  const decision = checkScopeAccess(model, by, action, scope)
  if (!decision.allowed) throw new ForbiddenError(decision.reason)
  return { model, by }
}

/** One audit record for a change to scopes or grants (names only, like every record). */
export async function auditScopeChange(
  session: FloeSession,
  action: 'access-grant' | 'access-revoke' | 'scope-delete',
  detail: string,
): Promise<void> {
  ;(await session.audit())?.append({ action, outcome: 'ok', detail })
}
