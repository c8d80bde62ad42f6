import { AggregateConfigError, type FloeError } from '../errors.js'

/** A path in the manifest document, e.g. ['secrets', 'kafka', 'retry', 'attempts']. */
export type DocPath = (string | number)[]

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** `secrets.kafka.retry.attempts`, `duckdb.secrets[0].name`, `env["odd key"]`. */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      out += out ? `.${segment}` : segment
    else out += `[${JSON.stringify(String(segment))}]`
  }
  return out || '(document)'
}

/** Throws the one error, or an AggregateConfigError carrying all of them. */
export function throwAll(errors: readonly FloeError[]): void {
  if (errors.length === 1) throw errors[0] as FloeError
  if (errors.length > 1) {
    // In file order, so the report reads top to bottom (sort is stable for equal positions).
    const sorted = [...errors].sort(
      (a, b) =>
        (a.location?.line ?? Infinity) - (b.location?.line ?? Infinity) ||
        (a.location?.column ?? 0) - (b.location?.column ?? 0),
    )
    throw new AggregateConfigError(
      sorted,
      sorted[0]?.location ? { location: sorted[0].location } : {},
    )
  }
}
