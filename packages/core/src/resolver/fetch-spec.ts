import type { SecretDefinition } from '../types.js'

/** What is fetched: a definition (or its fallback source) at a version. */
export interface FetchSpec {
  key: string
  secret: string
  provider: string
  config: Record<string, unknown>
  version?: string
  definition: SecretDefinition
  isFallback: boolean
}

// Fetches are keyed by manifest secret, not by provider fields: a provider may derive the
// remote name from the secret name, so equal fields do not prove the same remote secret.
export const specKey = (provider: string, secret: string, version?: string): string =>
  `${provider}\u0000${secret}\u0000${version ?? ''}`

export function specOf(definition: SecretDefinition, version: string | undefined): FetchSpec {
  return {
    key: specKey(definition.provider, definition.name, version),
    secret: definition.name,
    provider: definition.provider,
    config: definition.fields,
    ...(version !== undefined ? { version } : {}),
    definition,
    isFallback: false,
  }
}

export function fallbackSpecOf(definition: SecretDefinition): FetchSpec | undefined {
  const fallback = definition.fallback
  if (!fallback) return undefined
  return {
    key: `fallback\u0000${specKey(fallback.provider, definition.name)}`,
    secret: definition.name,
    provider: fallback.provider,
    config: fallback.fields,
    definition,
    isFallback: true,
  }
}
