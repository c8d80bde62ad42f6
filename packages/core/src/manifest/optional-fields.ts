/**
 * An unset `${VAR}` in a provider field: when the provider's own schema says the field may be
 * absent (`kms_key_id: ${KMS_KEY_ID}  # Optional`), the field is left out with a warning, as
 * if the line were not there; in a required field it stays the "not set" error. Optionality is
 * read from the provider's configSchema, so no list of optional fields lives here.
 */
import type { z } from 'zod'
import { formatPath, type DocPath } from './paths.js'
import { SHARED_FIELDS } from './normalize.js'
import type { UnsetVariable } from './yaml-source.js'
import type { SourceLocation } from '../errors.js'

/** A field left out because its variable is not set (shown by validate and as a warning). */
export interface OmittedField {
  secret: string
  /** the field under the definition, e.g. `kms_key_id` or `fallback.vault.namespace` */
  field: string
  variables: string[]
  location?: SourceLocation
  /** `KMS_KEY_ID is not set; kms_key_id left out (optional)` */
  message: string
}

/**
 * Whether an unset variable sits in a provider's own field: `secrets.<name>.<field>…` or
 * `secrets.<name>.fallback.<field>…` (not a shared field the loader parses itself).
 */
export function inProviderField(path: DocPath): boolean {
  const [section, name, field, sub] = path
  if (section !== 'secrets' || typeof name !== 'string' || name.startsWith('_')) return false
  if (field === 'fallback') return typeof sub === 'string' && sub !== 'provider'
  return typeof field === 'string' && !SHARED_FIELDS.has(field)
}

/** The parts of a zod 4 schema's definition read here (`_zod.def`, zod's documented internals). */
interface SchemaDef {
  type?: string
  shape?: Record<string, z.ZodType>
  in?: z.ZodType
  innerType?: z.ZodType
}
const defOf = (schema: z.ZodType): SchemaDef | undefined =>
  (schema as unknown as { _zod?: { def?: SchemaDef } })._zod?.def

/** Wrappers that keep an object's fields: `.transform()` and `.pipe()` read their input's. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.ZodType | undefined = schema
  for (let depth = 0; current && depth < 8; depth += 1) {
    const def: SchemaDef | undefined = defOf(current)
    if (def?.type === 'object') return def.shape
    if (def?.type === 'pipe') current = def.in
    else if (def?.type === 'optional' || def?.type === 'nullable' || def?.type === 'default')
      current = def.innerType
    else return undefined
  }
  return undefined
}

/**
 * Whether the schema accepts the object without `field` (a path into nested objects such as
 * `vault.namespace`): each field on the way must exist in the schema, and the last must
 * accept `undefined`. An unknown field or a schema that is not an object answers no.
 */
export function acceptsAbsence(schema: z.ZodType, field: DocPath): boolean {
  let current = schema
  for (let i = 0; i < field.length; i += 1) {
    const key = field[i]
    const shape = objectShape(current)
    if (typeof key !== 'string' || !shape || !Object.hasOwn(shape, key)) return false
    current = shape[key]!
    if (i === field.length - 1) return current.safeParse(undefined).success
  }
  return false
}

/** Deletes `field` (a path) from `holder`; true when something was there. */
export function removeField(holder: Record<string, unknown>, field: DocPath): boolean {
  let current: unknown = holder
  for (const key of field.slice(0, -1)) {
    if (current === null || typeof current !== 'object') return false
    current = (current as Record<string | number, unknown>)[key]
  }
  const last = field[field.length - 1]
  if (current === null || typeof current !== 'object' || last === undefined) return false
  if (!Object.hasOwn(current, last)) return false
  delete (current as Record<string | number, unknown>)[last]
  return true
}

/** Issues of the schema's refinements on `field`'s enclosing objects (path a strict prefix). */
function enclosingIssues(schema: z.ZodType, value: unknown, field: DocPath): Set<string> {
  const result = schema.safeParse(value)
  if (result.success) return new Set()
  return new Set(
    result.error.issues
      .filter(
        (issue) =>
          issue.path.length < field.length &&
          issue.path.every((segment, i) => segment === field[i]),
      )
      .map((issue) => JSON.stringify([issue.path, issue.message])),
  )
}

/**
 * Whether `field` can be left out of `fields`: its own schema accepts absence, and leaving it
 * out adds no issue on an enclosing object (a refine such as "set `variable` or `variables`"
 * makes a field that reads optional required after all).
 */
function canLeaveOut(schema: z.ZodType, fields: Record<string, unknown>, field: DocPath): boolean {
  if (!acceptsAbsence(schema, field)) return false
  const before = enclosingIssues(schema, fields, field)
  const without = structuredClone(fields)
  removeField(without, field)
  for (const issue of enclosingIssues(schema, without, field)) if (!before.has(issue)) return false
  return true
}

/**
 * Leaves out each field under `base` whose unset variables are all in fields the schema
 * declares optional; returns what was left out and the errors of the rest.
 */
export function omitOptionalUnset(
  unset: readonly UnsetVariable[],
  secret: string,
  base: DocPath,
  fields: Record<string, unknown>,
  schema: z.ZodType,
  document: Record<string, unknown>,
): { omitted: OmittedField[]; errors: UnsetVariable[] } {
  const byField = new Map<string, UnsetVariable[]>()
  for (const u of unset) {
    const key = JSON.stringify(u.path)
    byField.set(key, [...(byField.get(key) ?? []), u])
  }
  const omitted: OmittedField[] = []
  const errors: UnsetVariable[] = []
  for (const group of byField.values()) {
    const relative = group[0]!.path.slice(base.length)
    if (!canLeaveOut(schema, fields, relative)) {
      errors.push(...group)
      continue
    }
    removeField(fields, relative)
    removeField(document, group[0]!.path)
    const variables = [...new Set(group.map((u) => u.variable))]
    const location = group[0]!.error.location
    const field = formatPath([...base.slice(2), ...relative])
    omitted.push({
      secret,
      field,
      variables,
      ...(location ? { location } : {}),
      message: `${variables.join(', ')} ${variables.length === 1 ? 'is' : 'are'} not set; ${field} left out (optional)`,
    })
  }
  return { omitted, errors }
}

/**
 * Drops the schema's issues about a field whose variable is not set: its "not set" error
 * already says what is wrong there ("must not be empty" would only repeat it).
 */
export function withoutUnsetIssues<T extends { path: PropertyKey[] }>(
  issues: readonly T[],
  unsetFields: readonly DocPath[],
): T[] {
  return issues.filter(
    (issue) =>
      !unsetFields.some(
        (field) =>
          issue.path.length >= field.length &&
          field.every((segment, i) => issue.path[i] === segment),
      ),
  )
}
