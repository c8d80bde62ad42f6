import type { SecretDefinition } from '../types.js'

/**
 * Keys `rotation.generate` does not cover: what `floe secrets create NAME` with no value flag
 * still needs from a prompt or a flag. `['']` stands for the value of a single-value secret.
 */
export function keysWithoutGenerator(def: Pick<SecretDefinition, 'keys' | 'rotation'>): string[] {
  const gen = def.rotation?.generate
  if (gen && 'value' in gen) return []
  const covered = gen ? Object.keys(gen.keys) : []
  const keys = def.keys?.length ? def.keys : gen ? [] : ['']
  return keys.filter((k) => !covered.includes(k))
}
