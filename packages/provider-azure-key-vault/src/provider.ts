import {
  ForbiddenError,
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
import type { TokenCredential } from '@azure/identity'
import { createCredential, isKnownVaultHost } from './auth.js'
import {
  KeyVaultClient,
  createSdkClient,
  type SdkClient,
  type VersionProperties,
} from './client.js'
import { classifyAzureError } from './errors.js'
import { putAzureSecret } from './put.js'
import { DEFAULT_REQUEST_TIMEOUT_MS, withTokenTimeout } from './timeout.js'
import { PROVIDER_NAME, VERSION_ID, configSchema, type AzureSecretConfig } from './validate.js'

export interface AzureProviderOptions {
  /** a SecretClient to use for every call (tests bind one to the emulator) */
  client?: SdkClient
  /** credential for clients the provider builds itself (overrides `auth`) */
  credential?: TokenCredential
  /** extra CA for the vault and the authority (the testkit certificate); or NODE_EXTRA_CA_CERTS */
  tlsOptions?: { ca?: string | Buffer }
  /** authority host override for every definition (e.g. the floe-sandbox emulator URL) */
  authorityHost?: string
  /** vault URL override for every definition (an emulator standing in for the real vault) */
  vaultUrl?: string
  /**
   * timeout of each request in ms, and of each token acquisition of clients the provider builds
   * (default: DEFAULT_REQUEST_TIMEOUT_MS, 30 s; 0 = none, the SDK waits)
   */
  timeoutMs?: number
}

const STORE = 'azure-key-vault'

/**
 * Redirects every definition to one vault (floe-sandbox, a test vault) and authenticates with
 * the service principal in AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, whatever
 * `auth` says — a managed identity cannot exist outside Azure.
 */
export const VAULT_URL_ENV = 'FLOE_AZURE_KEY_VAULT_URL'

// Azure and GCP have always reported a bad definition as INVALID (see ConfigParserOptions)
const parseConfig = configParser(configSchema, PROVIDER_NAME, { code: 'INVALID' })

function requestedVersion(req: FetchRequest, config: AzureSecretConfig): string | undefined {
  const version = req.version ?? config.version ?? 'latest'
  if (version === 'latest') return undefined
  if (!VERSION_ID.test(version)) {
    throw new InvalidSecretError(
      `version "${version}" of "${req.secret}" is not valid: use "latest" or a 32-character Key Vault version id`,
      { provider: PROVIDER_NAME, secret: req.secret },
    )
  }
  return version
}

/** disabled / expired / not yet valid, from the attributes alone */
export function stateOf(
  p: VersionProperties,
  now = Date.now(),
): 'enabled' | 'disabled' | 'expired' | 'not_yet_valid' {
  if (!p.enabled) return 'disabled'
  if (p.expiresOn && p.expiresOn.getTime() <= now) return 'expired'
  if (p.notBefore && p.notBefore.getTime() > now) return 'not_yet_valid'
  return 'enabled'
}

export function createAzureKeyVaultProvider(options: AzureProviderOptions = {}): SecretProvider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const injected = options.client ? new KeyVaultClient(options.client, timeoutMs) : undefined
  const clients = new Map<string, Promise<KeyVaultClient>>()

  function clientFor(
    config: Pick<AzureSecretConfig, 'vault_url' | 'auth' | 'authority_host'>,
    ctx: ProviderContext,
  ): Promise<KeyVaultClient> {
    if (injected) return Promise.resolve(injected)
    const authorityHost =
      options.authorityHost ?? config.authority_host ?? ctx.env.AZURE_AUTHORITY_HOST
    const redirected = options.vaultUrl ?? (ctx.env[VAULT_URL_ENV] || undefined)
    const vaultUrl = redirected ?? config.vault_url
    const auth: AzureSecretConfig['auth'] =
      !options.vaultUrl &&
      redirected &&
      ctx.env.AZURE_TENANT_ID &&
      ctx.env.AZURE_CLIENT_ID &&
      ctx.env.AZURE_CLIENT_SECRET
        ? {
            type: 'service_principal',
            tenant_id: ctx.env.AZURE_TENANT_ID,
            client_id: ctx.env.AZURE_CLIENT_ID,
            client_secret: ctx.env.AZURE_CLIENT_SECRET,
          }
        : config.auth
    const key = JSON.stringify([vaultUrl, auth ?? null, authorityHost ?? null])
    let client = clients.get(key)
    if (!client) {
      client = (async () => {
        const credential =
          options.credential ??
          (await createCredential(auth, {
            ...(authorityHost ? { authorityHost } : {}),
            ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
            timeoutMs,
          }))
        return new KeyVaultClient(
          await createSdkClient(vaultUrl, withTokenTimeout(credential, timeoutMs), {
            ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
            disableChallengeResourceVerification: !isKnownVaultHost(vaultUrl),
          }),
          timeoutMs,
        )
      })()
      clients.set(key, client)
      // a failed construction must not be cached forever
      client.catch(() => clients.delete(key))
    }
    return client
  }

  function refuseState(secret: string, what: string, p: VersionProperties): void {
    const state = stateOf(p)
    if (state === 'enabled') return
    const detail =
      state === 'expired'
        ? `expired on ${p.expiresOn?.toISOString()}`
        : state === 'not_yet_valid'
          ? `not valid before ${p.notBefore?.toISOString()}`
          : 'disabled'
    throw new ForbiddenError(`${what} is ${detail}`, {
      provider: PROVIDER_NAME,
      secret,
      details: { state },
      hint:
        state === 'expired'
          ? 'set a new value (floe secrets rotate) or extend the expiry date'
          : undefined,
    })
  }

  async function fetchOne(req: FetchRequest, ctx: ProviderContext): Promise<FetchedSecret> {
    let what = `secret "${req.secret}"`
    try {
      const config = parseConfig(req)
      const version = requestedVersion(req, config)
      what = `secret "${req.secret}" (${config.secret_name}${version ? `/${version}` : ''} in ${config.vault_url})`
      const client = await clientFor(config, ctx)
      const { value, properties } = await client.getSecret(config.secret_name, version)
      // Key Vault serves expired secrets; floe reports them as a state and drops the value
      refuseState(req.secret, what, properties)
      const fetched = fetchedFromText(value, req.secret, { version: properties.version })
      if (config.keys?.length && !fetched.keys) {
        throw new InvalidSecretError(
          `${what} declares keys (${config.keys.join(', ')}) but its value is not a JSON object`,
          {
            provider: PROVIDER_NAME,
            secret: req.secret,
          },
        )
      }
      return fetched
    } catch (error) {
      throw classifyAzureError(error, what, req.secret)
    }
  }

  const provider: SecretProvider = {
    name: PROVIDER_NAME,
    capabilities: { versions: true },
    fetchOne,

    /** listPropertiesOfSecretVersions: attributes of every version, never a value */
    async describe(req, ctx): Promise<SecretMetadata> {
      const config = parseConfig(req)
      const version = requestedVersion(req, config)
      const what = `secret "${req.secret}" (${config.secret_name} in ${config.vault_url})`
      try {
        const client = await clientFor(config, ctx)
        const versions = await client.versions(config.secret_name)
        const chosen = version ? versions.find((v) => v.version === version) : versions[0]
        if (!chosen) {
          throw new SecretNotFoundError(
            version ? `${what} has no version ${version}` : `${what} has no versions`,
            {
              provider: PROVIDER_NAME,
              secret: req.secret,
            },
          )
        }
        return {
          exists: true,
          version: chosen.version,
          state: stateOf(chosen),
          ...(chosen.createdOn ? { createdAt: chosen.createdOn } : {}),
          ...(chosen.updatedOn ? { updatedAt: chosen.updatedOn } : {}),
          ...(chosen.contentType ? { type: chosen.contentType } : {}),
          status: {
            store: STORE,
            vault: config.vault_url,
            versions: String(versions.length),
            ...(chosen.expiresOn ? { expiresOn: chosen.expiresOn.toISOString() } : {}),
            ...Object.fromEntries(
              Object.entries(chosen.tags ?? {}).map(([k, v]) => [`tag.${k}`, v]),
            ),
          },
        }
      } catch (error) {
        throw classifyAzureError(error, what, req.secret)
      }
    },

    async *list(listOptions: ListOptions, ctx): AsyncIterable<SecretListing> {
      const fields = listOptions.config ?? {}
      const vaultUrl = (fields.vault_url as string | undefined) ?? listOptions.namespace
      if (!vaultUrl && !injected) {
        throw new InvalidSecretError('list needs a vault_url', { provider: PROVIDER_NAME })
      }
      const client = await clientFor(
        {
          vault_url: vaultUrl ?? '',
          auth: fields.auth as AzureSecretConfig['auth'],
          authority_host: fields.authority_host as string | undefined,
        },
        ctx,
      )
      try {
        for await (const { name, properties } of client.list()) {
          if (listOptions.prefix && !name.startsWith(listOptions.prefix)) continue
          yield {
            name,
            ...(properties.contentType ? { type: properties.contentType } : {}),
            ...(properties.createdOn ? { createdAt: properties.createdOn } : {}),
            ...(properties.updatedOn ? { updatedAt: properties.updatedOn } : {}),
          }
        }
      } catch (error) {
        throw classifyAzureError(error, `listing secrets of ${vaultUrl ?? 'the vault'}`)
      }
    },

    async put(request: PutRequest, ctx): Promise<PutResult> {
      const config = parseConfig(request)
      const what = `secret "${request.secret}" (${config.secret_name} in ${config.vault_url})`
      let client: KeyVaultClient
      try {
        client = await clientFor(config, ctx)
      } catch (error) {
        throw classifyAzureError(error, what, request.secret)
      }
      return putAzureSecret(client, config, request)
    },

    async check(ctx, config): Promise<ProviderCheck> {
      if (!config?.vault_url && !injected)
        return { status: 'unknown', detail: 'no vault_url configured' }
      try {
        const client = await clientFor(config as AzureSecretConfig, ctx)
        const iterator = client.list()
        await iterator.next()
        await iterator.return(undefined)
        return {
          status: 'ready',
          detail: `listed secrets of ${typeof config?.vault_url === 'string' ? config.vault_url : client.sdk.vaultUrl}`,
        }
      } catch (error) {
        return { status: 'error', detail: classifyAzureError(error, 'check').message }
      }
    },

    async dispose() {
      // SecretClient holds no sockets beyond keep-alive agents; dropping the cache is enough
      clients.clear()
    },
  }
  return provider
}
