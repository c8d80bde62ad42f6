import { ConfigError } from '../errors.js'

/** Who a grant names: `kind:id`, one pattern per kind (checked when the manifest loads). */
export const PRINCIPAL_KINDS = [
  'user',
  'group',
  'serviceaccount',
  'workspace',
  'role',
  'gcp',
  'azure',
] as const
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number]

export interface Principal {
  kind: PrincipalKind
  /** the part after the colon: an email, `ns/name`, a workspace, an ARN, a GCP member, an object id */
  id: string
  /** the canonical `kind:id` text */
  text: string
}

const principalPatterns: Record<PrincipalKind, RegExp> = {
  user: /^.+$/,
  group: /^.+$/,
  serviceaccount: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  workspace: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
  role: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
  gcp: /^(user|group|serviceAccount|domain|principal|principalSet):.+$/,
  azure: /^[0-9a-fA-F-]{36}$/,
}

const principalHints: Record<PrincipalKind, string> = {
  user: 'user:alice@example.com',
  group: 'group:data-platform',
  serviceaccount: 'serviceaccount:floe-jobs/floe-job-runner',
  workspace: 'workspace:prod',
  role: 'role:arn:aws:iam::123456789012:role/secret-reader',
  gcp: 'gcp:serviceAccount:reader@my-project.iam.gserviceaccount.com',
  azure: 'azure:00000000-0000-0000-0000-000000000000',
}

export function parsePrincipal(text: string): Principal {
  const colon = text.indexOf(':')
  const kind = text.slice(0, colon) as PrincipalKind
  const id = text.slice(colon + 1)
  if (colon <= 0 || !PRINCIPAL_KINDS.includes(kind)) {
    throw new ConfigError(
      `invalid principal "${text}": expected one of ${PRINCIPAL_KINDS.map((k) => `${k}:`).join(', ')}`,
      {
        hint: `e.g. ${principalHints.workspace} or ${principalHints.serviceaccount}`,
      },
    )
  }
  if (!principalPatterns[kind].test(id)) {
    throw new ConfigError(`invalid ${kind} principal "${text}"`, {
      hint: `e.g. ${principalHints[kind]}`,
    })
  }
  return { kind, id, text: `${kind}:${id}` }
}
