import type { EmulatorResponse } from '../../emulator/index.js'
import { findResource, type ResourceType } from '../resources.js'
import { badRequest } from '../status.js'
import type { KubeObject, ObjectView } from '../types.js'

/** the identity behind the emulator's bearer tokens (also named in Forbidden messages) */
export const CALLER = 'system:serviceaccount:floe:floe-cli'

/** A rule that answers 403 Forbidden, like missing RBAC. Unset fields match anything. */
export interface DenyRule {
  verb?: string
  resource?: string
  namespace?: string
  name?: string
}

export interface AccessAttributes {
  verb: string
  resource: string
  namespace?: string
  name?: string
}

export const denialFor = (
  denials: readonly DenyRule[],
  a: AccessAttributes,
): DenyRule | undefined =>
  denials.find(
    (d) =>
      (d.verb === undefined || d.verb === a.verb) &&
      (d.resource === undefined || d.resource === a.resource) &&
      (d.namespace === undefined || d.namespace === a.namespace) &&
      (d.name === undefined || d.name === a.name),
  )

const rbac = (plural: string): ResourceType =>
  findResource('rbac.authorization.k8s.io', 'v1', plural) as ResourceType

const namesCaller = (binding: KubeObject): boolean =>
  ((binding.subjects ?? []) as KubeObject[]).some(
    (s) =>
      (s.kind === 'ServiceAccount' &&
        s.name === 'floe-cli' &&
        (s.namespace ?? binding.metadata.namespace) === 'floe') ||
      (s.kind === 'User' && s.name === CALLER),
  )

const matches = (list: unknown, value: string): boolean =>
  Array.isArray(list) && (list.includes('*') || list.includes(value))

export function whoAmI(): EmulatorResponse {
  return {
    status: 201,
    body: {
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: {
        userInfo: {
          username: CALLER,
          uid: 'floe-cli',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:floe', 'system:authenticated'],
        },
      },
    },
  }
}

/**
 * SelfSubjectAccessReview for the caller (the emulator's one identity, CALLER): denied when a
 * deny rule matches; else, when RoleBindings/ClusterRoleBindings in the emulator name the
 * caller, allowed only by the rules of the Roles/ClusterRoles they bind — a RoleBinding within
 * its namespace (to a Role there or a ClusterRole), a ClusterRoleBinding everywhere, as the
 * RBAC authorizer does; else allowed (the emulator's token acts as a cluster admin).
 */
export function accessReview(
  body: KubeObject,
  view: ObjectView,
  denials: readonly DenyRule[],
): EmulatorResponse {
  const attrs = (body?.spec?.resourceAttributes ?? {}) as KubeObject
  const verb = String(attrs.verb ?? '')
  const resource = String(attrs.resource ?? '')
  const group = String(attrs.group ?? '')
  const namespace = attrs.namespace ? String(attrs.namespace) : undefined
  const name = attrs.name ? String(attrs.name) : undefined
  const answer = (allowed: boolean, reason: string): EmulatorResponse => ({
    status: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body?.spec ?? {},
      status: { allowed, ...(allowed ? {} : { denied: true }), reason },
    },
  })
  if (!verb || (!resource && !body?.spec?.nonResourceAttributes))
    return badRequest('spec.resourceAttributes.verb and .resource are required')
  if (
    denialFor(denials, {
      verb,
      resource,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    })
  )
    return answer(false, 'denied by a deny rule of the floe emulator')
  const roleBindings = view.all(rbac('rolebindings')).filter(namesCaller)
  const clusterBindings = view.all(rbac('clusterrolebindings')).filter(namesCaller)
  if (roleBindings.length + clusterBindings.length === 0)
    return answer(true, 'no RBAC objects name the caller: the emulator token is an admin')
  const allows = (role: KubeObject | undefined): boolean =>
    ((role?.rules ?? []) as KubeObject[]).some(
      (rule) =>
        matches(rule.verbs, verb) &&
        matches(rule.resources, resource) &&
        matches(rule.apiGroups, group) &&
        (!rule.resourceNames?.length || (name !== undefined && rule.resourceNames.includes(name))),
    )
  const roleOf = (binding: KubeObject): KubeObject | undefined =>
    binding.roleRef?.kind === 'ClusterRole'
      ? view.one(rbac('clusterroles'), undefined, String(binding.roleRef.name))
      : binding.roleRef?.kind === 'Role'
        ? view.one(rbac('roles'), binding.metadata.namespace, String(binding.roleRef.name))
        : undefined
  for (const binding of clusterBindings) {
    if (binding.roleRef?.kind === 'ClusterRole' && allows(roleOf(binding)))
      return answer(
        true,
        `RBAC: allowed by ClusterRoleBinding "${String(binding.metadata.name)}" of ClusterRole "${String(binding.roleRef.name)}"`,
      )
  }
  for (const binding of roleBindings) {
    if (namespace === undefined || binding.metadata.namespace !== namespace) continue
    if (allows(roleOf(binding)))
      return answer(
        true,
        `RBAC: allowed by RoleBinding "${String(binding.metadata.name)}" of ${String(binding.roleRef.kind)} "${String(binding.roleRef.name)}"`,
      )
  }
  return answer(false, '')
}
