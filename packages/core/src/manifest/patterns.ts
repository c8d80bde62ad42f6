/**
 * The manifest's patterns and key lists that the loader needs without zod: schema.ts (zod)
 * is imported only when fast-validate.ts cannot vouch for a manifest.
 */

/** `5m`, `1h`, `30s`, `250ms`, `1d`; a bare number means seconds. */
export const DURATION_PATTERN = /^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)$/

export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/**
 * The settings of `secrets._config` (schema.ts's secretsConfig; test/manifest-fast-validate
 * checks the two agree): written at the top level they would not be read.
 */
export const SECRETS_CONFIG_KEYS: readonly string[] = [
  'default_provider',
  'cache',
  'retry',
  'concurrency',
  'rotation',
  'audit',
]
