/**
 * Validated `secrets:` data → SecretDefinition / SecretsConfig: merges `_groups`, applies
 * `_config` defaults, parses shared policy fields and leaves the provider's own in `fields`.
 */
import { ConfigError } from '../errors.js'
import type {
  CachePolicy,
  FallbackDefinition,
  OnMissingPolicy,
  RetryPolicy,
  GeneratorSpec,
  RotationPolicy,
  SecretDefinition,
  SecretsConfig,
} from '../types.js'
import type { EnvNamingScheme } from '../naming/env-names.js'
import { durationMs } from './durations.js'
import { formatPath } from './paths.js'
import { SECRET_NAME_PATTERN } from './patterns.js'
import { scalarText, type SourceDocument } from './yaml-source.js'

type Raw = Record<string, unknown>
type Duration = string | number

export const DEFAULT_CACHE_TTL_MS = 5 * 60_000
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  backoff: 'exponential',
  initialDelayMs: 200,
  maxDelayMs: 30_000,
}
export const DEFAULT_CONCURRENCY = 8

/** Fields the loader parses itself; they never reach a provider's configSchema. */
export const SHARED_FIELDS = new Set([
  'provider',
  '_group',
  'cache',
  'retry',
  'fallback',
  'on_missing',
  'rotation',
  'default',
  'scope',
  'renewal',
  'lease',
  'env_naming',
  'env_prefix',
])
const KIND_TYPES = new Set(['dynamic', 'static'])

export interface NormalizedSecrets {
  secrets: Record<string, SecretDefinition>
  config: SecretsConfig
  errors: ConfigError[]
}

export function normalizeSecrets(
  section: Raw | undefined,
  source: SourceDocument,
): NormalizedSecrets {
  const errors: ConfigError[] = []
  const rawConfig = (section?._config ?? {}) as Raw
  const config = parseConfig(rawConfig)
  const groups = (section?._groups ?? {}) as Record<string, Raw>
  const resolvedGroups = new Map<string, Raw | null>()

  const resolveGroup = (name: string, chain: string[]): Raw | null => {
    const cached = resolvedGroups.get(name)
    if (cached !== undefined) return cached
    const group = groups[name] as Raw
    const parentName = group._group as string | undefined
    let resolved: Raw | null = withoutGroupKey(group)
    if (parentName !== undefined) {
      if (chain.includes(parentName) || parentName === name) {
        const start = chain.indexOf(parentName)
        const cycle = start === -1 ? [name, parentName] : [...chain.slice(start), name, parentName]
        errors.push(
          new ConfigError(`secrets._groups.${name}._group: group cycle ${cycle.join(' → ')}`, {
            location: source.locate(['secrets', '_groups', name, '_group'], { nearest: true }),
          }),
        )
        resolved = null
      } else if (!Object.hasOwn(groups, parentName)) {
        errors.push(
          unknownGroup(['secrets', '_groups', name, '_group'], parentName, groups, source),
        )
        resolved = null
      } else {
        const parent = resolveGroup(parentName, [...chain, name])
        resolved = parent ? deepMerge(parent, resolved) : null
      }
    }
    resolvedGroups.set(name, resolved)
    return resolved
  }
  for (const name of Object.keys(groups)) resolveGroup(name, [])

  const secrets: Record<string, SecretDefinition> = {}
  for (const [name, value] of Object.entries(section ?? {})) {
    if (name === '_config' || name === '_groups') continue
    const location = source.locate(['secrets', name], { key: true, nearest: true })
    if (name.startsWith('_') || !SECRET_NAME_PATTERN.test(name)) {
      errors.push(
        new ConfigError(
          name.startsWith('_')
            ? `secrets.${name}: names starting with "_" are reserved (_config, _groups)`
            : `${formatPath(['secrets', name])}: a secret name is letters, digits, "_", "." and "-", starting with a letter, digit or "_" (it is used in secret://<name>)`,
          { location },
        ),
      )
      continue
    }
    let raw = value as Raw
    const groupName = raw._group as string | undefined
    if (groupName !== undefined) {
      if (!Object.hasOwn(groups, groupName)) {
        errors.push(unknownGroup(['secrets', name, '_group'], groupName, groups, source))
        continue
      }
      const group = resolvedGroups.get(groupName)
      if (!group) continue // the group's own error is already reported
      raw = deepMerge(group, withoutGroupKey(raw))
    }
    const provider = (raw.provider as string | undefined) ?? config.defaultProvider
    if (!provider) {
      errors.push(
        new ConfigError(
          `secrets.${name}: no provider: set "provider:" (vault, aws_secrets_manager, env…) or secrets._config.default_provider`,
          { location, secret: name },
        ),
      )
      continue
    }
    secrets[name] = buildDefinition(name, provider, raw, config, groupName, location)
  }
  return { secrets, config, errors }
}

