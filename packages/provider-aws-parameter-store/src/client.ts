import { createRequire } from 'node:module'
import type {
  Parameter,
  ParameterMetadata,
  ParameterStringFilter,
  SSMClient,
  SSMClientConfig,
} from '@aws-sdk/client-ssm'
import { AwsClients, awsPages, lazySdk, type AwsClientsOptions } from '@floe/aws-common'

const require = createRequire(import.meta.url)

/** The SDK, loaded on first use (importing this package costs nothing). */
export const loadSsmSdk = lazySdk<typeof import('@aws-sdk/client-ssm')>(() =>
  require('@aws-sdk/client-ssm'),
)

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
    const pages = awsPages((next) =>
      this.client.send(
        new DescribeParametersCommand({
          MaxResults: 50,
          ...(filters.length ? { ParameterFilters: filters } : {}),
          ...next,
        }),
      ),
    )
    for await (const page of pages) yield* page.Parameters ?? []
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
    const pages = awsPages((next) =>
      this.client.send(
        new GetParameterHistoryCommand({
          Name: name,
          WithDecryption: false,
          MaxResults: 50,
          ...next,
        }),
      ),
    )
    for await (const page of pages) {
      for (const entry of page.Parameters ?? []) {
        if (entry.Version !== undefined)
          versions.push({ version: entry.Version, labels: entry.Labels ?? [] })
      }
    }
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

export type ClientOptions = AwsClientsOptions<SSMClient, SSMClientConfig>

/** One SSM client per (region, endpoint, auth); see AwsClients. */
export function parameterStoreClients(options: ClientOptions = {}) {
  return new AwsClients(options, {
    newClient: (config: SSMClientConfig) => new (loadSsmSdk().SSMClient)(config),
    api: (client) => new ParameterStoreApi(client),
  })
}
