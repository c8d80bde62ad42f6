/** loadManifest / loadManifestFromString: YAML → interpolation → schema → definitions → refs → env. */
import { readFileSync } from 'node:fs'
import { dirname, relative, resolve, isAbsolute } from 'node:path'
import { ConfigError, type FloeError } from '../errors.js'
import type {
  LoadedManifest,
  NotInstalledProvider,
  ProviderCatalog,
  ProviderModule,
  SecretDefinition,
} from '../types.js'
import { firstPartyProviders, providerPackageFor } from '../registry/first-party.js'
import { configSchemaOf } from '../registry/config-schema.js'
import { deriveEnvBindings } from './env-bindings.js'
import { parseEnvNaming } from '../naming/env-naming-section.js'
import { issuesToErrors } from './issues.js'
import { normalizeSecrets } from './normalize.js'
import { formatPath, throwAll, type DocPath } from './paths.js'
import { scanReferences } from './references.js'
import type { ManifestInput } from './schema.js'
import { SECRETS_CONFIG_KEYS } from './patterns.js'
import { vouchesForManifest } from './fast-validate.js'
import type { SourceDocument, UnsetVariable } from './yaml-source.js'
import {
  inProviderField,
  omitOptionalUnset,
  withoutUnsetIssues,
  type OmittedField,
} from './optional-fields.js'
import { decodeManifestBytes } from './decode-text.js'
import { readManifestSource } from './fast-source.js'

export interface LoadOptions {
  /** variables for `${VAR}` interpolation; default process.env */
  env?: NodeJS.ProcessEnv
  /** installed providers: each secret's provider fields are validated by its configSchema */
  catalog?: ProviderCatalog
  /**
   * With a catalog, a provider that is not installed is an error (default). `false` turns it
   * into a warning, for commands that do not fetch (list, emit).
   */
  strictProviders?: boolean
}

/** What lints need beyond the public LoadedManifest. */
export interface ManifestInternals {
  source: SourceDocument
}
const internals = new WeakMap<LoadedManifest, ManifestInternals>()
export function internalsOf(manifest: LoadedManifest): ManifestInternals | undefined {
  return internals.get(manifest)
}

export async function loadManifest(
  path: string,
  options: LoadOptions = {},
): Promise<LoadedManifest> {
  const absolute = resolve(path)
  let bytes: Buffer
  try {
    // synchronous on purpose: the first asynchronous fs call starts libuv's thread pool, which
    // waits for its four threads (≈ 2 ms of a CLI start); a manifest is one small file
    bytes = readFileSync(absolute)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigError(
      code === 'ENOENT'
        ? `manifest not found: ${absolute}`
        : `cannot read manifest ${absolute} (${code ?? 'error'})`,
      { cause: error },
    )
  }
  const file = displayName(absolute)
  return loadFromText(decodeManifestBytes(bytes, file), absolute, file, options)
}

export async function loadManifestFromString(
  text: string,
  options: LoadOptions & { file?: string } = {},
): Promise<LoadedManifest> {
  const file = options.file
  return loadFromText(text, file ? resolve(file) : '<inline>', file ?? '<inline>', options)
}

function displayName(absolute: string): string {
  const rel = relative(process.cwd(), absolute)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute
}

async function loadFromText(
  text: string,
  absolutePath: string,
  file: string,
  options: LoadOptions,
): Promise<LoadedManifest> {
  const env = options.env ?? process.env
  const source = readManifestSource(text, file, env)
  // an unset variable in a provider field waits for the provider's schema (optional-fields.ts)
  const deferred = source.unset.filter((u) => inProviderField(u.path))
  throwAll([
    ...source.problems,
    ...source.unset.filter((u) => !deferred.includes(u)).map((u) => u.error),
  ])

  const data = source.data ?? {}
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError('a manifest is a YAML map of sections (version, secrets, duckdb, dbt…)', {
      location: source.locate([], { nearest: true }),
    })
  }
  const document = data as Record<string, unknown>
  // `secrets:` with nothing under it (a manifest being written) means an empty section.
  for (const section of [
    'secrets',
    'plugins',
    'ingestion',
    'duckdb',
    'kubernetes',
    'env',
    'scopes',
    'access',
  ]) {
    if (document[section] === null) delete document[section]
  }
  const secretsSection = document.secrets
  if (Array.isArray(secretsSection)) {
    // Some manifests list DuckDB secrets at the top level; in floe they live under duckdb:.
    throw new ConfigError(
      'secrets: expected a map of secret name → definition, got a list; DuckDB secret lists (type/name/key_id…) belong under duckdb.secrets:',
      { location: source.locate(['secrets']) },
    )
  }

  // top-level sections are open (platform manifests carry their own), so a `secrets._config`
  // setting written at the top level would be silently ignored: say where it goes
  throwAll(
    SECRETS_CONFIG_KEYS.filter((key) => key in document).map(
      (key) =>
        new ConfigError(
          `${key}: a setting of secrets._config; at the top level it is not read (move it under secrets: _config:)`,
          { location: source.locate([key]) },
        ),
    ),
  )
  // zod and the schema load only for a manifest the hand-written check cannot vouch for
  if (!vouchesForManifest(document)) {
    const { manifestSchema } = await import('./schema.js')
    const parsed = manifestSchema.safeParse(document)
    if (!parsed.success) throwAll(issuesToErrors(parsed.error.issues, source, document))
  }
  const input = document as ManifestInput

  const errors: FloeError[] = []
  const normalized = normalizeSecrets(input.secrets, source)
  errors.push(...normalized.errors)
  const warnings = [...source.warnings]
  const notInstalled: NotInstalledProvider[] = []
  const omitted: OmittedField[] = []
  errors.push(
    ...(await checkProviders(normalized.secrets, source, options, warnings, notInstalled, {
      unset: deferred,
      omitted,
      document,
    })),
  )

  const scan = scanReferences(document, source)
  errors.push(...scan.errors)
  const envNaming = parseEnvNaming(input.env_naming)
  const bindings = deriveEnvBindings(
    input.env,
    normalized.secrets,
    scan.references,
    source,
    envNaming,
  )
  errors.push(...bindings.errors)
  throwAll(errors)

  const manifest: LoadedManifest = {
    path: absolutePath,
    dir: absolutePath === '<inline>' ? process.cwd() : dirname(absolutePath),
    version: 1,
    secrets: normalized.secrets,
    config: normalized.config,
    env: bindings.env,
    envNaming,
    references: scan.references,
    document,
    warnings,
    locate: (path) => source.locate([...path]),
  }
  if (notInstalled.length) manifest.notInstalled = notInstalled
  if (omitted.length) manifest.omitted = omitted
  if (input.environment !== undefined) manifest.environment = input.environment
  for (const section of [
    'plugins',
    'ingestion',
    'duckdb',
    'dbt',
    'kubernetes',
    'scopes',
    'access',
  ] as const) {
    if (document[section] !== undefined)
      (manifest as unknown as Record<string, unknown>)[section] = document[section]
  }
  internals.set(manifest, { source })
  return manifest
}

