import type { PutRequest } from '@floe/core'

/**
 * The one string both AWS services store for a secret: the text itself, or a key/value secret
 * as a JSON object (which fetch turns back into keys).
 */
export function payloadText(data: PutRequest['data']): string {
  if ('reveal' in data && typeof data.reveal === 'function') return data.reveal()
  const map: Record<string, string> = {}
  for (const [key, value] of Object.entries(data)) map[key] = value.reveal()
  return JSON.stringify(map)
}