function buildDefinition(
  name: string,
  provider: string,
  raw: Raw,
  config: SecretsConfig,
  group: string | undefined,
  location: SecretDefinition['location'],
): SecretDefinition {
  const fields: Raw = {}
  for (const [k, v] of Object.entries(raw)) {
    if (SHARED_FIELDS.has(k)) continue
    if (k === 'type' && typeof v === 'string' && KIND_TYPES.has(v)) continue
    fields[k] = v
  }
  const definition: SecretDefinition = {
    name,
    provider,
    fields,
    kind: raw.type === 'dynamic' ? 'dynamic' : 'static',
  }
  const keys = declaredKeys(provider, raw)
  if (keys) definition.keys = keys
  if (group !== undefined) definition.group = group
  const cache = parseCache(raw.cache as CacheInput | undefined) ?? config.cache
  if (cache) definition.cache = cache
  const retry = raw.retry ? parseRetry(raw.retry, config.retry) : config.retry
  if (retry) definition.retry = retry
  if (raw.fallback) definition.fallback = parseFallback(raw.fallback as Raw)
  if (raw.on_missing !== undefined)
    definition.onMissing = parseOnMissing(raw.on_missing as OnMissingInput)
  if (raw.rotation) definition.rotation = parseRotation(raw.rotation)
  if (raw.default !== undefined) definition.default = scalarText(raw.default)
  if (raw.scope !== undefined) definition.scope = raw.scope as string
  if (raw.env_naming !== undefined || raw.env_prefix !== undefined) {
    definition.envNaming = {}
    if (raw.env_naming !== undefined)
      definition.envNaming.scheme = raw.env_naming as EnvNamingScheme
    if (raw.env_prefix !== undefined) definition.envNaming.prefix = raw.env_prefix as string
  }
  const lease = parseLease(
    raw.renewal as RenewalInput | undefined,
    raw.lease as LeaseInput | undefined,
  )
  if (lease) definition.lease = lease
  if (location) definition.location = location
  return definition
}

function declaredKeys(provider: string, raw: Raw): string[] | undefined {
  if (Array.isArray(raw.keys)) return [...new Set(raw.keys as string[])]
  if (typeof raw.key === 'string') return [raw.key]
  // env provider: `variables: {username: KAFKA_USERNAME, …}` declares its keys.
  if (
    provider === 'env' &&
    raw.variables &&
    typeof raw.variables === 'object' &&
    !Array.isArray(raw.variables)
  ) {
    return Object.keys(raw.variables)
  }
  return undefined
}

type CacheInput = boolean | { enabled?: boolean; ttl?: Duration }
type RetryInput = {
  attempts?: number
  backoff?: RetryPolicy['backoff']
  initial_delay?: Duration
  max_delay?: Duration
}
type OnMissingInput =
  | OnMissingPolicy['action']
  | {
      action: OnMissingPolicy['action']
      default_value?: string | number | boolean
      message?: string
    }
type GeneratorInput = { length?: number; charset?: GeneratorSpec['charset'] }
type RotationInput = {
  generate?: GeneratorInput | Record<string, GeneratorInput>
  auto_refresh?: boolean
  refresh_interval?: Duration
  on_rotation?: {
    action: 'reconnect' | 'restart' | 'alert'
    grace_period?: Duration
    signal?: string
    command?: string
  }
  restart?: string[]
}
type RenewalInput = { enabled?: boolean; increment?: Duration; min_renewal?: Duration }
type LeaseInput = {
  renewal_enabled?: boolean
  min_renewal_seconds?: number
  increment_seconds?: number
}

function parseCache(input: CacheInput | undefined): CachePolicy | undefined {
  if (input === undefined) return undefined
  if (typeof input === 'boolean') return { enabled: input, ttlMs: DEFAULT_CACHE_TTL_MS }
  return {
    enabled: input.enabled ?? true,
    ttlMs: input.ttl === undefined ? DEFAULT_CACHE_TTL_MS : durationMs(input.ttl),
  }
}

function parseRetry(input: RetryInput, base: RetryPolicy | undefined): RetryPolicy {
  const from = base ?? DEFAULT_RETRY
  return {
    attempts: input.attempts ?? from.attempts,
    backoff: input.backoff ?? from.backoff,
    initialDelayMs:
      input.initial_delay === undefined ? from.initialDelayMs : durationMs(input.initial_delay),
    maxDelayMs: input.max_delay === undefined ? from.maxDelayMs : durationMs(input.max_delay),
  }
}

function parseFallback(input: Raw): FallbackDefinition {
  const { provider, ...fields } = input
  return { provider: provider as string, fields }
}

