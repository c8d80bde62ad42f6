/** Turns zod issues into located ConfigErrors with short, value-free messages. */
import type { z } from 'zod'
import { ConfigError } from '../errors.js'
import { formatPath, type DocPath } from './paths.js'
import type { SourceDocument } from './yaml-source.js'

type Issue = z.core.$ZodIssue

export function issuesToErrors(
  issues: readonly Issue[],
  source: SourceDocument,
  data: unknown,
  base: DocPath = [],
): ConfigError[] {
  const out: ConfigError[] = []
  for (const issue of flattenUnions(issues, [])) {
    const path = [...base, ...(issue.path as (string | number)[])]
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push(
          new ConfigError(`${formatPath([...path, key])}: unknown field "${key}"`, {
            location: source.locate([...path, key], { key: true, nearest: true }),
          }),
        )
      }
      continue
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0]
      out.push(
        new ConfigError(
          `${formatPath(path)}: ${inner ? describe(inner, undefined) : 'invalid key'}`,
          {
            location: source.locate(path, { key: true, nearest: true }),
          },
        ),
      )
      continue
    }
    out.push(
      new ConfigError(
        `${formatPath(path)}: ${describe(issue, valueAt(data, path.slice(base.length)))}`,
        {
          location: source.locate(path, { nearest: true }),
        },
      ),
    )
  }
  return out
}

/** For a failed union, keep the branch that got furthest — it is the one the author meant. */
function flattenUnions(issues: readonly Issue[], prefix: PropertyKey[]): Issue[] {
  const out: Issue[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      let best: readonly Issue[] | undefined
      let bestDepth = -1
      for (const branch of issue.errors) {
        const depth = Math.max(
          ...branch.map((b) => b.path.length + (b.code === 'invalid_type' ? 0 : 0.5)),
        )
        if (depth > bestDepth) {
          best = branch
          bestDepth = depth
        }
      }
      out.push(...flattenUnions(best ?? [], path))
      continue
    }
    out.push({ ...issue, path })
  }
  return out
}

function valueAt(data: unknown, path: DocPath): unknown {
  let current = data
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[segment]
  }
  return current
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a map'
  return `a ${typeof value}`
}

function describe(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      // a schema's own words for a missing field (what to add) say more than zod's default
      if (value === undefined)
        return /^Invalid input\b/.test(issue.message)
          ? `required (expected ${expectedName(issue.expected)})`
          : issue.message
      return `expected ${expectedName(issue.expected)}, got ${kindOf(value)}`
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? []
        const expected = `expected one of ${options.map((v) => JSON.stringify(v)).join(', ')}`
        const given = valueOrMember(value, issue.discriminator)
        return typeof given === 'string' && given.includes('|')
          ? `${expected} (pick one: "${given}" lists the alternatives)`
          : expected
      }
      return 'does not match any allowed form'
    case 'invalid_format':
    case 'custom':
      return issue.message
    case 'too_small':
      return issue.origin === 'string' && issue.minimum === 1
        ? 'must not be empty'
        : `must be ≥ ${String(issue.minimum)}`
    case 'too_big':
      return `must be ≤ ${String(issue.maximum)}`
    case 'invalid_key':
      return 'invalid key'
    default:
      return issue.message
  }
}

function valueOrMember(value: unknown, member: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[member]
    : value
}

function expectedName(expected: string): string {
  if (expected === 'object') return 'a map'
  if (expected === 'array') return 'a list'
  if (expected === 'int') return 'integer'
  return expected
}
