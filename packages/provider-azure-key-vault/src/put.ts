/**
 * Writes one Key Vault secret: setSecret adds a new version. Compare-and-set is check-then-set:
 * Key Vault has no conditional write, so `expectedVersion` is compared with the current version
 * just before.
 *
 * SetSecret has no idempotency token, so a lost answer (timeout, dropped connection: no HTTP
 * status) is never resent blindly: core's `verifiedWrite` lists the versions back, and a
 * version id that was not there before holding the written value (compared in memory, never
 * printed) is this write.
 */
import {
  checkWriteExpectation,
  SecretValue,
  payloadText,
  findWrittenVersion,
  verifiedWrite,
  type PutRequest,
  type PutResult,
  type ReadBackState,
} from '@floe/core'
import type { KeyVaultClient, VersionProperties } from './client.js'
import { classifyAzureError } from './errors.js'
import { PROVIDER_NAME, type AzureSecretConfig } from './validate.js'

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' ? status : undefined
}

export async function putAzureSecret(
  client: KeyVaultClient,
  config: AzureSecretConfig,
  request: PutRequest,
): Promise<PutResult> {
  const what = `secret "${request.secret}" (${config.secret_name} in ${config.vault_url})`
  let before: VersionProperties[] = []
  try {
    before = await client.versions(config.secret_name)
  } catch (error) {
    if (statusOf(error) !== 404) throw classifyAzureError(error, what, request.secret)
  }
  const current = before[0]
  checkWriteExpectation(
    request,
    { exists: current !== undefined, version: current?.version },
    what,
    PROVIDER_NAME,
  )
  const data = request.data
  const text = payloadText(data)
  const contentType =
    request.contentType ??
    config.content_type ??
    (data instanceof SecretValue ? undefined : 'application/json')
  const tags =
    request.tags || config.tags ? { ...(config.tags ?? {}), ...(request.tags ?? {}) } : undefined
  const known = new Set(before.map((v) => v.version))
  const written = await verifiedWrite({
    provider: PROVIDER_NAME,
    secret: request.secret,
    operation: 'SetSecret',
    ...(current ? { before: current.version } : {}),
    write: () =>
      client.setSecret(config.secret_name, text, {
        ...(contentType ? { contentType } : {}),
        ...(tags ? { tags } : {}),
      }),
    classify: (error) => classifyAzureError(error, what, request.secret),
    // no HTTP status: the request may have reached the vault
    answerLost: (error, failure) => failure.code === 'UNAVAILABLE' && statusOf(error) === undefined,
    readBack: () => readBack(client, config.secret_name, text, known, current?.version),
  })
  return {
    version: written.answer?.version ?? written.version ?? '',
    ...(current ? { previousVersion: current.version } : {}),
    created: !current,
    ...(written.warnings.length ? { warnings: written.warnings } : {}),
  }
}

/** The versions that were not there before, oldest first; the one holding `text` is this write. */
async function readBack(
  client: KeyVaultClient,
  name: string,
  text: string,
  known: Set<string>,
  current: string | undefined,
): Promise<ReadBackState> {
  let versions: VersionProperties[] = []
  try {
    versions = await client.versions(name)
  } catch (error) {
    if (statusOf(error) !== 404) throw error
  }
  return findWrittenVersion(
    versions
      .filter((v) => !known.has(v.version))
      .reverse()
      .map((v) => v.version),
    async (version) => (await client.getSecret(name, version)).value === text,
    current,
  )
}
