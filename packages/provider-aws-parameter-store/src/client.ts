import { createRequire } from 'node:module'
import type {
  Parameter,
  ParameterMetadata,
  ParameterStringFilter,
  SSMClient,
  SSMClientConfig,
} from '@aws-sdk/client-ssm'
import { quietNodeVersionWarning, requestHandlerFor } from '@floe/provider-aws-secrets-manager'
import { resolveAwsCredentials, type AwsAuth, type AwsCredentials } from './auth.js'

type Sdk = typeof import('@aws-sdk/client-ssm')

const require = createRequire(import.meta.url)
let sdk: Sdk | undefined

/** Loaded on first use (require() picks the SDK's Node build). */
export function loadSsmSdk(): Sdk {
  quietNodeVersionWarning()
  sdk ??= require('@aws-sdk/client-ssm') as Sdk
  return sdk
}

export interface ConnectionSettings {
  region?: string
  endpoint?: string
  auth?: AwsAuth
}

/** Typed Parameter Store calls; the SDK runs with maxAttempts 1 (floe's resolver retries). */
export class ParameterStoreApi {
  constructor(readonly client: SSMClient) {}

  /** GetParameters for ≤ 10 names or `name:selector`s */
  async getParameters(
    names: readonly string[],
    withDecryption: boolean,
  ): Promise<{ parameters: Parameter[]; invalid: string[] }> {
    const { GetParametersCommand } = loadSsmSdk()
    const out = await this.client.send(
      new GetParametersCommand({ Names: [...names], WithDecryption: withDecryption }),
    )
    return { parameters: out.Parameters ?? [], invalid: out.InvalidParameters ?? [] }
  }

  async *describe(filters: ParameterStringFilter[]): AsyncGenerator<ParameterMetadata> {
    const { DescribeParametersCommand } = loadSsmSdk()
    let token: string | undefined
    do {
      const out = await this.client.send(
        new DescribeParametersCommand({
          MaxResults: 50,
          ...(filters.length ? { ParameterFilters: filters } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      )
      yield* out.Parameters ?? []
      token = out.NextToken
    } while (token)
  }

  async metadata(name: string): Promise<ParameterMetadata | undefined> {
    for await (const meta of this.describe([{ Key: 'Name', Option: 'Equals', Values: [name] }])) {
      if (meta.Name === name) return meta
    }
    return undefined
  }

  /** version numbers and labels of a parameter (values are not decrypted and not kept) */
  async versions(name: string): Promise<{ version: number; labels: string[] }[]> {
    const { GetParameterHistoryCommand } = loadSsmSdk()
    const versions: { version: number; labels: string[] }[] = []
    let token: string | undefined
    do {
      const out = await this.client.send(
        new GetParameterHistoryCommand({
          Name: name,
          WithDecryption: false,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      )
      for (const entry of out.Parameters ?? []) {
        if (entry.Version !== undefined)
          versions.push({ version: entry.Version, labels: entry.Labels ?? [] })
      }
      token = out.NextToken
    } while (token)
    return versions
  }

  async put(input: {
    name: string
    value: string
    type: string
    overwrite: boolean
    keyId?: string
  }): Promise<number | undefined> {
    const { PutParameterCommand } = loadSsmSdk()
    const out = await this.client.send(
      new PutParameterCommand({
        Name: input.name,
        Value: input.value,
        Type: input.type as 'String' | 'StringList' | 'SecureString',
        Overwrite: input.overwrite,
        ...(input.keyId && input.type === 'SecureString' ? { KeyId: input.keyId } : {}),
      }),
    )
    return out.Version
  }
}

export interface ClientOptions {
  /** a ready SDK client, used for every parameter (tests bind one to an emulator) */
  client?: SSMClient
  /** merged into every client floe constructs */
  clientConfig?: SSMClientConfig
}

/** One SSM client per (region, endpoint, auth). */
export class ParameterStoreClients {
  private readonly clients = new Map<string, ParameterStoreApi>()

  constructor(private readonly options: ClientOptions = {}) {}

  keyOf(settings: ConnectionSettings): string {
    return this.options.client
      ? 'injected'
      : JSON.stringify([settings.region, settings.endpoint, settings.auth])
  }

  for(settings: ConnectionSettings, env: NodeJS.ProcessEnv): ParameterStoreApi {
    const key = this.keyOf(settings)
    let api = this.clients.get(key)
    if (api) return api
    if (this.options.client) {
      api = new ParameterStoreApi(this.options.client)
    } else {
      const { SSMClient } = loadSsmSdk()
      const region = settings.region ?? this.options.clientConfig?.region
      const credentials = resolveAwsCredentials(settings.auth, {
        ...(typeof region === 'string' ? { region } : {}),
        env,
        // clientConfig credentials (if any) are the identity that assumes the role
        ...(this.options.clientConfig?.credentials
          ? { sourceCredentials: this.options.clientConfig.credentials as AwsCredentials }
          : {}),
      })
      api = new ParameterStoreApi(
        new SSMClient({
          ...this.options.clientConfig,
          requestHandler: requestHandlerFor(this.options.clientConfig?.requestHandler),
          ...(settings.region ? { region: settings.region } : {}),
          ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
          ...(credentials ? { credentials } : {}),
          maxAttempts: 1,
        }),
      )
    }
    this.clients.set(key, api)
    return api
  }

  destroy(): void {
    if (!this.options.client) for (const api of this.clients.values()) api.client.destroy()
    this.clients.clear()
  }
}
