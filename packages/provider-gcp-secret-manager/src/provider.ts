import {
  FloeError,
  InvalidSecretError,
  SecretNotFoundError,
  configParser,
  fetchedFromText,
  type FetchedSecret,
  type FetchRequest,
  type ListOptions,
  type ProviderCheck,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type SecretListing,
  type SecretMetadata,
  type SecretProvider,
} from '@floe/core'
import { connectionPlan } from './auth.js'
import { GcpSecretManagerClient, createSdkClient, type SdkClient } from './client.js'
import { classifyGcpError } from './errors.js'
import { putGcpSecret } from './put.js'
import {
  PROVIDER_NAME,
  configSchema,
  parentResourceName,
  secretResourceName,
  type GcpSecretConfig,
} from './validate.js'

export interface GcpProviderOptions {
  /** an SDK client to use for every call (tests bind one to the emulator) */
  client?: SdkClient
  /** gRPC metadata sent with every call on the injected client (e.g. an emulator bearer) */
  headers?: Record<string, string>
  /** endpoint override for every definition, e.g. http://127.0.0.1:PORT (floe-sandbox) */
  endpoint?: string
  /** deadline of each call in ms (default: the SDK's, 60 s for AddSecretVersion) */
  timeoutMs?: number
}

const STORE = 'gcp-secret-manager'

// Azure and GCP have always reported a bad definition as INVALID (see ConfigParserOptions)
const parseConfig = configParser(configSchema, PROVIDER_NAME, { code: 'INVALID' })

function requestedVersion(req: FetchRequest, config: GcpSecretConfig): string {
  const version = String(req.version ?? config.version ?? 'latest')
  if (version !== 'latest' && !/^[1-9]\d*$/.test(version)) {
    throw new InvalidSecretError(
      `version "${version}" of "${req.secret}" is not valid: use "latest" or a version number`,
      { provider: PROVIDER_NAME, secret: req.secret },
    )
  }
  return version
}

