import { createRequire } from 'node:module'
import type {
  DescribeSecretResponse,
  SecretListEntry,
  SecretsManagerClient,
  SecretsManagerClientConfig,
  SecretValueEntry,
  APIErrorType,
} from '@aws-sdk/client-secrets-manager'
import { AwsClients, awsPages, lazySdk, type AwsClientsOptions } from '@floe/aws-common'

const require = createRequire(import.meta.url)

/** The SDK, loaded on first use (importing this package costs nothing). */
export const loadSecretsManagerSdk = lazySdk<typeof import('@aws-sdk/client-secrets-manager')>(() =>
  require('@aws-sdk/client-secrets-manager'),
)

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
    const pages = awsPages((next) =>
      this.client.send(new BatchGetSecretValueCommand({ SecretIdList: [...ids], ...next })),
    )
    for await (const page of pages) {
      values.push(...(page.SecretValues ?? []))
      errors.push(...(page.Errors ?? []))
    }
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
    const pages = awsPages((next) =>
      this.client.send(
        new ListSecretsCommand({
          MaxResults: 100,
          ...(prefix ? { Filters: [{ Key: 'name', Values: [prefix] }] } : {}),
          ...next,
        }),
      ),
    )
    for await (const page of pages) yield* page.SecretList ?? []
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

export type ClientOptions = AwsClientsOptions<SecretsManagerClient, SecretsManagerClientConfig>

/** One Secrets Manager client per (region, endpoint, auth); see AwsClients. */
export function secretsManagerClients(options: ClientOptions = {}) {
  return new AwsClients(options, {
    newClient: (config: SecretsManagerClientConfig) =>
      new (loadSecretsManagerSdk().SecretsManagerClient)(config),
    api: (client) => new SecretsManagerApi(client),
  })
}
