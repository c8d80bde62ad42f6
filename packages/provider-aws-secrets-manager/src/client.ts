import { createRequire } from 'node:module'
import type {
  DescribeSecretResponse,
  SecretListEntry,
  SecretsManagerClient,
  SecretsManagerClientConfig,
  SecretValueEntry,
  APIErrorType,
} from '@aws-sdk/client-secrets-manager'
import { requestHandlerFor } from './http.js'
import { resolveAwsCredentials, type AwsAuth, type AwsCredentials } from './auth.js'

type Sdk = typeof import('@aws-sdk/client-secrets-manager')

const require = createRequire(import.meta.url)
let sdk: Sdk | undefined

/**
 * The SDK is loaded on first use, so importing this package (and running `floe --help`)
 * costs nothing. require() picks the SDK's Node build.
 */
export function loadSecretsManagerSdk(): Sdk {
  quietNodeVersionWarning()
  sdk ??= require('@aws-sdk/client-secrets-manager') as Sdk
  return sdk
}

/**
 * The SDK prints a multi-line "will require node >=22" warning on stderr at the first client
 * of every process on Node 20. floe pins SDK majors that run on Node 20 (DESIGN §11), so the
 * warning is noise in every CLI command's output; users can still opt back in by setting the
 * variable themselves.
 */
export function quietNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
}

/** Where and as whom to call Secrets Manager, from a secret definition. */
export interface ConnectionSettings {
  region?: string
  endpoint?: string
  auth?: AwsAuth
}

/** Typed calls floe makes; retries are the resolver's, so the SDK runs with maxAttempts 1. */
export class SecretsManagerApi {
  constructor(readonly client: SecretsManagerClient) {}

  /** BatchGetSecretValue for ≤ 20 ids, following NextToken if the service pages the answer. */
  async batchGet(
    ids: readonly string[],
  ): Promise<{ values: SecretValueEntry[]; errors: APIErrorType[] }> {
    const { BatchGetSecretValueCommand } = loadSecretsManagerSdk()
    const values: SecretValueEntry[] = []
    const errors: APIErrorType[] = []
    let token: string | undefined
    do {
      const out = await this.client.send(
        new BatchGetSecretValueCommand({
          SecretIdList: [...ids],
          ...(token ? { NextToken: token } : {}),
        }),
      )
      values.push(...(out.SecretValues ?? []))
      errors.push(...(out.Errors ?? []))
      token = out.NextToken
    } while (token)
    return { values, errors }
  }

  async get(
    secretId: string,
    version: { versionId?: string; versionStage?: string },
  ): Promise<SecretValueEntry> {
    const { GetSecretValueCommand } = loadSecretsManagerSdk()
    const out = await this.client.send(
      new GetSecretValueCommand({
        SecretId: secretId,
        ...(version.versionId ? { VersionId: version.versionId } : {}),
        ...(version.versionStage ? { VersionStage: version.versionStage } : {}),
      }),
    )
    return out
  }

  async describe(secretId: string): Promise<DescribeSecretResponse> {
    const { DescribeSecretCommand } = loadSecretsManagerSdk()
    return this.client.send(new DescribeSecretCommand({ SecretId: secretId }))
  }

  async *list(prefix?: string): AsyncGenerator<SecretListEntry> {
    const { ListSecretsCommand } = loadSecretsManagerSdk()
    let token: string | undefined
    do {
      const out = await this.client.send(
        new ListSecretsCommand({
          MaxResults: 100,
          ...(prefix ? { Filters: [{ Key: 'name', Values: [prefix] }] } : {}),
          ...(token ? { NextToken: token } : {}),
        }),
      )
      yield* out.SecretList ?? []
      token = out.NextToken
    } while (token)
  }

  async create(
    name: string,
    text: string,
    token: string,
    tags?: Record<string, string>,
  ): Promise<string | undefined> {
    const { CreateSecretCommand } = loadSecretsManagerSdk()
    const out = await this.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: text,
        ClientRequestToken: token,
        ...(tags ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      }),
    )
    return out.VersionId
  }

  async putValue(
    secretId: string,
    text: string,
    token: string,
    stages: string[],
  ): Promise<string | undefined> {
    const { PutSecretValueCommand } = loadSecretsManagerSdk()
    const out = await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: text,
        ClientRequestToken: token,
        VersionStages: stages,
      }),
    )
    return out.VersionId
  }

  async moveStage(
    secretId: string,
    stage: string,
    move: { to?: string; from?: string },
  ): Promise<void> {
    const { UpdateSecretVersionStageCommand } = loadSecretsManagerSdk()
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        ...(move.to ? { MoveToVersionId: move.to } : {}),
        ...(move.from ? { RemoveFromVersionId: move.from } : {}),
      }),
    )
  }

  async rotate(secretId: string, token: string, lambdaArn?: string): Promise<string | undefined> {
    const { RotateSecretCommand } = loadSecretsManagerSdk()
    const out = await this.client.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotateImmediately: true,
        ...(lambdaArn ? { RotationLambdaARN: lambdaArn } : {}),
      }),
    )
    return out.VersionId
  }

  async ping(): Promise<void> {
    const { ListSecretsCommand } = loadSecretsManagerSdk()
    await this.client.send(new ListSecretsCommand({ MaxResults: 1 }))
  }
}

export interface ClientOptions {
  /** a ready SDK client, used for every secret (tests bind one to an emulator) */
  client?: SecretsManagerClient
  /** merged into every client floe constructs (endpoint, credentials, region, requestHandler…) */
  clientConfig?: SecretsManagerClientConfig
}

/** One SDK client per (region, endpoint, auth), created on first use. */
export class SecretsManagerClients {
  private readonly clients = new Map<string, SecretsManagerApi>()

  constructor(private readonly options: ClientOptions = {}) {}

  for(settings: ConnectionSettings, env: NodeJS.ProcessEnv): SecretsManagerApi {
    if (this.options.client) {
      const key = 'injected'
      let api = this.clients.get(key)
      if (!api) this.clients.set(key, (api = new SecretsManagerApi(this.options.client)))
      return api
    }
    const key = JSON.stringify([settings.region, settings.endpoint, settings.auth])
    let api = this.clients.get(key)
    if (!api) {
      const { SecretsManagerClient } = loadSecretsManagerSdk()
      const region = settings.region ?? this.options.clientConfig?.region
      const credentials = resolveAwsCredentials(settings.auth, {
        ...(typeof region === 'string' ? { region } : {}),
        env,
        // clientConfig credentials (if any) are the identity that assumes the role
        ...(this.options.clientConfig?.credentials
          ? { sourceCredentials: this.options.clientConfig.credentials as AwsCredentials }
          : {}),
      })
      const client = new SecretsManagerClient({
        ...this.options.clientConfig,
        requestHandler: requestHandlerFor(this.options.clientConfig?.requestHandler),
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        maxAttempts: 1,
      })
      api = new SecretsManagerApi(client)
      this.clients.set(key, api)
    }
    return api
  }

  /** the key batches are grouped by: requests sharing it can go in one call */
  keyOf(settings: ConnectionSettings): string {
    return this.options.client
      ? 'injected'
      : JSON.stringify([settings.region, settings.endpoint, settings.auth])
  }

  destroy(): void {
    // an injected client belongs to the caller
    if (!this.options.client) for (const api of this.clients.values()) api.client.destroy()
    this.clients.clear()
  }
}
