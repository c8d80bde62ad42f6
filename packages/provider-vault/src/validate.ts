import { z } from 'zod'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'vault'

const duration = z.union([z.number().int().nonnegative(), z.string().min(1)])

export const authSchema = z.strictObject({
  method: z.enum(['token', 'approle', 'kubernetes', 'aws']).default('token'),
  /** kubernetes / aws role */
  role: z.string().min(1).optional(),
  role_id: z.string().min(1).optional(),
  secret_id: z.string().optional(),
  role_id_file: z.string().min(1).optional(),
  secret_id_file: z.string().min(1).optional(),
  token_file: z.string().min(1).optional(),
  /** kubernetes service-account token, default /var/run/secrets/kubernetes.io/serviceaccount/token */
  jwt_path: z.string().min(1).optional(),
  /** auth mount, default = the method name (approle, kubernetes, aws) */
  mount_path: z.string().min(1).optional(),
  /** aws: value of X-Vault-AWS-IAM-Server-ID, when the Vault aws auth backend requires it */
  header_value: z.string().min(1).optional(),
  /** aws: region of the STS endpoint to sign for (default AWS_REGION, else us-east-1 global) */
  region: z.string().min(1).optional(),
})

export const connectionSchema = z.strictObject({
  /** default: VAULT_ADDR */
  address: z.string().url().optional(),
  /** Vault Enterprise namespace (X-Vault-Namespace); default VAULT_NAMESPACE */
  namespace: z.string().optional(),
  tls_skip_verify: z.boolean().optional(),
  /** PEM file of the CA that signed Vault's certificate */
  ca_cert: z.string().min(1).optional(),
  timeout: duration.optional(),
})

/**
 * What one provider call reads: a secret's fields, or only the connection (`list`, `check`
 * have no `path:`).
 */
export const settingsSchema = z.strictObject({
  /** e.g. secret/data/production/kafka (KV v2), kv/team/app (KV v1), database/creds/mongo-readonly */
  path: z.string().min(1).optional(),
  /** KV mount when it is not the first path segment, e.g. `team/secret` */
  mount: z.string().min(1).optional(),
  kv_version: z.union([z.literal(1), z.literal(2)]).optional(),
  /** KV v2 version to read (a `?version=` on the reference wins) */
  version: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
  keys: z.array(z.string().min(1)).optional(),
  key: z.string().min(1).optional(),
  vault: connectionSchema.optional(),
  auth: authSchema.optional(),
})

/**
 * The provider's own fields of a `provider: vault` secret (shared policy fields are stripped),
 * as the manifest loader checks them: `path:` is required, since resolution cannot guess it,
 * so a definition without one fails `validate --offline` at its line.
 */
export const configSchema = settingsSchema.extend({
  path: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'a vault secret needs `path:` to say where it lives (e.g. path: secret/data/production/kafka)'
          : undefined,
    })
    .min(1, 'path cannot be empty'),
})

export type VaultSecretConfig = z.infer<typeof settingsSchema>
export type VaultAuthConfig = z.infer<typeof authSchema>
export type VaultConnectionConfig = z.infer<typeof connectionSchema>

export type VaultTarget =
  | { kind: 'kv2'; mount: string; path: string; dataPath: string; metadataPath: string }
  | { kind: 'kv1'; mount: string; path: string; dataPath: string }
  /** any other logical path: dynamic engines (database/creds/…), or KV v1 without a hint */
  | { kind: 'logical'; dataPath: string; dynamic: boolean }

const trim = (p: string): string => p.replace(/^\/+|\/+$/g, '')

/**
 * Where a definition points. KV v2 is recognised by a `<mount>/data/<path>` segment, by
 * `kv_version: 2` or by an explicit `mount`; KV v1 by `kv_version: 1`; everything else is
 * read as a plain logical path (dynamic credentials are recognised by the lease in the answer).
 */
export function resolveTarget(config: VaultSecretConfig, secret: string): VaultTarget {
  if (!config.path) {
    throw new Error(`secret "${secret}" has no Vault path: add \`path:\` to its definition`)
  }
  const full = trim(config.path)
  const explicitMount = config.mount ? trim(config.mount) : undefined
  if (explicitMount || config.kv_version !== undefined) {
    const mount = explicitMount ?? full.split('/')[0] ?? full
    const rest =
      full === mount ? '' : full.startsWith(`${mount}/`) ? full.slice(mount.length + 1) : full
    const version = config.kv_version ?? 2
    if (version === 1) return { kind: 'kv1', mount, path: rest, dataPath: `${mount}/${rest}` }
    const path = rest.replace(/^data\//, '')
    return {
      kind: 'kv2',
      mount,
      path,
      dataPath: `${mount}/data/${path}`,
      metadataPath: `${mount}/metadata/${path}`,
    }
  }
  const at = full.indexOf('/data/')
  if (at > 0) {
    const mount = full.slice(0, at)
    const path = full.slice(at + '/data/'.length)
    return {
      kind: 'kv2',
      mount,
      path,
      dataPath: full,
      metadataPath: `${mount}/metadata/${path}`,
    }
  }
  return { kind: 'logical', dataPath: full, dynamic: /(^|\/)creds\/[^/]+$/.test(full) }
}

/** Parses `30s`, `5m`, `1h`, `1h30m` or a number of seconds. */
export function durationSeconds(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number') return value
  if (/^\d+$/.test(value)) return Number(value)
  let total = 0
  let matched = ''
  for (const m of value.matchAll(/(\d+)(ms|h|m|s)/g)) {
    const n = Number(m[1])
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000
    matched += m[0]
  }
  return matched === value ? total : undefined
}