/**
 * Provider fields: with a catalog, each provider's own zod schema; without one, only the
 * first-party "where does it live" field, so fragments fail early with a specific message.
 */
async function checkProviders(
  secrets: Record<string, SecretDefinition>,
  source: SourceDocument,
  options: LoadOptions,
  warnings: string[],
  notInstalled: NotInstalledProvider[],
  unsetFields: {
    unset: UnsetVariable[]
    omitted: OmittedField[]
    document: Record<string, unknown>
  },
): Promise<FloeError[]> {
  const errors: FloeError[] = []
  const pending = new Set(unsetFields.unset)
  /** the unset variables under `base` not yet decided (each is decided once) */
  const take = (base: DocPath): UnsetVariable[] => {
    const mine = [...pending].filter(
      (u) =>
        u.path.length > base.length &&
        base.every((segment, i) => u.path[i] === segment) &&
        // a secret's own fields do not include its fallback's
        !(base.length === 2 && u.path[2] === 'fallback'),
    )
    for (const u of mine) pending.delete(u)
    return mine
  }
  const { catalog } = options
  const modules = new Map<string, Promise<ProviderModule | undefined>>()
  const load = (name: string) => {
    let module = modules.get(name)
    if (!module) {
      module = catalog!.load(name)
      modules.set(name, module)
    }
    return module
  }

  const check = async (
    secret: string,
    provider: string,
    fields: Record<string, unknown>,
    base: DocPath,
  ): Promise<void> => {
    const unset = take(base)
    /** fields whose unset variable stays an error (their schema issues would repeat it) */
    let unsetErrors: DocPath[] = []
    const module = catalog?.has(provider) ? await load(provider) : undefined
    if (module && unset.length) {
      const decided = omitOptionalUnset(
        unset,
        secret,
        base,
        fields,
        await configSchemaOf(module),
        unsetFields.document,
      )
      errors.push(...decided.errors.map((u) => u.error))
      unsetErrors = decided.errors.map((u) => u.path.slice(base.length))
      for (const o of decided.omitted) {
        unsetFields.omitted.push(o)
        const at = o.location ? `${o.location.file}:${o.location.line}:${o.location.column}: ` : ''
        warnings.push(`${at}secret ${secret}: ${o.message}`)
      }
    } else errors.push(...unset.map((u) => u.error))
    if (!catalog) {
      const rule = firstPartyProviders[provider]?.locator
      if (rule && !rule.anyOf.some((field) => fields[field] !== undefined)) {
        errors.push(
          new ConfigError(
            `${formatPath(base)}: a ${provider} secret needs ${rule.anyOf.map((f) => `"${f}"`).join(' or ')} to say where it lives (e.g. ${rule.example})`,
            { location: source.locate(base, { nearest: true }), secret },
          ),
        )
      }
      return
    }
    if (!module) {
      const pkg = catalog.packageFor(provider) || providerPackageFor(provider)
      const install = catalog.installHint?.('provider', provider) ?? `npm install ${pkg}`
      const message = `provider "${provider}" is not installed (package ${pkg}): run \`${install}\``
      if (options.strictProviders === false) {
        const location = source.locate([...base, 'provider'], { nearest: true })
        notInstalled.push({
          secret,
          provider,
          package: pkg,
          hint: install,
          ...(location ? { location } : {}),
        })
        warnings.push(
          `${location ? `${location.file}:${location.line}:${location.column}: ` : ''}${formatPath(base)}: ${message}`,
        )
      } else {
        errors.push(
          new ConfigError(`${formatPath(base)}: ${message}`, {
            location: source.locate([...base, 'provider'], { nearest: true }),
            secret,
            hint: install,
          }),
        )
      }
      return
    }
    if (!unset.length && module.vouchesForConfig?.(fields) === true) return
    const result = (await configSchemaOf(module)).safeParse(fields)
    const issues = result.success ? [] : withoutUnsetIssues(result.error.issues, unsetErrors)
    if (issues.length) errors.push(...issuesToErrors(issues, source, fields, base))
  }

  for (const secret of Object.values(secrets)) {
    await check(secret.name, secret.provider, secret.fields, ['secrets', secret.name])
    if (secret.fallback) {
      await check(secret.name, secret.fallback.provider, secret.fallback.fields, [
        'secrets',
        secret.name,
        'fallback',
      ])
    }
  }
  // a secret skipped above (its definition failed) still reports its unset variables
  errors.push(...[...pending].map((u) => u.error))
  return errors
}
