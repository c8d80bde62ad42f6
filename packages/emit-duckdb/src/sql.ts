import { ConfigError, InvalidSecretError, type SecretRef, type SecretValue } from '@floe/core'
import type { DuckdbSecretPlan, PlanValue } from './plan.js'

/** Where resolved values come from: a resolver's ResolveReport fits. */
export interface ValueSource {
  valueOf(ref: SecretRef): SecretValue | undefined
}

export interface RenderOptions {
  /** replace secret-derived and credential values with '***' (display / review form) */
  redact?: boolean
  /** `CREATE OR REPLACE` (default true): re-applying a changed manifest replaces the secret */
  orReplace?: boolean
  /** in redacted output, add a comment naming the secret:// reference of each value */
  annotate?: boolean
}

export const REDACTED_LITERAL = "'***'"

const SIMPLE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/

/** A secret name as DuckDB reads it: bare when simple, double-quoted otherwise. */
export function secretIdentifier(name: string): string {
  return SIMPLE_IDENTIFIER.test(name) ? name : `"${name.replaceAll('"', '""')}"`
}

/**
 * A DuckDB string literal. Doubling single quotes is all DuckDB's lexer needs (backslashes
 * are plain characters in standard strings); a NUL character cannot be carried by a literal
 * at all, so it is rejected instead of silently truncating the value.
 */
export function quoteLiteral(text: string, context = 'value'): string {
  if (text.includes('\0')) {
    throw new InvalidSecretError(
      `${context} contains a NUL character, which a DuckDB string literal cannot hold`,
    )
  }
  return `'${text.replaceAll("'", "''")}'`
}

function textOf(
  value: PlanValue & { kind: 'text' },
  values: ValueSource | undefined,
  context: string,
): string {
  let out = ''
  for (const piece of value.pieces) {
    if (typeof piece === 'string') {
      out += piece
      continue
    }
    const resolved = values?.valueOf(piece.ref)
    if (!resolved) {
      throw new ConfigError(`${context}: ${piece.raw} was not resolved`)
    }
    out += resolved.reveal()
  }
  return out
}

function refComment(value: PlanValue): string {
  const raws: string[] = []
  const visit = (v: PlanValue): void => {
    if (v.kind === 'text') for (const p of v.pieces) if (typeof p !== 'string') raws.push(p.raw)
    if (v.kind === 'map') for (const [, e] of v.entries) visit(e)
  }
  visit(value)
  return raws.length ? ` /* ${raws.join(', ').replaceAll('*/', '*\\/')} */` : ''
}

function isSecretDerived(value: PlanValue & { kind: 'text' }): boolean {
  return value.sensitive || value.pieces.some((p) => typeof p !== 'string')
}

function renderValue(
  value: PlanValue,
  values: ValueSource | undefined,
  redact: boolean,
  context: string,
): string {
  switch (value.kind) {
    case 'boolean':
      return value.value ? 'true' : 'false'
    case 'number':
      return String(value.value)
    case 'text':
      if (redact && isSecretDerived(value)) return REDACTED_LITERAL
      return quoteLiteral(textOf(value, values, context), context)
    case 'map': {
      const entries = value.entries.map(([key, entry]) => {
        const literal =
          redact && isSecretDerived(entry)
            ? REDACTED_LITERAL
            : quoteLiteral(textOf(entry, values, context), `${context} header '${key}'`)
        return `${quoteLiteral(key, `${context} header name`)}: ${literal}`
      })
      return `MAP {${entries.join(', ')}}`
    }
  }
}

/**
 * `CREATE [OR REPLACE] PERSISTENT|TEMPORARY SECRET name (TYPE …, PARAM value, …, SCOPE …);`
 * The storage keyword is always explicit: a bare `CREATE SECRET` is temporary in DuckDB.
 */
export function renderCreateSecret(
  plan: DuckdbSecretPlan,
  values: ValueSource | undefined,
  options: RenderOptions = {},
): string {
  const redact = options.redact === true
  const orReplace = options.orReplace !== false
  const lines: string[] = [`TYPE ${plan.type.toUpperCase()}`]
  if (plan.provider) lines.push(`PROVIDER ${plan.provider}`)
  for (const param of plan.params) {
    const context = `parameter '${param.key}' of duckdb secret '${plan.name}'`
    const rendered = renderValue(param.value, values, redact, context)
    const note = redact && options.annotate ? refComment(param.value) : ''
    lines.push(`${param.name.toUpperCase()} ${rendered}${note}`)
  }
  if (plan.scopes.length === 1) {
    lines.push(`SCOPE ${quoteLiteral(plan.scopes[0]!, `scope of duckdb secret '${plan.name}'`)}`)
  } else if (plan.scopes.length > 1) {
    const scopes = plan.scopes.map((s) => quoteLiteral(s, `scope of duckdb secret '${plan.name}'`))
    lines.push(`SCOPE (${scopes.join(', ')})`)
  }
  const head = `CREATE ${orReplace ? 'OR REPLACE ' : ''}${plan.persistent ? 'PERSISTENT' : 'TEMPORARY'} SECRET ${secretIdentifier(plan.name)}`
  // Annotations end in a block comment, so the separating comma goes before it.
  const body = lines
    .map((line, i) => {
      if (i === lines.length - 1) return `    ${line}`
      const comment = line.match(/ \/\* .* \*\/$/)
      return comment ? `    ${line.slice(0, comment.index)},${comment[0]}` : `    ${line},`
    })
    .join('\n')
  return `${head} (\n${body}\n);`
}

/** Never a bare `DROP SECRET`: it is ambiguous when a temporary and a persistent one share a name. */
export function renderDropSecret(name: string, persistent: boolean, ifExists = false): string {
  return `DROP ${persistent ? 'PERSISTENT' : 'TEMPORARY'} SECRET ${ifExists ? 'IF EXISTS ' : ''}${secretIdentifier(name)};`
}
