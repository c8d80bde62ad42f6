import {
  ConflictError,
  InvalidSecretError,
  SecretValue,
  UnsupportedError,
  isFloeError,
  type PutRequest,
  type PutResult,
} from '@floe/core'
import { casWrite } from './cas-write.js'
import type { VaultApi } from './client.js'
import { vaultError, vaultStatus } from './errors.js'
import { SINGLE_VALUE_KEY, stringMap } from './kv-data.js'
import type { VaultConnection } from './connection.js'
import type { VaultSecretConfig, VaultTarget } from './validate.js'
import { PROVIDER_NAME } from './validate.js'

/**
 * Writes one Vault secret. KV v2: every write is check-and-set (from `createOnly`,
 * `expectedVersion` or the current version), keys a definition selects are merged into the
 * version compared against, and an ambiguous write is settled by `casWrite`. KV v1 has no
 * versions, so compare-and-set is refused rather than faked.
 */
export async function putVaultSecret(
  connection: VaultConnection,
  target: VaultTarget,
  config: VaultSecretConfig,
  request: PutRequest,
): Promise<PutResult> {
  const fail = (error: unknown, action: string) =>
    vaultError(error, { secret: request.secret, action, address: connection.address })
  const call = <T>(fn: (api: VaultApi, c: Parameters<VaultApi['read']>[1]) => Promise<T>) =>
    connection.session.run((c) => fn(connection.api, c))

  const single = request.data instanceof SecretValue ? request.data : undefined
  const incoming: Record<string, string> = single
    ? {}
    : Object.fromEntries(
        Object.entries(request.data as Record<string, SecretValue>).map(([k, v]) => [
          k,
          v.reveal(),
        ]),
      )

  if (target.kind !== 'kv2') {
    if (target.kind === 'logical' && target.dynamic) {
      throw new UnsupportedError(
        `secret "${request.secret}" is a dynamic credential: Vault issues it`,
        {
          provider: PROVIDER_NAME,
          secret: request.secret,
        },
      )
    }
    if (request.expectedVersion !== undefined) {
      throw new UnsupportedError(
        `secret "${request.secret}" is in KV v1, which has no versions: compare-and-set is impossible`,
        {
          provider: PROVIDER_NAME,
          secret: request.secret,
          hint: 'use a KV v2 mount for safe rotation',
        },
      )
    }
    let existing: Record<string, string> | undefined
    try {
      existing = stringMap((await call((api, c) => api.read(target.dataPath, c))).data ?? {})
    } catch (error) {
      if (vaultStatus(error) !== 404) throw fail(error, `read ${target.dataPath}`)
    }
    if (existing && request.createOnly) {
      throw new ConflictError(`secret "${request.secret}" already exists at ${target.dataPath}`, {
        provider: PROVIDER_NAME,
        secret: request.secret,
      })
    }
    const data = single
      ? config.key
        ? { ...(existing ?? {}), [config.key]: single.reveal() }
        : { [SINGLE_VALUE_KEY]: single.reveal() }
      : config.key || config.keys?.length
        ? { ...(existing ?? {}), ...incoming }
        : incoming
    try {
      await call((api, c) => api.write(target.dataPath, data, c))
    } catch (error) {
      throw fail(error, `write ${target.dataPath}`)
    }
    return { created: !existing }
  }

  // KV v2: every write is check-and-set, so a concurrent writer is never silently overwritten
  let cas: number
  if (request.createOnly) cas = 0
  else if (request.expectedVersion !== undefined) {
    if (!/^\d+$/.test(request.expectedVersion)) {
      throw new InvalidSecretError(
        `secret "${request.secret}": expected version "${request.expectedVersion}" is not a KV v2 version number`,
        { provider: PROVIDER_NAME, secret: request.secret },
      )
    }
    cas = Number(request.expectedVersion)
  } else {
    try {
      const meta = await call((api, c) => api.read(target.metadataPath, c))
      cas = Number((meta.data as { current_version?: number } | null)?.current_version ?? 0)
    } catch (error) {
      if (vaultStatus(error) !== 404) throw fail(error, `read ${target.metadataPath}`)
      cas = 0
    }
  }
  let data: Record<string, string>
  // A definition that selects keys (`key:` / `keys:`) owns only those keys: merge them into
  // the version we compare against so the secret's other keys survive.
  const selective = Boolean(config.key || config.keys?.length)
  if ((single && config.key) || (!single && selective)) {
    let base: Record<string, string> = {}
    if (cas > 0) {
      try {
        const current = await call((api, c) => api.read(`${target.dataPath}?version=${cas}`, c))
        base = stringMap(((current.data ?? {}) as { data?: Record<string, unknown> }).data ?? {})
      } catch (error) {
        if (vaultStatus(error) !== 404) throw fail(error, `read ${target.dataPath}`)
      }
    }
    data =
      single && config.key ? { ...base, [config.key]: single.reveal() } : { ...base, ...incoming }
  } else data = single ? { [SINGLE_VALUE_KEY]: single.reveal() } : incoming

  let written
  try {
    written = await casWrite(data, cas, {
      secret: request.secret,
      dataPath: target.dataPath,
      fail,
      write: async (expected) => {
        const answer = await call((api, c) =>
          api.write(target.dataPath, { data, options: { cas: expected } }, c),
        )
        return (answer.data as { version?: number } | null)?.version
      },
      currentVersion: async () => {
        const meta = await call((api, c) => api.read(target.metadataPath, c))
        return Number((meta.data as { current_version?: number } | null)?.current_version ?? 0)
      },
      readVersion: async (version) => {
        const stored = await call((api, c) => api.read(`${target.dataPath}?version=${version}`, c))
        return stringMap(((stored.data ?? {}) as { data?: Record<string, unknown> }).data ?? {})
      },
    })
  } catch (error) {
    const classified = isFloeError(error) ? error : fail(error, `write ${target.dataPath}`)
    if (classified.code === 'CONFLICT') {
      throw new ConflictError(
        cas === 0
          ? `secret "${request.secret}" already exists at ${target.dataPath}`
          : `secret "${request.secret}" changed since version ${cas} at ${target.dataPath} (check-and-set failed); re-read and retry`,
        {
          provider: PROVIDER_NAME,
          secret: request.secret,
          details: { expectedVersion: String(cas) },
        },
      )
    }
    throw classified
  }
  const version = written.version
  return {
    ...(version !== undefined ? { version: String(version) } : {}),
    ...(written.warnings.length ? { warnings: written.warnings } : {}),
    ...(cas > 0 ? { previousVersion: String(cas) } : {}),
    created: cas === 0,
  }
}
