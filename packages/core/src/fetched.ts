import { InvalidSecretError, SecretNotFoundError } from './errors.js'
import { SecretValue } from './secret-value.js'
import type { FetchedSecret, LeaseInfo } from './types.js'

interface FetchedExtras {
  version?: string
  lease?: LeaseInfo
}

/**
 * Builds a FetchedSecret from a text payload. A JSON object with scalar members also exposes
 * its members as keys (AWS/GCP/Azure JSON secrets); anything else is a single value.
 */
export function fetchedFromText(
  text: string,
  source: string,
  extras: FetchedExtras = {},
): FetchedSecret {
  const value = new SecretValue(text, source)
  let keys: Record<string, SecretValue> | undefined
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        keys = {}
        for (const [k, v] of Object.entries(parsed)) {
          keys[k] = new SecretValue(typeof v === 'string' ? v : JSON.stringify(v), `${source}/${k}`)
        }
      }
    } catch {
      // not JSON: a plain string secret that happens to start with "{"
    }
  }
  return { value, ...(keys ? { keys } : {}), ...extras }
}

/** Builds a FetchedSecret from key/value data (Kubernetes Secret, Vault KV, env `variables`). */
export function fetchedFromMap(
  data: Record<string, string>,
  source: string,
  extras: FetchedExtras = {},
): FetchedSecret {
  const keys: Record<string, SecretValue> = {}
  for (const [k, v] of Object.entries(data)) keys[k] = new SecretValue(v, `${source}/${k}`)
  return { value: new SecretValue(JSON.stringify(data), source), keys, ...extras }
}

/**
 * Picks `key` from a fetched secret. Absent key → NOT_FOUND naming the available keys (names
 * only); asking a key of a non-object secret → INVALID.
 */
export function selectKey(fetched: FetchedSecret, secret: string, key?: string): SecretValue {
  if (key === undefined) return fetched.value
  if (!fetched.keys) {
    throw new InvalidSecretError(
      `secret "${secret}" is a single value, not a key/value secret: cannot select key "${key}"`,
      { secret, hint: `use secret://${secret} for the whole value` },
    )
  }
  const value = fetched.keys[key]
  if (value === undefined) {
    const available = Object.keys(fetched.keys)
    throw new SecretNotFoundError(
      `secret "${secret}" has no key "${key}" (keys: ${available.length ? available.join(', ') : 'none'})`,
      { secret },
    )
  }
  return value
}
