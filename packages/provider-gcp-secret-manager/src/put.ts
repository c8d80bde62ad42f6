/**
 * Writes one Secret Manager secret: AddSecretVersion, creating the secret first when missing.
 * Compare-and-set is check-then-add: Secret Manager has no conditional AddSecretVersion, so
 * `expectedVersion` is compared with the newest ENABLED version just before the add.
 *
 * AddSecretVersion has no idempotency token, so a lost answer (deadline exceeded, dropped
 * stream) is never resent blindly: core's `verifiedWrite` reads back the versions added since
 * and compares each one's payload checksum (CRC32C) with the one written.
 */
import {
  checkWriteExpectation,
  payloadText,
  findWrittenVersion,
  verifiedWrite,
  type PutRequest,
  type PutResult,
  type ReadBackState,
} from '@floe/core'
import type { GcpSecretManagerClient, VersionInfo } from './client.js'
import { crc32c } from './crc32c.js'
import { classifyGcpError, grpcCodeOf, GrpcCode } from './errors.js'
import {
  PROVIDER_NAME,
  parentResourceName,
  secretResourceName,
  type GcpSecretConfig,
} from './validate.js'

/** gRPC outcomes where the request may have been applied although no answer arrived */
const LOST = new Set<number>([GrpcCode.DEADLINE_EXCEEDED, GrpcCode.UNAVAILABLE, GrpcCode.CANCELLED])

export async function putGcpSecret(
  client: GcpSecretManagerClient,
  config: GcpSecretConfig,
  request: PutRequest,
): Promise<PutResult> {
  const name = secretResourceName(config)
  const what = `secret "${request.secret}" (${name})`
  try {
    let created = false
    let versions: VersionInfo[] = []
    try {
      await client.getSecret(name)
      versions = await client.listVersions(name)
    } catch (error) {
      if (grpcCodeOf(error) !== GrpcCode.NOT_FOUND) throw error
      await client.createSecret(
        parentResourceName(config),
        config.secret,
        { ...(request.tags ?? {}), ...(config.labels ?? {}) },
        Boolean(config.location),
      )
      created = true
    }
    const previous = versions.find((v) => v.state === 'ENABLED')
    // the version compared is the newest ENABLED one, the one a read returns
    checkWriteExpectation(
      request,
      { exists: !created, version: previous ? String(previous.number) : undefined },
      what,
      PROVIDER_NAME,
    )
    const payload = Buffer.from(payloadText(request.data), 'utf8')
    const newest = versions[0]?.number ?? 0
    const added = await verifiedWrite({
      provider: PROVIDER_NAME,
      secret: request.secret,
      operation: 'AddSecretVersion',
      ...(previous ? { before: String(previous.number) } : {}),
      write: () => client.addVersion(name, payload),
      classify: (error) => classifyGcpError(error, what, request.secret),
      answerLost: (error) => LOST.has(grpcCodeOf(error) ?? -1),
      readBack: () => readBack(client, name, payload, newest),
    })
    const version = added.answer ?? Number(added.version)
    if (config.disable_previous && previous)
      await client.disableVersion(`${name}/versions/${previous.number}`)
    return {
      version: String(version),
      ...(previous ? { previousVersion: String(previous.number) } : {}),
      created,
      ...(added.warnings.length ? { warnings: added.warnings } : {}),
    }
  } catch (error) {
    throw classifyGcpError(error, what, request.secret)
  }
}

/**
 * The versions added after `newest` (the newest before the write), oldest first: the first
 * whose payload checksum matches is this write. None → not landed; only others' → superseded.
 */
async function readBack(
  client: GcpSecretManagerClient,
  name: string,
  payload: Buffer,
  newest: number,
): Promise<ReadBackState> {
  const added = (await client.listVersions(name))
    .filter((v) => v.number > newest && v.state === 'ENABLED')
    .reverse()
  const checksum = crc32c(payload)
  return findWrittenVersion(
    added.map((v) => String(v.number)),
    async (version) => {
      const stored = await client.access(`${name}/versions/${version}`)
      return stored.data.length === payload.length && crc32c(stored.data) === checksum
    },
    newest ? String(newest) : undefined,
    'its checksum differs',
  )
}
