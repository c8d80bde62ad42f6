import type { ResourceType } from './resources.js'
import type { KubeObject } from './types.js'

/** labelSelector / fieldSelector evaluation (the equality and set-based forms kubectl sends). */

type Requirement = (labels: Record<string, string>) => boolean

export class SelectorError extends Error {}

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = []
  let depth = 0
  let current = ''
  for (const char of selector) {
    if (char === '(') depth += 1
    if (char === ')') depth -= 1
    if (char === ',' && depth === 0) {
      terms.push(current.trim())
      current = ''
    } else current += char
  }
  if (current.trim()) terms.push(current.trim())
  return terms
}

export function parseLabelSelector(selector: string): Requirement {
  const requirements: Requirement[] = []
  for (const term of splitTerms(selector)) {
    let match: RegExpMatchArray | null
    if ((match = term.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = match as unknown as [string, string, string, string]
      const values = new Set(
        list
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      )
      requirements.push(
        op === 'in'
          ? (l) => key in l && values.has(l[key] ?? '')
          : (l) => !(key in l) || !values.has(l[key] ?? ''),
      )
    } else if ((match = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      const [, key, op, value] = match as unknown as [string, string, string, string]
      requirements.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value)
    } else if ((match = term.match(/^!([\w./-]+)$/))) {
      const key = match[1] as string
      requirements.push((l) => !(key in l))
    } else if ((match = term.match(/^([\w./-]+)$/))) {
      const key = match[1] as string
      requirements.push((l) => key in l)
    } else {
      throw new SelectorError(`unable to parse requirement: ${term}`)
    }
  }
  return (labels) => requirements.every((r) => r(labels))
}

/** Field selectors: `metadata.name`, `metadata.namespace` and the resource's extra fields. */
export function parseFieldSelector(
  selector: string,
  fields: (object: KubeObject) => Record<string, string>,
  supported: string[],
): (object: KubeObject) => boolean {
  const terms = splitTerms(selector).map((term) => {
    const match = term.match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/)
    if (!match)
      throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`)
    const [, field, op, value] = match as unknown as [string, string, string, string]
    if (!supported.includes(field))
      throw new SelectorError(
        `"${field}" is not a known field selector: only "${supported.join('", "')}"`,
      )
    return { field, negate: op === '!=', value }
  })
  return (object) => {
    const values = fields(object)
    return terms.every((t) => (values[t.field] === t.value) !== t.negate)
  }
}

/**
 * The `labelSelector` and `fieldSelector` of a list or watch request as one predicate
 * (fields: metadata.name, metadata.namespace, and a Secret's type). Throws SelectorError.
 */
export function objectSelector(
  type: ResourceType,
  query: URLSearchParams,
): (object: KubeObject) => boolean {
  const labelSelector = query.get('labelSelector')
  const labelMatch = labelSelector ? parseLabelSelector(labelSelector) : () => true
  const fieldSelector = query.get('fieldSelector')
  const secrets = type.plural === 'secrets'
  const fieldMatch = fieldSelector
    ? parseFieldSelector(
        fieldSelector,
        (o: KubeObject) => ({
          'metadata.name': String(o.metadata?.name),
          'metadata.namespace': String(o.metadata?.namespace ?? ''),
          ...(secrets ? { type: String(o.type) } : {}),
        }),
        ['metadata.name', 'metadata.namespace', ...(secrets ? ['type'] : [])],
      )
    : () => true
  return (o) => labelMatch(o.metadata?.labels ?? {}) && fieldMatch(o)
}
