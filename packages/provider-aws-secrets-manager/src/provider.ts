import { randomUUID } from 'node:crypto'
import {
  type BatchingProvider,
  chunksOf,
  configParser,
  fetchedFromText,
  type FloeError,
  parseEach,
  SecretNotFoundError,
  UnsupportedError,
  type FetchedSecret,
  type FetchOutcome,
  type FetchRequest,
  type ListOptions,
  type ProviderCheck,
  type ProviderContext,
  type PutRequest,
  type PutResult,
  type RotationResult,
  type SecretListing,
  type SecretMetadata,
} from '@floe/core'
import type { SecretValueEntry } from '@aws-sdk/client-secrets-manager'
import { awsCheck, awsListings, connectionOf, restoreHint } from '@floe/aws-common'
import { secretsManagerClients, type ClientOptions } from './client.js'
import { batchUnavailable, secretsManagerError } from './errors.js'
import { putSecret } from './put.js'
import { AWSCURRENT, currentVersionOf } from './stages.js'
import { PROVIDER_NAME, configSchema, VERSION_ID, type SecretsManagerConfig } from './validate.js'

/** BatchGetSecretValue accepts at most 20 secret ids per call. */
export const MAX_BATCH_SIZE = 20

export type SecretsManagerProviderOptions = ClientOptions

/** BatchGetSecretValue for AWSCURRENT reads of one connection */
export type SecretsManagerProvider = BatchingProvider

const parseConfig = configParser(configSchema, PROVIDER_NAME)