export function createGcpSecretManagerProvider(options: GcpProviderOptions = {}): SecretProvider {
  const injected = options.client
    ? new GcpSecretManagerClient(options.client, options.headers, options.timeoutMs)
    : undefined
  const clients = new Map<string, Promise<GcpSecretManagerClient>>()

  function clientFor(
    config: GcpSecretConfig,
    ctx: ProviderContext,
  ): Promise<GcpSecretManagerClient> {
    if (injected) return Promise.resolve(injected)
    const plan = connectionPlan(config, ctx.env, ctx.cwd, options.endpoint)
    let client = clients.get(plan.key)
    if (!client) {
      client = createSdkClient(plan.options, plan.insecure).then(
        (sdk) => new GcpSecretManagerClient(sdk, plan.headers, options.timeoutMs),
      )
      clients.set(plan.key, client)
    }
    return client
  }

  async function fetchOne(req: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    try {
      const config = parseConfig(req)
      const version = requestedVersion(req, config)
      const client = await clientFor(config, ctx)
      const name = `${secretResourceName(config)}/versions/${version}`
      let accessed
      try {
        accessed = await client.access(name)
      } catch (error) {
        throw classifyGcpError(error, `secret "${req.secret}" (${name})`, req.secret)
      }
      if (!accessed.checksumMatches) {
        throw new InvalidSecretError(
          `secret "${req.secret}" version ${accessed.number}: payload CRC32C does not match data_crc32c (corrupted in transit or at rest)`,
          { provider: PROVIDER_NAME, secret: req.secret },
        )
      }
      const fetched = fetchedFromText(accessed.data.toString('utf8'), req.secret, {
        version: String(accessed.number),
      })
      if (config.keys?.length && !fetched.keys) {
        throw new InvalidSecretError(
          `secret "${req.secret}" declares keys (${config.keys.join(', ')}) but its payload is not a JSON object`,
          { provider: PROVIDER_NAME, secret: req.secret },
        )
      }
      return fetched
    } catch (error) {
      throw classifyGcpError(error, `secret "${req.secret}"`, req.secret)
    }
  }

  const provider: SecretProvider = {
    name: PROVIDER_NAME,
    capabilities: { versions: true },
    fetchOne,

    /** getSecret + listSecretVersions: metadata and version states, never AccessSecretVersion */
    async describe(req, ctx): Promise<SecretMetadata> {
      const config = parseConfig(req)
      const version = requestedVersion(req, config)
      const client = await clientFor(config, ctx)
      const name = secretResourceName(config)
      try {
        const secret = await client.getSecret(name)
        const versions = await client.listVersions(name)
        const chosen =
          version === 'latest' ? versions[0] : versions.find((v) => v.number === Number(version))
        if (!chosen) {
          throw new SecretNotFoundError(
            version === 'latest'
              ? `secret "${req.secret}" (${name}) has no versions`
              : `secret "${req.secret}" has no version ${version}`,
            { provider: PROVIDER_NAME, secret: req.secret },
          )
        }
        const enabled = versions.filter((v) => v.state === 'ENABLED').length
        return {
          exists: true,
          version: String(chosen.number),
          state: chosen.state,
          ...(secret.createTime ? { createdAt: secret.createTime } : {}),
          ...(chosen.createTime ? { updatedAt: chosen.createTime } : {}),
          type: 'secret',
          status: {
            store: STORE,
            resource: name,
            versions: `${enabled} enabled of ${versions.length}`,
            ...Object.fromEntries(Object.entries(secret.labels).map(([k, v]) => [`label.${k}`, v])),
          },
        }
      } catch (error) {
        throw classifyGcpError(error, `secret "${req.secret}" (${name})`, req.secret)
      }
    },

    async *list(listOptions: ListOptions, ctx): AsyncIterable<SecretListing> {
      const fields = { ...(listOptions.config ?? {}) }
      const project =
        (fields.project as string | undefined) ??
        listOptions.namespace ??
        ctx.env.GOOGLE_CLOUD_PROJECT
      if (!project) {
        throw new InvalidSecretError(
          "list needs a project (a definition's `project`, or GOOGLE_CLOUD_PROJECT)",
          {
            provider: PROVIDER_NAME,
          },
        )
      }
      const config = {
        project,
        location: fields.location as string | undefined,
        endpoint: fields.endpoint as string | undefined,
        auth: fields.auth as GcpSecretConfig['auth'],
      }
      const client = await clientFor(config as GcpSecretConfig, ctx)
      const parent = parentResourceName(config)
      try {
        // `name:` is a substring match server-side; the prefix is enforced here
        for await (const secret of client.listSecrets(
          parent,
          listOptions.prefix ? `name:${listOptions.prefix}` : undefined,
        )) {
          const id = secret.name.slice(secret.name.lastIndexOf('/') + 1)
          if (listOptions.prefix && !id.startsWith(listOptions.prefix)) continue
          yield {
            name: id,
            type: 'secret',
            ...(secret.createTime ? { createdAt: secret.createTime } : {}),
          }
        }
      } catch (error) {
        throw classifyGcpError(error, `listing secrets of ${parent}`)
      }
    },

    async put(request: PutRequest, ctx): Promise<PutResult> {
      const config = parseConfig(request)
      return putGcpSecret(await clientFor(config, ctx), config, request)
    },

    async check(ctx, config): Promise<ProviderCheck> {
      if (!config?.project) return { status: 'unknown', detail: 'no project configured' }
      try {
        const parsed = config as GcpSecretConfig
        const client = await clientFor(parsed, ctx)
        const iterator = client.listSecrets(parentResourceName(parsed))
        await iterator.next()
        await iterator.return(undefined)
        return { status: 'ready', detail: `listed secrets of ${parentResourceName(parsed)}` }
      } catch (error) {
        const classified = error instanceof FloeError ? error : classifyGcpError(error, 'check')
        return { status: 'error', detail: classified.message }
      }
    },

    async dispose() {
      const all = await Promise.allSettled([...clients.values()])
      clients.clear()
      await Promise.allSettled(
        all.flatMap((c) => (c.status === 'fulfilled' ? [c.value.close()] : [])),
      )
      // an injected client belongs to the caller, who closes it
    },
  }
  return provider
}
