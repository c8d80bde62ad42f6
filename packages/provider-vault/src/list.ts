import type { ListOptions, SecretListing } from '@floe/core'
import { vaultError, vaultStatus } from './errors.js'
import type { VaultConnection } from './connection.js'
import { resolveTarget, type VaultSecretConfig } from './validate.js'

/** Stops a runaway walk of a huge mount: `list --remote` is for people, not for exports. */
const MAX_LISTED = 10_000

/** Walks a KV mount's folders breadth-first and yields every secret name under the prefix. */
export async function* listVaultSecrets(
  connection: VaultConnection,
  config: VaultSecretConfig,
  options: Pick<ListOptions, 'prefix'>,
): AsyncIterable<SecretListing> {
  // connection settings may come from any definition (the CLI passes the first one):
  // list its KV mount, or `secret` (KV v2) when it points at a dynamic engine
  let mount = 'secret'
  let kv2 = config.kv_version !== 1
  if (config.mount) mount = config.mount.replace(/^\/+|\/+$/g, '')
  else if (config.path) {
    const target = resolveTarget(config, '(list)')
    if (target.kind !== 'logical') {
      mount = target.mount
      kv2 = target.kind === 'kv2'
    }
  }
  const queue = [(options.prefix ?? '').replace(/^\/+|\/+$/g, '')]
  let emitted = 0
  while (queue.length && emitted < MAX_LISTED) {
    const dir = queue.shift() ?? ''
    const path = `${mount}/${kv2 ? 'metadata/' : ''}${dir}`
    let keys: string[]
    try {
      keys = await connection.session.run((call) => connection.api.list(path, call))
    } catch (error) {
      if (vaultStatus(error) === 404) continue
      throw vaultError(error, { action: `list ${path}`, address: connection.address })
    }
    for (const key of keys) {
      const name = dir ? `${dir}/${key}` : key
      if (key.endsWith('/')) queue.push(name.slice(0, -1))
      else {
        emitted += 1
        yield { name, type: kv2 ? 'kv-v2' : 'kv-v1' }
      }
    }
  }
}