/** `?version=` (or the definition's version_id / version_stage): a UUID is a VersionId, else a stage. */
function versionOf(
  request: FetchRequest,
  config: SecretsManagerConfig,
): { versionId?: string; versionStage?: string } {
  const wanted = request.version ?? config.version_id ?? config.version_stage
  if (wanted === undefined) return {}
  return VERSION_ID.test(wanted) ? { versionId: wanted } : { versionStage: wanted }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * SecretBinary is returned as UTF-8 text when it decodes as UTF-8 (most "binary" secrets are
 * text written by other tools), else as base64 — documented in the README.
 */
function textOf(entry: SecretValueEntry): string {
  if (entry.SecretString !== undefined) return entry.SecretString
  if (entry.SecretBinary !== undefined) {
    try {
      return utf8.decode(entry.SecretBinary)
    } catch {
      return Buffer.from(entry.SecretBinary).toString('base64')
    }
  }
  return ''
}

function fetched(entry: SecretValueEntry, secret: string): FetchedSecret {
  return fetchedFromText(textOf(entry), secret, entry.VersionId ? { version: entry.VersionId } : {})
}

function matches(entry: { Name?: string; ARN?: string }, secretId: string): boolean {
  if (entry.Name === secretId || entry.ARN === secretId) return true
  // a partial ARN (without the 6-character suffix) names the same secret
  return (
    secretId.startsWith('arn:') && entry.ARN !== undefined && entry.ARN.startsWith(`${secretId}-`)
  )
}

export function createSecretsManagerProvider(
  options: SecretsManagerProviderOptions = {},
): SecretsManagerProvider {
  const clients = secretsManagerClients(options)
  /** connections whose identity may not call BatchGetSecretValue (read one by one instead) */
  const batchDenied = new Set<string>()
  const apiFor = (config: SecretsManagerConfig, ctx: ProviderContext) =>
    clients.for(connectionOf(config), ctx.env)

  async function fetchBatch(
    items: { index: number; request: FetchRequest; config: SecretsManagerConfig }[],
    outcomes: FetchOutcome[],
    ctx: ProviderContext,
  ): Promise<void> {
    const api = apiFor(items[0]!.config, ctx)
    const groupKey = clients.keyOf(connectionOf(items[0]!.config))
    const ids = [...new Set(items.map((i) => i.config.secret_id))]
    await Promise.all(
      chunksOf(ids, MAX_BATCH_SIZE).map(async (chunk) => {
        const mine = items.filter((i) => chunk.includes(i.config.secret_id))
        try {
          const { values, errors } = await api.batchGet(chunk)
          for (const item of mine) {
            const id = item.config.secret_id
            const entry = values.find((v) => matches(v, id))
            if (entry) {
              outcomes[item.index] = { ok: true, secret: fetched(entry, item.request.secret) }
              continue
            }
            const failure = errors.find((e) => e.SecretId === id)
            outcomes[item.index] = {
              ok: false,
              error: secretsManagerError(
                {
                  name: failure?.ErrorCode ?? 'ResourceNotFoundException',
                  message: failure?.Message,
                },
                {
                  secret: item.request.secret,
                  what: `secret "${item.request.secret}" (${id})`,
                  secretId: id,
                },
              ),
            }
          }
        } catch (error) {
          const failure = secretsManagerError(error)
          // A policy that grants GetSecretValue but not BatchGetSecretValue denies the batch
          // call itself, and some endpoints lack the operation: read those secrets one by
          // one, and stop batching for this client.
          if (failure.code === 'FORBIDDEN' || batchUnavailable(error)) {
            batchDenied.add(groupKey)
            await Promise.all(mine.map((item) => settleOne(item, outcomes, ctx)))
            return
          }
          for (const item of mine) {
            outcomes[item.index] = {
              ok: false,
              error: secretsManagerError(error, {
                secret: item.request.secret,
              }),
            }
          }
        }
      }),
    )
  }

  /** GetSecretValue: any version, one secret. */
  async function getOne(
    request: FetchRequest,
    config: SecretsManagerConfig,
    ctx: ProviderContext,
  ): Promise<FetchedSecret> {
    try {
      const entry = await apiFor(config, ctx).get(config.secret_id, versionOf(request, config))
      return fetched(entry, request.secret)
    } catch (error) {
      const version = versionOf(request, config)
      const at = version.versionId ?? version.versionStage
      throw secretsManagerError(error, {
        secret: request.secret,
        what: `secret "${request.secret}" (${config.secret_id}${at ? ` at ${at}` : ''})`,
        secretId: config.secret_id,
      })
    }
  }

  async function settleOne(
    item: { index: number; request: FetchRequest; config: SecretsManagerConfig },
    outcomes: FetchOutcome[],
    ctx: ProviderContext,
  ): Promise<void> {
    outcomes[item.index] = await getOne(item.request, item.config, ctx).then(
      (secret): FetchOutcome => ({ ok: true, secret }),
      (error: FloeError): FetchOutcome => ({ ok: false, error }),
    )
  }

  async function describeSecret(
    request: FetchRequest,
    config: SecretsManagerConfig,
    ctx: ProviderContext,
  ) {
    try {
      const described = await apiFor(config, ctx).describe(config.secret_id)
      if (described.DeletedDate) {
        throw new SecretNotFoundError(
          `secret "${request.secret}" (${config.secret_id}) is scheduled for deletion`,
          {
            provider: PROVIDER_NAME,
            secret: request.secret,
            hint: restoreHint(config.secret_id),
          },
        )
      }
      return described
    } catch (error) {
      throw secretsManagerError(error, {
        secret: request.secret,
        what: `secret "${request.secret}" (${config.secret_id})`,
      })
    }
  }

  /** The rotation Lambda rotate() would use; UNSUPPORTED when the secret has none. */
  async function rotationOf(request: FetchRequest, ctx: ProviderContext) {
    const config = parseConfig(request)
    const described = await describeSecret(request, config, ctx)
    const lambda = config.rotation_lambda_arn ?? described.RotationLambdaARN
    const what = `secret "${request.secret}" (${config.secret_id})`
    if (!lambda) {
      throw new UnsupportedError(`${what} has no rotation Lambda`, {
        provider: PROVIDER_NAME,
        secret: request.secret,
        hint: `set rotation_lambda_arn on the secret, or write a new value with: floe secrets rotate ${request.secret} --generate`,
      })
    }
    return { config, described, lambda, what }
  }

  return {
    name: PROVIDER_NAME,
    maxBatchSize: MAX_BATCH_SIZE,
    capabilities: { versions: true },

    async fetchOne(request, ctx) {
      return getOne(request, parseConfig(request), ctx)
    },

    async fetchMany(requests, ctx) {
      const outcomes: FetchOutcome[] = new Array<FetchOutcome>(requests.length)
      const batches = new Map<
        string,
        { index: number; request: FetchRequest; config: SecretsManagerConfig }[]
      >()
      const singles: { index: number; request: FetchRequest; config: SecretsManagerConfig }[] = []
      for (const { index, request, config } of parseEach(requests, parseConfig, outcomes)) {
        const version = versionOf(request, config)
        // BatchGetSecretValue returns AWSCURRENT only: other versions need GetSecretValue.
        if (
          version.versionId === undefined &&
          (version.versionStage ?? AWSCURRENT) === AWSCURRENT
        ) {
          const key = clients.keyOf(connectionOf(config))
          const group = batches.get(key) ?? []
          group.push({ index, request, config })
          batches.set(key, group)
        } else singles.push({ index, request, config })
      }
      await Promise.all([
        ...[...batches.values()].map((group) =>
          // one secret alone needs no batch call: GetSecretValue is the cheaper permission path
          group.length === 1 || batchDenied.has(clients.keyOf(connectionOf(group[0]!.config)))
            ? Promise.all(group.map((item) => settleOne(item, outcomes, ctx)))
            : fetchBatch(group, outcomes, ctx),
        ),
        ...singles.map((item) => settleOne(item, outcomes, ctx)),
      ])
      return outcomes
    },

    async describe(request, ctx): Promise<SecretMetadata> {
      const config = parseConfig(request)
      const described = await describeSecret(request, config, ctx)
      const stages = described.VersionIdsToStages ?? {}
      const wanted = versionOf(request, config)
      let version = currentVersionOf(stages)
      if (wanted.versionId !== undefined || wanted.versionStage !== undefined) {
        version = wanted.versionId
          ? wanted.versionId in stages
            ? wanted.versionId
            : undefined
          : Object.entries(stages).find(([, labels]) => labels.includes(wanted.versionStage!))?.[0]
        if (version === undefined) {
          throw new SecretNotFoundError(
            `secret "${request.secret}" (${config.secret_id}) has no version ${wanted.versionId ?? wanted.versionStage}`,
            { provider: PROVIDER_NAME, secret: request.secret },
          )
        }
      }
      const status: Record<string, string> = {
        rotation: described.RotationEnabled ? 'enabled' : 'disabled',
        stages: Object.entries(stages)
          .map(([id, labels]) => `${id}:${labels.join('+')}`)
          .join(' '),
      }
      if (described.LastRotatedDate) status.lastRotated = described.LastRotatedDate.toISOString()
      // Key names are inside the encrypted value: describe() cannot list them without a read.
      return {
        exists: true,
        ...(version !== undefined ? { version } : {}),
        ...(described.CreatedDate ? { createdAt: described.CreatedDate } : {}),
        ...(described.LastChangedDate ? { updatedAt: described.LastChangedDate } : {}),
        status,
      }
    },

    async *list(options: ListOptions, ctx: ProviderContext): AsyncIterable<SecretListing> {
      const raw = options.config ?? {}
      const config = parseConfig({ secret: 'list', config: { secret_id: '-', ...raw } })
      const prefix = options.prefix?.replace(/\*+$/, '')
      yield* awsListings(
        () => clients.for(connectionOf(config), ctx.env).list(prefix || undefined),
        (entry) => ({
          ...(entry.CreatedDate ? { createdAt: entry.CreatedDate } : {}),
          ...(entry.LastChangedDate ? { updatedAt: entry.LastChangedDate } : {}),
        }),
        (error) => secretsManagerError(error, { what: 'ListSecrets' }),
      )
    },

    async put(request: PutRequest, ctx: ProviderContext): Promise<PutResult> {
      const config = parseConfig(request)
      return putSecret(apiFor(config, ctx), config, request, ctx.logger)
    },

    async planRotation(request: FetchRequest, ctx: ProviderContext): Promise<RotationResult> {
      const { config, lambda } = await rotationOf(request, ctx)
      return {
        steps: [
          `Would start RotateSecret for ${config.secret_id} with ${lambda} (the Lambda creates the new version)`,
        ],
      }
    },

    async rotate(request: FetchRequest, ctx: ProviderContext): Promise<RotationResult> {
      const { config, lambda, described, what } = await rotationOf(request, ctx)
      const previous = currentVersionOf(described.VersionIdsToStages)
      const token = randomUUID()
      try {
        const version = await apiFor(config, ctx).rotate(
          config.secret_id,
          token,
          config.rotation_lambda_arn,
        )
        return {
          version: version ?? token,
          ...(previous ? { previousVersion: previous } : {}),
          steps: [
            `RotateSecret started for ${config.secret_id} with ${lambda}`,
            `the Lambda creates version ${version ?? token} as AWSPENDING and promotes it to AWSCURRENT`,
          ],
        }
      } catch (error) {
        throw secretsManagerError(error, { secret: request.secret, what })
      }
    },

    async check(ctx: ProviderContext, raw?: Record<string, unknown>): Promise<ProviderCheck> {
      return awsCheck(
        async () => {
          const config = parseConfig({
            secret: 'check',
            config: { secret_id: '-', ...(raw ?? {}) },
          })
          await clients.for(connectionOf(config), ctx.env).ping()
        },
        'ListSecrets answered',
        (error) => secretsManagerError(error, { what: 'ListSecrets' }),
      )
    },

    async dispose() {
      clients.destroy()
    },
  }
}
