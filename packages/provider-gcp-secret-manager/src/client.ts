import type { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { crc32c } from './crc32c.js'
import type { ClientOptions } from './auth.js'

/** The SDK client (or anything shaped like it — tests pass a real one bound to the emulator). */
export type SdkClient = SecretManagerServiceClient

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED' | 'STATE_UNSPECIFIED'

export interface VersionInfo {
  number: number
  state: VersionState
  createTime?: Date
}

export interface SecretInfo {
  name: string
  createTime?: Date
  labels: Record<string, string>
}

export interface AccessedVersion {
  number: number
  data: Buffer
  /** false when the server sent no checksum */
  checksumVerified: boolean
  checksumMatches: boolean
}

interface Timestamp {
  seconds?: string | number | null | { toString(): string }
  nanos?: number | null
}

const toDate = (t: Timestamp | null | undefined): Date | undefined =>
  t?.seconds == null
    ? undefined
    : new Date(Number(String(t.seconds)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6))

const versionNumber = (name: string | null | undefined): number =>
  Number(/\/versions\/(\d+)$/.exec(name ?? '')?.[1] ?? NaN)

/** creates the SDK client on first use: importing this package loads no SDK */
export async function createSdkClient(
  options: ClientOptions,
  insecure: boolean,
): Promise<SdkClient> {
  const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager')
  if (insecure) {
    const grpc = await import('@grpc/grpc-js')
    return new SecretManagerServiceClient({
      ...options,
      sslCreds: grpc.credentials.createInsecure(),
    })
  }
  return new SecretManagerServiceClient(options)
}

/**
 * Typed wrapper over the generated client. Every call disables gax's own retries (the floe
 * resolver retries with backoff, so emulator call counts are exact) and carries `headers`
 * (the bearer for plaintext emulator endpoints).
 */
export class GcpSecretManagerClient {
  private readonly callOptions: Record<string, unknown>

  constructor(
    readonly sdk: SdkClient,
    headers: Record<string, string> = {},
    /** per-call deadline; default: the SDK's own per-method timeouts */
    timeoutMs?: number,
  ) {
    this.callOptions = {
      retry: { retryCodes: [] },
      ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
      ...(Object.keys(headers).length ? { otherArgs: { headers } } : {}),
    }
  }

  async access(versionName: string): Promise<AccessedVersion> {
    const [response] = await this.sdk.accessSecretVersion({ name: versionName }, this.callOptions)
    const raw = response.payload?.data
    const data =
      raw == null
        ? Buffer.alloc(0)
        : Buffer.from(typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw)
    const sent = response.payload?.dataCrc32c
    const checksumVerified = sent != null
    return {
      number: versionNumber(response.name),
      data,
      checksumVerified,
      checksumMatches: !checksumVerified || Number(String(sent)) === crc32c(data),
    }
  }

  async getSecret(name: string): Promise<SecretInfo> {
    const [secret] = await this.sdk.getSecret({ name }, this.callOptions)
    return {
      name: secret.name ?? name,
      createTime: toDate(secret.createTime),
      labels: { ...(secret.labels ?? {}) },
    }
  }

  /** every version, newest first */
  async listVersions(secretName: string): Promise<VersionInfo[]> {
    const out: VersionInfo[] = []
    let pageToken: string | undefined
    do {
      const [versions, , response] = await this.sdk.listSecretVersions(
        { parent: secretName, pageSize: 250, ...(pageToken ? { pageToken } : {}) },
        { ...this.callOptions, autoPaginate: false },
      )
      for (const v of versions) {
        out.push({
          number: versionNumber(v.name),
          state: (v.state ?? 'STATE_UNSPECIFIED') as VersionState,
          createTime: toDate(v.createTime),
        })
      }
      pageToken = response?.nextPageToken || undefined
    } while (pageToken)
    return out.sort((a, b) => b.number - a.number)
  }

  async *listSecrets(parent: string, filter?: string): AsyncGenerator<SecretInfo> {
    let pageToken: string | undefined
    do {
      const [secrets, , response] = await this.sdk.listSecrets(
        {
          parent,
          pageSize: 250,
          ...(filter ? { filter } : {}),
          ...(pageToken ? { pageToken } : {}),
        },
        { ...this.callOptions, autoPaginate: false },
      )
      for (const s of secrets) {
        yield {
          name: s.name ?? '',
          createTime: toDate(s.createTime),
          labels: { ...(s.labels ?? {}) },
        }
      }
      pageToken = response?.nextPageToken || undefined
    } while (pageToken)
  }

  async createSecret(
    parent: string,
    secretId: string,
    labels: Record<string, string>,
    regional: boolean,
  ): Promise<void> {
    await this.sdk.createSecret(
      {
        parent,
        secretId,
        secret: { labels, ...(regional ? {} : { replication: { automatic: {} } }) },
      },
      this.callOptions,
    )
  }

  async addVersion(secretName: string, data: Buffer): Promise<number> {
    const [version] = await this.sdk.addSecretVersion(
      { parent: secretName, payload: { data, dataCrc32c: crc32c(data) } },
      this.callOptions,
    )
    return versionNumber(version.name)
  }

  async disableVersion(versionName: string): Promise<void> {
    await this.sdk.disableSecretVersion({ name: versionName }, this.callOptions)
  }

  async close(): Promise<void> {
    await this.sdk.close()
  }
}
