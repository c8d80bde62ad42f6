/**
 * `plugins.secrets.config` of a manifest whose `plugins.secrets.type` is `vault`:
 * the connection the platform uses, and the lowest-precedence settings of the CLI's own
 * connection. Precedence, per setting: the secret's `vault:`/`auth:` fields, then provider
 * options, then the environment (VAULT_ADDR, VAULT_TOKEN), then this block.
 */
import { z } from 'zod'
import type { VaultAuthConfig, VaultSecretConfig } from './validate.js'

export const pluginConfigSchema = z.looseObject({
  address: z.string().min(1).optional(),
  auth_method: z.enum(['kubernetes', 'approle', 'token', 'aws']).optional(),
  role: z.string().min(1).optional(),
  /** the auth method's mount (e.g. `kubernetes`) */
  mount_path: z.string().min(1).optional(),
  /** KV mount and folder that relative secret paths live under, e.g. `secret/floe` */
  secret_path_prefix: z.string().min(1).optional(),
})

export type VaultPluginConfig = z.infer<typeof pluginConfigSchema>

/** The plugin block's auth settings; without a method of its own when VAULT_TOKEN is set. */
export function pluginAuth(
  plugin: VaultPluginConfig | undefined,
  env: NodeJS.ProcessEnv,
): Partial<VaultAuthConfig> {
  if (!plugin) return {}
  const auth: Partial<VaultAuthConfig> = {
    ...(plugin.role ? { role: plugin.role } : {}),
    ...(plugin.mount_path ? { mount_path: plugin.mount_path } : {}),
  }
  // the environment's token outranks the plugin's method (a developer's shell, CI)
  if (plugin.auth_method && !env.VAULT_TOKEN) auth.method = plugin.auth_method
  return auth
}

const trim = (p: string): string => p.replace(/^\/+|\/+$/g, '')

/**
 * A path relative to `secret_path_prefix` as the definition Vault reads: `snowflake` with
 * prefix `secret/floe` is KV v2 mount `secret`, path `floe/snowflake`, as the emitted
 * SecretStore reads it. Paths that say where they live stay as they are: a `<mount>/data/`
 * path, an explicit `mount:`/`kv_version:`, a dynamic `…/creds/<role>` path, or one already
 * under the prefix.
 */
export function withPathPrefix(config: VaultSecretConfig, prefix?: string): VaultSecretConfig {
  if (!prefix || !config.path || config.mount || config.kv_version !== undefined) return config
  const path = trim(config.path)
  const base = trim(prefix)
  if (path.includes('/data/') || /(^|\/)creds\/[^/]+$/.test(path)) return config
  if (path === base || path.startsWith(`${base}/`)) return config
  const [mount, ...folder] = base.split('/')
  return { ...config, mount: mount!, path: [mount, ...folder, path].join('/'), kv_version: 2 }
}
