import {
  fetchedFromMap,
  fetchedFromText,
  InvalidSecretError,
  SecretNotFoundError,
  type FetchedSecret,
  type FetchRequest,
  type ListOptions,
  type ProviderCheck,
  type ProviderContext,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'
import { EnvFileReader, type EnvFile } from './env-files.js'
import { PROVIDER_NAME, envFilesOf, parseEnvConfig, type EnvConfig } from './validate.js'

export interface EnvProviderOptions {
  /**
   * The environment to read instead of `ctx.env` (tests, embedding). Defaults to the
   * context's environment, which is `process.env` in the CLI.
   */
  env?: NodeJS.ProcessEnv
}

/** What one definition sees: the environment merged with its env files. */
interface Lookup {
  get(variable: string): string | undefined
  files: EnvFile[]
}

export function createEnvProvider(options: EnvProviderOptions = {}): SecretProvider {
  const files = new EnvFileReader()

  const environmentOf = (ctx: ProviderContext): NodeJS.ProcessEnv =>
    options.env ?? ctx.env ?? process.env

  async function lookupFor(
    config: EnvConfig,
    secret: string,
    ctx: ProviderContext,
  ): Promise<Lookup> {
    const env = environmentOf(ctx)
    const loaded: EnvFile[] = []
    for (const file of envFilesOf(config)) loaded.push(await files.read(file, ctx.cwd, secret))
    // later files override earlier ones, like `dotenv -e a -e b` / docker compose env_file lists;
    // looked up last file first rather than merged: 50 secrets of one .env would copy it 50 times
    const newestFirst = loaded.map((f) => f.values).reverse()
    const override = config.override === true
    return {
      files: loaded,
      get(variable) {
        const inEnv = Object.hasOwn(env, variable) ? env[variable] : undefined
        const inFiles = newestFirst.find((values) => Object.hasOwn(values, variable))?.[variable]
        return override ? (inFiles ?? inEnv) : (inEnv ?? inFiles)
      },
    }
  }

  async function parseConfig(req: FetchRequest): Promise<EnvConfig> {
    const parsed = await parseEnvConfig(req.config)
    if (!parsed.success) {
      throw new InvalidSecretError(
        `invalid env definition for "${req.secret}": ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        { provider: PROVIDER_NAME, secret: req.secret },
      )
    }
    return parsed.data
  }

  function notSet(req: FetchRequest, variables: string[], lookup: Lookup): SecretNotFoundError {
    const absentFiles = lookup.files.filter((f) => !f.exists).map((f) => f.path)
    const names = variables.join(', ')
    return new SecretNotFoundError(
      `environment variable${variables.length > 1 ? 's' : ''} ${names} ${variables.length > 1 ? 'are' : 'is'} not set` +
        (lookup.files.length
          ? ` (searched the environment and ${lookup.files.map((f) => f.path).join(', ')})`
          : ''),
      {
        provider: PROVIDER_NAME,
        secret: req.secret,
        hint:
          absentFiles.length > 0
            ? `env file ${absentFiles.join(', ')} does not exist; create it or export ${names}`
            : `export ${names} or add it to an env_file`,
      },
    )
  }

  async function fetchOne(req: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    if (req.version !== undefined) {
      throw new InvalidSecretError(
        `environment variables have no versions (asked for "${req.version}")`,
        {
          provider: PROVIDER_NAME,
          secret: req.secret,
        },
      )
    }
    const config = await parseConfig(req)
    const lookup = await lookupFor(config, req.secret, ctx)
    if (config.variable !== undefined) {
      const value = lookup.get(config.variable)
      if (value === undefined) throw notSet(req, [config.variable], lookup)
      return fetchedFromText(value, req.secret)
    }
    const data: Record<string, string> = {}
    for (const [key, variable] of Object.entries(config.variables!)) {
      const value = lookup.get(variable)
      if (value !== undefined) data[key] = value
    }
    // partial maps are returned: a missing key then fails precisely at key selection
    if (Object.keys(data).length === 0) throw notSet(req, Object.values(config.variables!), lookup)
    return fetchedFromMap(data, req.secret)
  }

  return {
    name: PROVIDER_NAME,
    fetchOne,

    async describe(req, ctx): Promise<SecretMetadata> {
      const config = await parseConfig(req)
      const lookup = await lookupFor(config, req.secret, ctx)
      if (config.variable !== undefined) {
        if (lookup.get(config.variable) === undefined) throw notSet(req, [config.variable], lookup)
        return { exists: true, type: 'env' }
      }
      const keys = Object.entries(config.variables!)
        .filter(([, variable]) => lookup.get(variable) !== undefined)
        .map(([key]) => key)
      if (keys.length === 0) throw notSet(req, Object.values(config.variables!), lookup)
      return { exists: true, keys, type: 'env' }
    },

    async *list(opts: ListOptions, ctx): AsyncIterable<SecretListing> {
      const names = new Set(Object.keys(environmentOf(ctx)))
      const fileConfig = opts.config
        ? await parseEnvConfig({ variable: '_', ...opts.config })
        : undefined
      if (fileConfig?.success) {
        for (const file of envFilesOf(fileConfig.data)) {
          for (const name of Object.keys((await files.read(file, ctx.cwd, 'list')).values))
            names.add(name)
        }
      }
      for (const name of [...names].sort()) {
        if (opts.prefix === undefined || name.startsWith(opts.prefix)) yield { name, type: 'env' }
      }
    },

    async check(ctx, config): Promise<ProviderCheck> {
      const parsed = config ? await parseEnvConfig(config) : undefined
      const paths = parsed?.success ? envFilesOf(parsed.data) : []
      const missing: string[] = []
      for (const file of paths) {
        const read = await files.read(file, ctx.cwd, 'check')
        if (!read.exists) missing.push(read.path)
      }
      if (missing.length > 0)
        return { status: 'unknown', detail: `env file not found: ${missing.join(', ')}` }
      return {
        status: 'ready',
        detail: paths.length ? `environment and ${paths.join(', ')}` : 'process environment',
      }
    },
  }
}
