import {
  ConflictError,
  type FloeError,
  InvalidSecretError,
  SecretNotFoundError,
  SecretValue,
  type FetchedSecret,
  type FetchOutcome,
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
import type { KubeConfig, V1Secret } from '@kubernetes/client-node'
import { KubeClient } from './client.js'
import { readExternalSecretStatus, statusMetadata } from './status.js'
import {
  PROVIDER_NAME,
  connectionOf,
  DNS1123_SUBDOMAIN,
  type ConnectionConfig,
} from './validate.js'
import { apiStatusOf, toFloeError } from './errors.js'

export interface KubernetesProviderOptions {
  /** a ready KubeConfig (tests bind one to the emulator); otherwise loaded per definition */
  kubeConfig?: KubeConfig
}

/** The Secret a request addresses, after defaults. */
export interface SecretTarget {
  namespace: string
  name: string
  key?: string
  keys?: string[]
}

const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  )

const encode = (value: string): string => Buffer.from(value, 'utf8').toString('base64')

export function createKubernetesProvider(options: KubernetesProviderOptions = {}): SecretProvider {
  const clients = new Map<string, Promise<KubeClient>>()

  function clientFor(config: Record<string, unknown>, ctx: ProviderContext): Promise<KubeClient> {
    const connection: ConnectionConfig = connectionOf(config)
    const id = JSON.stringify(connection)
    let client = clients.get(id)
    if (!client) {
      client = KubeClient.connect(connection, ctx.env, options.kubeConfig)
      clients.set(id, client)
      client.catch(() => clients.delete(id))
    }
    return client
  }

  function targetOf(
    request: { secret: string; config: Record<string, unknown> },
    client: KubeClient,
  ): SecretTarget {
    const { config } = request
    const name = typeof config.secret_name === 'string' ? config.secret_name : request.secret
    if (!DNS1123_SUBDOMAIN.test(name))
      throw new InvalidSecretError(`"${name}" is not a valid Secret name; set secret_name`, {
        provider: PROVIDER_NAME,
        secret: request.secret,
      })
    return {
      namespace: typeof config.namespace === 'string' ? config.namespace : client.defaultNamespace,
      name,
      ...(typeof config.key === 'string' ? { key: config.key } : {}),
      ...(Array.isArray(config.keys) ? { keys: config.keys as string[] } : {}),
    }
  }

  function fetched(request: FetchRequest, target: SecretTarget, secret: V1Secret): FetchedSecret {
    const where = `Secret ${target.namespace}/${target.name}`
    const version = secret.metadata?.resourceVersion
    if (request.version !== undefined && request.version !== version)
      throw new SecretNotFoundError(
        `${where} has no version "${request.version}" (Kubernetes keeps only the current resourceVersion)`,
        {
          provider: PROVIDER_NAME,
          secret: request.secret,
        },
      )
    const data = decode(secret.data)
    const names = Object.keys(data)
    const missing = [...(target.keys ?? []), ...(target.key ? [target.key] : [])].filter(
      (k) => !(k in data),
    )
    if (missing.length)
      throw new SecretNotFoundError(
        `${where} has no key ${missing.map((k) => `"${k}"`).join(', ')} (keys: ${names.join(', ') || 'none'})`,
        {
          provider: PROVIDER_NAME,
          secret: request.secret,
        },
      )
    const keys = Object.fromEntries(
      names.map((k) => [k, new SecretValue(data[k] as string, `${request.secret}/${k}`)]),
    )
    // `key:` makes that key the secret's value; a one-key Secret is its value; else JSON of all keys
    const text =
      target.key !== undefined
        ? (data[target.key] as string)
        : names.length === 1
          ? (data[names[0] as string] as string)
          : JSON.stringify(data)
    return { value: new SecretValue(text, request.secret), keys, ...(version ? { version } : {}) }
  }

  /** One definition's read; `reads` lets definitions of the same Secret share one GET. */
  async function readOne(
    request: FetchRequest,
    ctx: ProviderContext,
    reads: Map<string, Promise<V1Secret>>,
  ): Promise<FetchedSecret> {
    let target: SecretTarget | undefined
    try {
      const client = await clientFor(request.config, ctx)
      target = targetOf(request, client)
      const id = `${client.server}|${target.namespace}/${target.name}`
      let read = reads.get(id)
      if (!read) {
        read = client.readSecret(target.namespace, target.name)
        reads.set(id, read)
      }
      return fetched(request, target, await read)
    } catch (error) {
      const where = target
        ? `Secret ${target.namespace}/${target.name}`
        : `secret "${request.secret}"`
      throw toFloeError(error, `read ${where}`, { secret: request.secret })
    }
  }

  const provider: SecretProvider = {
    name: PROVIDER_NAME,

    fetchOne: (request, ctx) => readOne(request, ctx, new Map()),

    // one GET per distinct Secret, however many definitions of the batch read it
    async fetchMany(requests, ctx) {
      const reads = new Map<string, Promise<V1Secret>>()
      return Promise.all(
        requests.map((request) =>
          readOne(request, ctx, reads).then(
            (secret): FetchOutcome => ({ ok: true, secret }),
            (error: FloeError): FetchOutcome => ({ ok: false, error }),
          ),
        ),
      )
    },

    async describe(request, ctx): Promise<SecretMetadata> {
      const client = await clientFor(request.config, ctx).catch((e: unknown) => {
        throw toFloeError(e, 'connect', { secret: request.secret })
      })
      const target = targetOf(request, client)
      let secret: V1Secret | undefined
      try {
        secret = await client.readSecret(target.namespace, target.name)
      } catch (error) {
        const status = apiStatusOf(error)
        // a missing target Secret of a failing ExternalSecret is still worth a status
        if (
          status?.code !== 404 ||
          request.config.external_secret === undefined ||
          request.config.external_secret === false
        )
          throw toFloeError(error, `describe Secret ${target.namespace}/${target.name}`, {
            secret: request.secret,
          })
      }
      const keys = Object.keys(secret?.data ?? {}).sort()
      const metadata: SecretMetadata = {
        exists: secret !== undefined,
        keys,
        ...(secret?.metadata?.resourceVersion ? { version: secret.metadata.resourceVersion } : {}),
        ...(secret?.metadata?.creationTimestamp
          ? { createdAt: new Date(secret.metadata.creationTimestamp) }
          : {}),
        ...(secret?.type ? { type: secret.type } : {}),
      }
      const eso = request.config.external_secret
      if (eso !== false) {
        const esName = typeof eso === 'string' ? eso : target.name
        const expected = [...(target.keys ?? []), ...(target.key ? [target.key] : [])]
        const status = await readExternalSecretStatus(client, target.namespace, esName, {
          targetKeys: secret ? keys : undefined,
          expectedKeys: expected,
        })
        if (status) metadata.status = statusMetadata(status)
        else if (eso !== undefined)
          metadata.status = {
            sync: 'NotFound',
            message: `ExternalSecret ${target.namespace}/${esName} not found`,
          }
      }
      if (!secret)
        throw new SecretNotFoundError(`Secret ${target.namespace}/${target.name} not found`, {
          provider: PROVIDER_NAME,
          secret: request.secret,
          details: { metadata },
        })
      return metadata
    },

    async *list(listOptions: ListOptions, ctx): AsyncIterable<SecretListing> {
      const config = listOptions.config ?? {}
      const client = await clientFor(config, ctx).catch((e: unknown) => {
        throw toFloeError(e, 'connect')
      })
      const namespace =
        listOptions.namespace ??
        (typeof config.namespace === 'string' ? config.namespace : client.defaultNamespace)
      let items: V1Secret[]
      try {
        items = await client.listSecrets(namespace)
      } catch (error) {
        throw toFloeError(error, `list Secrets in namespace ${namespace}`)
      }
      for (const item of items) {
        const name = item.metadata?.name ?? ''
        if (listOptions.prefix && !name.startsWith(listOptions.prefix)) continue
        yield {
          name,
          ...(item.type ? { type: item.type } : {}),
          keys: Object.keys(item.data ?? {}).length,
          ...(item.metadata?.creationTimestamp
            ? { createdAt: new Date(item.metadata.creationTimestamp) }
            : {}),
        }
      }
    },

    async put(request: PutRequest, ctx): Promise<PutResult> {
      const client = await clientFor(request.config, ctx).catch((e: unknown) => {
        throw toFloeError(e, 'connect', { secret: request.secret })
      })
      const target = targetOf(request, client)
      const where = `Secret ${target.namespace}/${target.name}`
      let existing: V1Secret | undefined
      try {
        existing = await client.readSecret(target.namespace, target.name)
      } catch (error) {
        if (apiStatusOf(error)?.code !== 404)
          throw toFloeError(error, `read ${where}`, { secret: request.secret })
      }
      if (existing && request.createOnly)
        throw new ConflictError(`${where} already exists`, {
          provider: PROVIDER_NAME,
          secret: request.secret,
        })
      const previousVersion = existing?.metadata?.resourceVersion
      if (request.expectedVersion !== undefined && request.expectedVersion !== previousVersion)
        throw new ConflictError(
          `${where} changed: expected resourceVersion ${request.expectedVersion}, found ${previousVersion ?? 'none'}`,
          {
            provider: PROVIDER_NAME,
            secret: request.secret,
          },
        )
      const data: Record<string, string> = {}
      if (request.data instanceof SecretValue) {
        const current = Object.keys(existing?.data ?? {})
        if (!target.key && current.length > 1)
          throw new InvalidSecretError(
            `${where} has ${current.length} keys; name the one to write with "key"`,
            {
              provider: PROVIDER_NAME,
              secret: request.secret,
            },
          )
        const key = target.key ?? current[0] ?? 'value'
        Object.assign(data, existing?.data ?? {}, { [key]: encode(request.data.reveal()) })
      } else {
        for (const [key, value] of Object.entries(request.data)) data[key] = encode(value.reveal())
      }
      try {
        if (!existing) {
          const created = await client.createSecret(target.namespace, {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: target.name,
              namespace: target.namespace,
              labels: { 'app.kubernetes.io/managed-by': 'floe' },
            },
            type: 'Opaque',
            data,
          })
          return { version: created.metadata?.resourceVersion, created: true }
        }
        // replace carries the resourceVersion we read: a concurrent writer makes this a 409, never a lost update
        const replaced = await client.replaceSecret(target.namespace, target.name, {
          ...existing,
          data,
        })
        return {
          version: replaced.metadata?.resourceVersion,
          ...(previousVersion ? { previousVersion } : {}),
          created: false,
        }
      } catch (error) {
        throw toFloeError(error, `write ${where}`, { secret: request.secret })
      }
    },

    async check(ctx, config = {}): Promise<ProviderCheck> {
      try {
        const client = await clientFor(config, ctx)
        const version = await client.version()
        if (typeof config.namespace === 'string') await client.listSecrets(config.namespace)
        return {
          status: 'ready',
          detail: `${client.server} (${version}, ${client.loaded.source} config)`,
        }
      } catch (error) {
        return { status: 'error', detail: toFloeError(error, 'check').message }
      }
    },

    async dispose() {
      clients.clear()
    },
  }
  return provider
}
