/**
 * The few lines every provider's own tests start with: a quiet provider context, a fetch
 * request, and the value or error code of an outcome. One copy here instead of one per
 * provider package.
 */
import {
  silentLogger,
  type FetchOutcome,
  type FetchRequest,
  type ProviderContext,
} from '@floe/core'

/** A provider context that logs nothing: `env` (default none), `cwd` (default this process's). */
export function quietContext(
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ProviderContext {
  return { env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), logger: silentLogger }
}

/** A fetch request for `secret` with its provider fields, and a version when one is given. */
export function fetchRequest(
  secret: string,
  config: Record<string, unknown>,
  version?: string,
): FetchRequest {
  return { secret, config, ...(version === undefined ? {} : { version }) }
}

/** The revealed value of a successful outcome; throws with the error code otherwise. */
export function valueOf(outcome: FetchOutcome | undefined): string {
  if (!outcome?.ok)
    throw new Error(`expected a value, got ${outcome ? outcome.error.code : 'no outcome'}`)
  return outcome.secret.value.reveal()
}

/** The error code of a failed outcome; throws when it succeeded. */
export function errorCodeOf(outcome: FetchOutcome | undefined): string {
  if (!outcome || outcome.ok) throw new Error('expected an error')
  return outcome.error.code
}
