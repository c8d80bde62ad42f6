import { resolveAwsCredentials, type AwsCredentials } from './auth.js'
import type { AwsConnection } from './connection.js'
import { requestHandlerFor } from './request-handler.js'

/** The parts of an SDK client config floe reads or sets (both service clients have them). */
export interface AwsClientConfigLike {
  region?: unknown
  endpoint?: unknown
  credentials?: unknown
  requestHandler?: unknown
  maxAttempts?: unknown
}

export interface AwsClientsOptions<Client, Config extends AwsClientConfigLike> {
  /** a ready SDK client, used for every definition (tests bind one to an emulator) */
  client?: Client
  /** merged into every client floe constructs */
  clientConfig?: Config
}

/**
 * One SDK client per (region, endpoint, auth), each wrapped in the provider's typed API. The
 * provider says how to build its service client (`newClient`, from its lazily loaded SDK);
 * this owns everything else: credentials from `auth:`, the request handler with timeouts, and
 * `maxAttempts: 1` (floe's resolver owns retries).
 */
export class AwsClients<
  Client extends { destroy(): void },
  Config extends AwsClientConfigLike,
  Api,
> {
  private readonly apis = new Map<string, { client: Client; api: Api }>()

  constructor(
    private readonly options: AwsClientsOptions<Client, Config>,
    private readonly build: { newClient: (config: Config) => Client; api: (client: Client) => Api },
  ) {}

  /** the key batches are grouped by: requests sharing it can go in one call */
  keyOf(connection: AwsConnection): string {
    return this.options.client
      ? 'injected'
      : JSON.stringify([connection.region, connection.endpoint, connection.auth])
  }

  for(connection: AwsConnection, env: NodeJS.ProcessEnv): Api {
    const key = this.keyOf(connection)
    const known = this.apis.get(key)
    if (known) return known.api
    const client = this.options.client ?? this.newClient(connection, env)
    const api = this.build.api(client)
    this.apis.set(key, { client, api })
    return api
  }

  private newClient(connection: AwsConnection, env: NodeJS.ProcessEnv): Client {
    const clientConfig = this.options.clientConfig
    const region = connection.region ?? clientConfig?.region
    const credentials = resolveAwsCredentials(connection.auth, {
      ...(typeof region === 'string' ? { region } : {}),
      env,
      // clientConfig credentials (if any) are the identity that assumes the role
      ...(clientConfig?.credentials
        ? { sourceCredentials: clientConfig.credentials as AwsCredentials }
        : {}),
    })
    return this.build.newClient({
      ...clientConfig,
      requestHandler: requestHandlerFor(clientConfig?.requestHandler),
      ...(connection.region ? { region: connection.region } : {}),
      ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      maxAttempts: 1,
    } as Config)
  }

  destroy(): void {
    // an injected client belongs to the caller
    if (!this.options.client) for (const { client } of this.apis.values()) client.destroy()
    this.apis.clear()
  }
}
