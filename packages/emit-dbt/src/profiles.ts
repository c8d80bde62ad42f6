import { stringify } from 'yaml'
import {
  AggregateConfigError,
  ConfigError,
  DBT_SECRET_PREFIX,
  dbtEnvNameOf,
  findSecretRefs,
  refId,
  type EnvBinding,
  type FloeError,
  type LoadedManifest,
  type SecretRef,
  type SourceLocation,
} from '@floe/core'
import { ADAPTERS, type AdapterSpec } from './adapters.js'

export { DBT_SECRET_PREFIX }

/**
 * `secret://snowflake/password` → `DBT_ENV_SECRET_SNOWFLAKE_PASSWORD`: core's naming rule
 * (the manifest's `env_naming`, the secret's override), applied when the manifest carries no
 * binding for a reference.
 */
export function dbtEnvName(
  ref: Pick<SecretRef, 'name' | 'key'>,
  manifest?: Pick<LoadedManifest, 'envNaming' | 'secrets'>,
): string {
  return dbtEnvNameOf(ref, manifest?.envNaming, manifest?.secrets[ref.name]?.envNaming)
}

export interface RenderedProfiles {
  /** profiles.yml text */
  yaml: string
  /** the env vars the profile reads, exactly: what `floe secrets exec -- dbt …` must inject */
  bindings: EnvBinding[]
  warnings: string[]
}

type Path = (string | number)[]

function jinjaString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/**
 * Builds profiles.yml from `dbt.profiles`: every `secret://` becomes
 * `{{ env_var('DBT_ENV_SECRET_…') }}` (never a value), numbers and booleans read from env vars
 * go through `| as_number` / `| as_bool`, a whole JSON secret for a mapping field (BigQuery
 * keyfile_json) through `| as_native`. Plain values stay plain; `{{ env_var('X', 'd') }}`
 * written in the manifest passes through untouched.
 */
