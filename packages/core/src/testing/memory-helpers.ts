import {
  ConflictError,
  FloeError,
  ForbiddenError,
  InvalidSecretError,
  ProviderUnavailableError,
  SecretNotFoundError,
} from '../errors.js'
import { fetchedFromText } from '../fetched.js'
import { firstPartyProviders } from '../registry/first-party.js'
import type { ProviderCapabilities } from '../types.js'
import type { MemoryPayload, ScriptedFailure } from './memory-types.js'

export const defaultCapabilities: ProviderCapabilities = {
  list: true,
  write: true,
  rotate: true,
  versions: true,
  dynamic: true,
  batch: false,
  describe: true,
  delete: true,
}

/** Fields that name a secret at the provider, as the first-party providers spell them. */
// `id`, then every first-party locator field, so a memory provider can stand in for any of them.
const ID_FIELDS = [
  ...new Set(['id', ...Object.values(firstPartyProviders).flatMap((p) => p.locator.anyOf)]),
]

/**
 * Provider-side id of a request: the first of `id`, `path`, `secret_id`, `secret_name`,
 * `secret`, `name`, `variable` that is set (the first-party locator fields, see
 * registry/first-party.ts), else the manifest secret name.
 */
export function idOf(request: { secret: string; config: Record<string, unknown> }): string {
  for (const field of ID_FIELDS) {
    const value = request.config[field]
    if (typeof value === 'string' && value) return value
  }
  return request.secret
}

export function errorFor(
  kind: ScriptedFailure,
  provider: string,
  secret: string | undefined,
  retryAfterMs?: number,
): FloeError {
  const options = { provider, ...(secret ? { secret } : {}) }
  const what = secret ? `secret "${secret}"` : 'call'
  switch (kind) {
    case 'unavailable':
      return new ProviderUnavailableError(`${what}: service unavailable (scripted)`, {
        ...options,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      })
    case 'forbidden':
      return new ForbiddenError(`${what}: access denied (scripted)`, options)
    case 'not_found':
      return new SecretNotFoundError(`${what}: not found (scripted)`, options)
    case 'invalid':
      return new InvalidSecretError(`${what}: invalid request (scripted)`, options)
    case 'conflict':
      return new ConflictError(`${what}: version conflict (scripted)`, options)
  }
}

export function keysOf(payload: MemoryPayload): string[] | undefined {
  if (typeof payload !== 'string') return Object.keys(payload)
  const keys = fetchedFromText(payload, 'metadata').keys
  return keys ? Object.keys(keys) : undefined
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
