/**
 * A hand-written check of the common manifest against schema.ts, so that loading one needs
 * neither zod nor the schema (their import and construction are a third of a `floe secrets
 * validate` start-up, issue 17). It only ever vouches: `true` means schema.ts accepts the
 * document as it is (the schema has no transforms); `false` means "not sure", and the loader
 * runs the zod schema, whose issues are the error messages. A section or field it does not
 * know how to check (plugins, ingestion, rotation…) is "not sure" too.
 * test/manifest-fast-validate.test.ts checks "vouches ⇒ zod accepts" on random manifests.
 */
import { ENV_NAME_PATTERN, ENV_NAMING_SCHEMES } from '../naming/env-names.js'
import { DURATION_PATTERN } from './patterns.js'

type Check = (value: unknown) => boolean
type Raw = Record<string, unknown>

const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, null])
const isPlainObject = (value: unknown): value is Raw =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  PLAIN_PROTOTYPES.has(Object.getPrototypeOf(value))

const string: Check = (v) => typeof v === 'string'
const nonEmpty: Check = (v) => typeof v === 'string' && v.length > 0
const boolean: Check = (v) => typeof v === 'boolean'
// zod 4's z.number() refuses NaN and ±Infinity; z.int() wants a safe integer
const number: Check = (v) => typeof v === 'number' && Number.isFinite(v)
const intIn =
  (min: number, max: number): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
const nonNegative: Check = (v) => number(v) && (v as number) >= 0
const matches =
  (pattern: RegExp): Check =>
  (v) =>
    typeof v === 'string' && pattern.test(v)
const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v)
const either =
  (...checks: Check[]): Check =>
  (v) =>
    checks.some((check) => check(v))
const arrayOf =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item)
const recordOf =
  (value: Check, key: Check = string): Check =>
  (v) =>
    isPlainObject(v) && Object.entries(v).every(([k, x]) => key(k) && value(x))

/**
 * An object with these optional fields (`required` ones must be there). Strict: another key
 * is "not sure"; loose: other keys pass, as z.looseObject lets them.
 */
function object(fields: Record<string, Check>, mode: 'strict' | 'loose', required: string[] = []) {
  return (v: unknown): boolean => {
    if (!isPlainObject(v)) return false
    for (const name of required) if (v[name] === undefined) return false
    for (const [k, x] of Object.entries(v)) {
      const check = Object.hasOwn(fields, k) ? fields[k] : undefined
      if (check === undefined) {
        if (mode === 'strict') return false
      } else if (x !== undefined && !check(x)) return false
    }
    return true
  }
}

const anyObject = object({}, 'loose')
const scalar = either(string, number, boolean)
const duration = either(matches(DURATION_PATTERN), nonNegative)
const cache = either(boolean, object({ enabled: boolean, ttl: duration }, 'strict'))
const retry = object(
  {
    attempts: intIn(1, 100),
    backoff: oneOf(['exponential', 'constant']),
    initial_delay: duration,
    max_delay: duration,
  },
  'strict',
)
const onMissingAction = oneOf(['fail', 'default', 'warn'])
const onMissing = either(
  onMissingAction,
  object({ action: onMissingAction, default_value: scalar, message: string }, 'strict', ['action']),
)
const envNamingScheme = oneOf(ENV_NAMING_SCHEMES)
const envPrefix = matches(ENV_NAME_PATTERN)

const secretDefinition = object(
  {
    provider: nonEmpty,
    _group: nonEmpty,
    keys: arrayOf(nonEmpty),
    key: nonEmpty,
    type: string,
    cache,
    retry,
    fallback: object({ provider: nonEmpty }, 'loose', ['provider']),
    on_missing: onMissing,
    default: scalar,
    scope: nonEmpty,
    renewal: object({ enabled: boolean, increment: duration, min_renewal: duration }, 'strict'),
    lease: object(
      {
        renewal_enabled: boolean,
        min_renewal_seconds: nonNegative,
        increment_seconds: nonNegative,
      },
      'strict',
    ),
    env_naming: envNamingScheme,
    env_prefix: envPrefix,
    // rotation: not checked here (zod decides)
    rotation: () => false,
  },
  'loose',
)

const secretsConfig = object(
  {
    default_provider: nonEmpty,
    cache,
    retry,
    concurrency: intIn(1, 1024),
    audit: object(
      {
        enabled: boolean,
        log_access: boolean,
        log_destination: string,
        path: string,
        key: matches(/^secret:\/\//),
        key_file: string,
      },
      'strict',
    ),
  },
  'strict',
)

const secretsSection: Check = (v) => {
  if (!isPlainObject(v)) return false
  for (const [name, x] of Object.entries(v)) {
    if (x === undefined && (name === '_config' || name === '_groups')) continue
    const check =
      name === '_config'
        ? secretsConfig
        : name === '_groups'
          ? recordOf(secretDefinition)
          : secretDefinition
    if (!check(x)) return false
  }
  return true
}

const sections: Record<string, Check> = {
  version: (v) => v === 1,
  environment: nonEmpty,
  secrets: secretsSection,
  duckdb: object(
    {
      database: string,
      install_extensions: arrayOf(string),
      load_extensions: arrayOf(string),
      secret_directory: string,
      secrets: arrayOf(
        object(
          {
            type: nonEmpty,
            name: nonEmpty,
            persistent: boolean,
            scope: either(string, arrayOf(string)),
            provider: string,
          },
          'loose',
          ['type', 'name'],
        ),
      ),
    },
    'loose',
  ),
  dbt: object(
    {
      profiles: recordOf(
        object({ target: string, outputs: recordOf(recordOf(() => true)) }, 'loose', ['outputs']),
      ),
    },
    'loose',
    ['profiles'],
  ),
  kubernetes: anyObject,
  env: recordOf(
    (v) => typeof v === 'string' && v.startsWith('secret://'),
    matches(ENV_NAME_PATTERN),
  ),
  env_naming: either(
    envNamingScheme,
    object({ scheme: envNamingScheme, dbt_prefix: either(envPrefix, oneOf([''])) }, 'strict'),
  ),
  scopes: anyObject,
  access: Array.isArray,
  // plugins and ingestion: not checked here (zod decides)
  plugins: () => false,
  ingestion: () => false,
}

/** True when schema.ts's manifestSchema accepts `document` unchanged; false: not sure. */
export const vouchesForManifest: Check = object(sections, 'loose')
