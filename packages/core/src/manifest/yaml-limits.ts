/**
 * What the `yaml` reader (yaml-source.ts) refuses: alias bombs, collections nested too deep,
 * tags other than the core ones.
 */
import type { SourceLocation } from '../errors.js'
import { ConfigError } from '../errors.js'
import { yaml } from './yaml-module.js'

export const MAX_ALIAS_DEPTH = 64
/**
 * Values aliases may add to the data (10,000 secrets expand to about 250,000 values in all):
 * only what aliases add counts, so a large manifest without aliases is never refused.
 */
export const MAX_ALIAS_EXPANSION = 5_000_000
/** Collections inside collections: real manifests nest a handful of levels. */
export const MAX_NESTING = 128

export function aliasBombMessage(): string {
  return `aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values: a manifest this large is almost certainly an alias bomb`
}

export function nestingError(location: SourceLocation): ConfigError {
  return new ConfigError(
    `collections nest deeper than ${MAX_NESTING} levels: flatten the manifest (no floe section needs more than a few)`,
    { location },
  )
}

type CstToken = { type: string; offset?: number; value?: CstToken; items?: CstItem[] }
type CstItem = { key?: CstToken | null; value?: CstToken | null }
const CST_COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection'])

/** Offset of the first collection nested deeper than MAX_NESTING, walking the token tree. */
export function tooDeepOffset(text: string): number | undefined {
  const pending: [CstToken, number][] = []
  for (const token of new (yaml().Parser)().parse(text)) pending.push([token, 0])
  while (pending.length > 0) {
    const [token, nesting] = pending.pop() as [CstToken, number]
    const inner = CST_COLLECTIONS.has(token.type) ? nesting + 1 : nesting
    if (inner > MAX_NESTING) return token.offset
    if (token.value && typeof token.value === 'object') pending.push([token.value, inner])
    for (const item of token.items ?? []) {
      if (item.value) pending.push([item.value, inner])
      if (item.key) pending.push([item.key, inner])
    }
  }
  return undefined
}

export const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
)

export function unknownTag(tag: string, location: SourceLocation): ConfigError {
  return new ConfigError(
    `invalid YAML: unknown tag ${JSON.stringify(tag)}: a floe manifest is plain YAML data (only the core tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq); quote the value if the "!" is part of it`,
    { location, details: { yamlCode: 'TAG_RESOLVE_FAILED' } },
  )
}