function parseOnMissing(input: OnMissingInput): OnMissingPolicy {
  if (typeof input === 'string') return { action: input }
  const policy: OnMissingPolicy = { action: input.action }
  if (input.default_value !== undefined) policy.defaultValue = scalarText(input.default_value)
  if (input.message !== undefined) policy.message = input.message
  return policy
}

function parseRotation(input: RotationInput): RotationPolicy {
  const policy: RotationPolicy = { autoRefresh: input.auto_refresh ?? false }
  if (input.generate) policy.generate = parseGenerate(input.generate)
  if (input.refresh_interval !== undefined)
    policy.refreshIntervalMs = durationMs(input.refresh_interval)
  if (input.on_rotation) {
    policy.onRotation = { action: input.on_rotation.action }
    if (input.on_rotation.grace_period !== undefined) {
      policy.onRotation.gracePeriodMs = durationMs(input.on_rotation.grace_period)
    }
    if (input.on_rotation.signal !== undefined) policy.onRotation.signal = input.on_rotation.signal
    if (input.on_rotation.command !== undefined) {
      policy.onRotation.command = input.on_rotation.command
    }
  }
  if (input.restart) policy.restart = [...input.restart]
  return policy
}

const generatorSpec = (input: GeneratorInput): GeneratorSpec => ({
  length: input.length ?? 32,
  charset: input.charset ?? 'alphanumeric',
})

/** `{length, charset}` is a single value's generator; any other map is KEY → generator. */
function parseGenerate(
  input: GeneratorInput | Record<string, GeneratorInput>,
): NonNullable<RotationPolicy['generate']> {
  const single = Object.values(input).every((v) => typeof v !== 'object' || v === null)
  if (single) return { value: generatorSpec(input) }
  return {
    keys: Object.fromEntries(
      Object.entries(input as Record<string, GeneratorInput>).map(([k, v]) => [
        k,
        generatorSpec(v),
      ]),
    ),
  }
}

function parseLease(
  renewal: RenewalInput | undefined,
  lease: LeaseInput | undefined,
): SecretDefinition['lease'] {
  if (!renewal && !lease) return undefined
  const out: NonNullable<SecretDefinition['lease']> = {
    renewalEnabled: lease?.renewal_enabled ?? renewal?.enabled ?? true,
  }
  const increment =
    lease?.increment_seconds ??
    (renewal?.increment === undefined ? undefined : durationMs(renewal.increment) / 1000)
  if (increment !== undefined) out.incrementSeconds = increment
  const minimum =
    lease?.min_renewal_seconds ??
    (renewal?.min_renewal === undefined ? undefined : durationMs(renewal.min_renewal) / 1000)
  if (minimum !== undefined) out.minRenewalSeconds = minimum
  return out
}

function parseConfig(raw: Raw): SecretsConfig {
  const config: SecretsConfig = {
    concurrency: (raw.concurrency as number | undefined) ?? DEFAULT_CONCURRENCY,
  }
  if (typeof raw.default_provider === 'string') config.defaultProvider = raw.default_provider
  const cache = parseCache(raw.cache as CacheInput | undefined)
  if (cache) config.cache = cache
  if (raw.retry) config.retry = parseRetry(raw.retry, undefined)
  if (raw.rotation) config.rotation = parseRotation(raw.rotation)
  const audit = raw.audit as
    | {
        enabled?: boolean
        log_access?: boolean
        log_destination?: string
        path?: string
        key?: string
        key_file?: string
      }
    | undefined
  if (audit) {
    // Reads are audited unless turned off: an audit block that skips `get --reveal` and `exec`
    // would miss the accesses it exists for.
    config.audit = { enabled: audit.enabled ?? true, logAccess: audit.log_access ?? true }
    if (audit.log_destination !== undefined) config.audit.destination = audit.log_destination
    if (audit.path !== undefined) config.audit.path = audit.path
    if (audit.key !== undefined) config.audit.key = audit.key
    if (audit.key_file !== undefined) config.audit.keyFile = audit.key_file
  }
  return config
}

function unknownGroup(
  path: (string | number)[],
  name: string,
  groups: Record<string, unknown>,
  source: SourceDocument,
): ConfigError {
  const known = Object.keys(groups)
  return new ConfigError(
    `${formatPath(path)}: unknown group "${name}" (${known.length ? `defined in secrets._groups: ${known.join(', ')}` : 'secrets._groups is empty'})`,
    { location: source.locate(path, { nearest: true }) },
  )
}

function withoutGroupKey(raw: Raw): Raw {
  if (!Object.hasOwn(raw, '_group')) return raw
  const { _group: _ignored, ...rest } = raw
  return rest
}

/** Plain objects merge key by key; lists and scalars of `override` replace those of `base`. */
export function deepMerge(base: Raw, override: Raw): Raw {
  const out: Raw = { ...base }
  for (const [key, value] of Object.entries(override)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}

function isPlainObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