export function renderProfiles(manifest: LoadedManifest): RenderedProfiles {
  const errors: FloeError[] = []
  const warnings: string[] = []
  const locate = (path: Path): SourceLocation | undefined => {
    try {
      return manifest.locate(['dbt', ...path])
    } catch {
      return undefined
    }
  }
  const fail = (message: string, path: Path): void => {
    const location = locate(path)
    errors.push(
      new ConfigError(`${message}${location ? ` (line ${location.line})` : ''}`, { location }),
    )
  }

  const known = new Map<string, EnvBinding>()
  for (const binding of manifest.env) {
    if (binding.origin === 'dbt' && !known.has(refId(binding.ref)))
      known.set(refId(binding.ref), binding)
  }
  const used = new Map<string, EnvBinding>()
  const usedNames = new Map<string, EnvBinding>()
  const bindingFor = (ref: SecretRef, path: Path): string => {
    const id = refId(ref)
    const binding = known.get(id) ?? {
      name: dbtEnvName(ref, manifest),
      ref,
      origin: 'dbt' as const,
      location: locate(path),
    }
    const clash = usedNames.get(binding.name)
    if (clash && refId(clash.ref) !== id) {
      fail(
        `env var ${binding.name} would carry both ${refId(clash.ref)} and ${id}; declare distinct names under env:`,
        path,
      )
    }
    if (!used.has(id)) {
      used.set(id, binding)
      usedNames.set(binding.name, binding)
    }
    return binding.name
  }

  /** A string value with its secret:// references replaced by env_var() calls. */
  const convertString = (text: string, path: Path, filter?: string): string => {
    if (!text.includes('secret://')) return text
    let refs
    try {
      refs = findSecretRefs(text)
    } catch (error) {
      fail(`${path.join('.')}: ${(error as Error).message}`, path)
      return text
    }
    const whole = refs.length === 1 && refs[0]!.start === 0 && refs[0]!.end === text.length
    if (whole) {
      const name = bindingFor(refs[0]!.ref, path)
      return `{{ env_var(${jinjaString(name)})${filter ? ` | ${filter}` : ''} }}`
    }
    let out = ''
    let at = 0
    for (const found of refs) {
      out += text.slice(at, found.start)
      out += `{{ env_var(${jinjaString(bindingFor(found.ref, path))}) }}`
      at = found.end
    }
    return out + text.slice(at)
  }

  const convert = (value: unknown, path: Path, filter?: string): unknown => {
    if (typeof value === 'string') return convertString(value, path, filter)
    if (Array.isArray(value)) return value.map((item, i) => convert(item, [...path, i]))
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          convert(v, [...path, k]),
        ]),
      )
    }
    return value
  }

  const section = manifest.dbt
  const profilesIn = section?.profiles
  // a manifest without dbt profiles validates (they are optional): say what is missing, not its shape
  const sectionAt = section ? locate([]) : undefined
  if (profilesIn === undefined)
    throw new ConfigError(
      section
        ? 'the dbt: section has no profiles: nothing to emit'
        : 'the manifest has no dbt: section: nothing to emit',
      {
        ...(sectionAt ? { location: sectionAt } : {}),
        hint: 'add dbt.profiles (profile name → {target, outputs}) to the manifest; see the @floe/emit-dbt README',
      },
    )
  if (!profilesIn || typeof profilesIn !== 'object' || Array.isArray(profilesIn)) {
    throw new ConfigError('dbt.profiles must be a mapping of profile name to {target, outputs}', {
      location: locate(['profiles']),
    })
  }

  const out: Record<string, unknown> = {}
  for (const [profileName, profile] of Object.entries(profilesIn)) {
    const base: Path = ['profiles', profileName]
    if (
      !profile ||
      typeof profile !== 'object' ||
      !profile.outputs ||
      typeof profile.outputs !== 'object'
    ) {
      fail(
        `dbt profile '${profileName}' needs outputs: a mapping of target name to connection fields`,
        base,
      )
      continue
    }
    const targets = Object.keys(profile.outputs)
    let target = profile.target
    if (target === undefined) {
      if (targets.length === 1) target = targets[0]
      else
        fail(
          `dbt profile '${profileName}' has ${targets.length} outputs: set target to one of ${targets.join(', ')}`,
          base,
        )
    } else if (
      typeof target !== 'string' ||
      (!targets.includes(target) && !target.includes('{{'))
    ) {
      fail(
        `dbt profile '${profileName}': target '${String(target)}' is not one of its outputs (${targets.join(', ')})`,
        [...base, 'target'],
      )
    }

    const outputs: Record<string, unknown> = {}
    for (const [targetName, output] of Object.entries(profile.outputs)) {
      const at: Path = [...base, 'outputs', targetName]
      const label = `dbt target '${profileName}.${targetName}'`
      if (!output || typeof output !== 'object' || Array.isArray(output)) {
        fail(`${label} must be a mapping of connection fields`, at)
        continue
      }
      const type = output.type
      if (typeof type !== 'string') {
        fail(
          `${label} needs type (the adapter: snowflake, bigquery, databricks, postgres, redshift, duckdb, trino, …)`,
          at,
        )
        continue
      }
      const adapter: AdapterSpec | undefined = ADAPTERS[type]
      if (!adapter) {
        warnings.push(`${label}: no field checks for adapter '${type}'; emitted as written`)
      } else {
        for (const required of adapter.required) {
          const options = required.split('|')
          if (!options.some((k) => output[k] !== undefined && output[k] !== null)) {
            fail(`${label} (${type}) needs ${options.join(' or ')}`, at)
          }
        }
        for (const problem of adapter.check?.(output) ?? [])
          fail(`${label} (${type}) ${problem}`, at)
        for (const key of Object.keys(output)) {
          if (key !== 'type' && !adapter.known.includes(key)) {
            warnings.push(
              `${label}: unknown ${type} field '${key}' (check the spelling; dbt-${type} may ignore or reject it)`,
            )
          }
        }
        for (const key of adapter.credentials) {
          const value = output[key]
          if (typeof value !== 'string' || value.includes('secret://')) continue
          if (!value.includes('{{')) {
            warnings.push(
              `${label}: ${key} is a plain value in the manifest; reference it as secret://… so it stays out of profiles.yml`,
            )
            continue
          }
          for (const match of value.matchAll(/env_var\(\s*['"]([^'"]+)['"]/g)) {
            if (!match[1]!.startsWith(DBT_SECRET_PREFIX)) {
              warnings.push(
                `${label}: ${key} reads env var ${match[1]}, which dbt does not scrub from its logs; use secret://… (floe names it ${DBT_SECRET_PREFIX}…)`,
              )
            }
          }
        }
      }

      const converted: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(output)) {
        const filter = adapter?.numeric.includes(key)
          ? 'as_number'
          : adapter?.boolean.includes(key)
            ? 'as_bool'
            : adapter?.native?.includes(key)
              ? 'as_native'
              : undefined
        converted[key] = convert(value, [...at, key], filter)
      }
      outputs[targetName] = converted
    }
    out[profileName] = { target, outputs }
  }

  if (errors.length === 1) throw errors[0]!
  if (errors.length > 1) throw new AggregateConfigError(errors)
  const unscrubbed = [...usedNames.keys()].filter((name) => !name.startsWith(DBT_SECRET_PREFIX))
  if (unscrubbed.length) {
    // env_naming.dbt_prefix chose plain names (the ADR's env_var('SNOWFLAKE_ACCOUNT')): say the cost
    warnings.push(
      `profiles.yml reads ${unscrubbed.sort().join(', ')} without the ${DBT_SECRET_PREFIX} prefix (env_naming.dbt_prefix): dbt does not scrub their values from its logs`,
    )
  }

  const header = [
    '# Generated by floe (@floe/emit-dbt). Do not edit: change the floe manifest and re-emit.',
    '# Credentials are read from environment variables (DBT_ENV_SECRET_* values are scrubbed',
    '# from dbt logs); run dbt through `floe secrets exec -- dbt …` or inject them in the pod.',
    '',
  ].join('\n')
  const yaml = header + stringify(out, { lineWidth: 0, singleQuote: false })
  return { yaml, bindings: [...used.values()], warnings }
}

/** The env vars profiles.yml needs, exactly (what `floe secrets exec -- dbt run` injects). */
export function dbtEnvBindings(manifest: LoadedManifest): EnvBinding[] {
  return renderProfiles(manifest).bindings
}
