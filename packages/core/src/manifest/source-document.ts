/**
 * What both manifest readers (fast-source.ts over js-yaml, yaml-source.ts over `yaml`) return:
 * the interpolated data and a way back from any document path to file:line:column.
 */
import type { ConfigError, SourceLocation } from '../errors.js'
import type { DocPath } from './paths.js'

export interface LocateOptions {
  /** point at the key of the last segment instead of its value */
  key?: boolean
  /** fall back to the closest existing ancestor when the path does not exist */
  nearest?: boolean
}

export interface SourceDocument {
  file: string
  data: unknown
  /** interpolation problems (malformed `${…}`) */
  problems: ConfigError[]
  /**
   * strings naming a variable that is not set: an error, unless the loader finds the field
   * optional in its provider's schema (then the field is left out, with a warning)
   */
  unset: UnsetVariable[]
  warnings: string[]
  /** path keys (see pathKey) of string scalars that came (partly) from `${…}` */
  interpolated: Set<string>
  locate(path: DocPath, options?: LocateOptions): SourceLocation | undefined
  /**
   * Position of character `index` of the string at `path`; `needle` (the text starting at
   * that character in the value) lets quoted and folded scalars map exactly.
   */
  locateInString(path: DocPath, index: number, needle?: string): SourceLocation | undefined
}

export interface UnsetVariable {
  /** the string's document path */
  path: DocPath
  variable: string
  /** what is reported when the field cannot be left out */
  error: ConfigError
}

export function pathKey(path: DocPath): string {
  return path.join('\u0001')
}

export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return ''
}

/**
 * `locateInString` of both readers: inside the string at the node found, or at the nearest
 * existing ancestor when the path does not end at a string.
 */
export function locateInFoundString<N>(
  found: { node?: N | null; exact: boolean },
  stringOf: (node: N) => string | undefined,
  nearest: () => SourceLocation | undefined,
  inString: (node: N, value: string) => SourceLocation | undefined,
): SourceLocation | undefined {
  if (!found.node) return undefined
  const value = found.exact ? stringOf(found.node) : undefined
  return value === undefined ? nearest() : inString(found.node, value)
}
