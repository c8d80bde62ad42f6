import { parseVaultDuration, startVaultEmulator, type VaultMountConfig } from '../../vault/index.js'
import type { SandboxService } from '../types.js'

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where} must be a map`)
  }
  return value as Record<string, unknown>
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new Error(`${where} must be a list`)
  return value.map(String)
}

function seconds(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined
  const parsed = parseVaultDuration(value)
  if (parsed === undefined) throw new Error(`${where} must be a duration (3600, 1h, 30m)`)
  return parsed
}

function mountOf(type: unknown, where: string): VaultMountConfig {
  switch (type) {
    case 'kv2':
    case 'kv-v2':
      return { type: 'kv', version: 2 }
    case 'kv1':
    case 'kv':
    case 'kv-v1':
      return { type: 'kv', version: 1 }
    case 'database':
      return { type: 'database' }
    default:
      throw new Error(`${where} must be kv2, kv1 or database`)
  }
}

/**
 * HashiCorp Vault. Seed section:
 * ```yaml
 * vault:
 *   root_token: root                       # default root
 *   mounts: { secret: kv2, kv: kv1, database: database }   # the default table
 *   kv: { secret/production/kafka: { username: u, password: p } }
 *   namespaces: { credit-card: { kv: { secret/production/kafka: { … } } } }
 *   policies: { floe: 'path "secret/data/*" { capabilities = ["read"] }' }
 *   approles: { etl: { role_id: r, secret_id: s, policies: [floe], token_ttl: 1h } }
 *   kubernetes: { flink-reader: { jwt: <token>, policies: [floe], mount: kubernetes } }
 *   database: { mongo-readonly: { default_ttl: 1h, max_ttl: 24h } }
 * ```
 */
export const vault: SandboxService = {
  name: 'vault',
  description: 'HashiCorp Vault (KV v1/v2, token/approle/kubernetes login, dynamic database creds)',
  defaultPort: 8200,
  async start(seed, port) {
    const config = asRecord(seed, 'vault')
    const mounts = config.mounts
      ? Object.fromEntries(
          Object.entries(asRecord(config.mounts, 'vault.mounts')).map(([path, type]) => [
            path,
            mountOf(type, `vault.mounts["${path}"]`),
          ]),
        )
      : undefined
    const emu = await startVaultEmulator({
      port,
      ...(typeof config.root_token === 'string' ? { rootToken: config.root_token } : {}),
      ...(mounts ? { mounts } : {}),
    })
    try {
      for (const [name, rules] of Object.entries(asRecord(config.policies, 'vault.policies'))) {
        if (typeof rules !== 'string') throw new Error(`vault.policies["${name}"] must be HCL text`)
        emu.setPolicy(name, rules)
      }
      const tokenSettings = (spec: Record<string, unknown>, where: string) => {
        const ttl = seconds(spec.token_ttl, `${where}.token_ttl`)
        const maxTtl = seconds(spec.token_max_ttl, `${where}.token_max_ttl`)
        return {
          policies: strings(spec.policies, `${where}.policies`),
          ...(ttl !== undefined ? { tokenTtlSeconds: ttl } : {}),
          ...(maxTtl !== undefined ? { tokenMaxTtlSeconds: maxTtl } : {}),
        }
      }
      for (const [name, raw] of Object.entries(asRecord(config.approles, 'vault.approles'))) {
        const where = `vault.approles["${name}"]`
        const spec = asRecord(raw, where)
        if (typeof spec.role_id !== 'string') throw new Error(`${where}.role_id is required`)
        emu.addAppRole(name, {
          roleId: spec.role_id,
          ...(typeof spec.secret_id === 'string' ? { secretId: spec.secret_id } : {}),
          ...tokenSettings(spec, where),
        })
      }
      for (const [name, raw] of Object.entries(asRecord(config.kubernetes, 'vault.kubernetes'))) {
        const where = `vault.kubernetes["${name}"]`
        const spec = asRecord(raw, where)
        if (typeof spec.jwt !== 'string') throw new Error(`${where}.jwt is required`)
        emu.addKubernetesRole(name, {
          jwt: spec.jwt,
          ...(typeof spec.mount === 'string' ? { mount: spec.mount } : {}),
          ...tokenSettings(spec, where),
        })
      }
      const seedKv = (kv: unknown, where: string, namespace?: string) => {
        for (const [path, data] of Object.entries(asRecord(kv, where))) {
          emu.writeKv(path, asRecord(data, `${where}["${path}"]`), namespace ? { namespace } : {})
        }
      }
      const seedDatabase = (roles: unknown, where: string, namespace?: string) => {
        for (const [name, raw] of Object.entries(asRecord(roles, where))) {
          const spec = asRecord(raw, `${where}["${name}"]`)
          emu.addDatabaseRole(
            name,
            {
              defaultTtlSeconds:
                seconds(spec.default_ttl, `${where}["${name}"].default_ttl`) ?? 3600,
              maxTtlSeconds: seconds(spec.max_ttl, `${where}["${name}"].max_ttl`) ?? 86400,
            },
            namespace ? { namespace } : {},
          )
        }
      }
      seedKv(config.kv, 'vault.kv')
      seedDatabase(config.database, 'vault.database')
      const namespaces = asRecord(config.namespaces, 'vault.namespaces')
      for (const [namespace, raw] of Object.entries(namespaces)) {
        const spec = asRecord(raw, `vault.namespaces["${namespace}"]`)
        seedKv(spec.kv, `vault.namespaces["${namespace}"].kv`, namespace)
        seedDatabase(spec.database, `vault.namespaces["${namespace}"].database`, namespace)
      }
      const kvCount = Object.keys(asRecord(config.kv, 'vault.kv')).length
      return {
        url: emu.url,
        env: { VAULT_ADDR: emu.url, VAULT_TOKEN: emu.rootToken },
        notes: [
          `seeded ${kvCount} KV secret${kvCount === 1 ? '' : 's'}${Object.keys(namespaces).length ? ` (+ namespaces ${Object.keys(namespaces).join(', ')})` : ''}; root token "${emu.rootToken}"`,
          'vault kv get secret/production/kafka        # the vault CLI reads VAULT_ADDR / VAULT_TOKEN',
          'vault read database/creds/<role>',
          'python3 -c "import hvac; print(hvac.Client().secrets.kv.v2.read_secret_version(path=\'production/kafka\'))"',
        ],
        close: () => emu.close(),
      }
    } catch (error) {
      await emu.close()
      throw error
    }
  },
}
