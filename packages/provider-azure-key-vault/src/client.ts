import type { TokenCredential } from '@azure/identity'
import type { SecretClient, SecretProperties } from '@azure/keyvault-secrets'
import { DEFAULT_REQUEST_TIMEOUT_MS, RequestTimeoutError, isAbortError } from './timeout.js'

export type SdkClient = SecretClient

export interface VersionProperties {
  version: string
  enabled: boolean
  createdOn?: Date
  updatedOn?: Date
  expiresOn?: Date
  notBefore?: Date
  contentType?: string
  tags?: Record<string, string>
}

export interface ClientOptions {
  tlsOptions?: { ca?: string | Buffer }
  /** required for vaults outside *.vault.azure.net (emulators), whose challenge resource cannot match */
  disableChallengeResourceVerification?: boolean
}

const toProperties = (p: SecretProperties): VersionProperties => ({
  version: p.version ?? '',
  enabled: p.enabled !== false,
  ...(p.createdOn ? { createdOn: p.createdOn } : {}),
  ...(p.updatedOn ? { updatedOn: p.updatedOn } : {}),
  ...(p.expiresOn ? { expiresOn: p.expiresOn } : {}),
  ...(p.notBefore ? { notBefore: p.notBefore } : {}),
  ...(p.contentType ? { contentType: p.contentType } : {}),
  ...(p.tags ? { tags: p.tags } : {}),
})

/** SDK imported on first use; retries off — the floe resolver retries with backoff. */
export async function createSdkClient(
  vaultUrl: string,
  credential: TokenCredential,
  options: ClientOptions,
): Promise<SdkClient> {
  const { SecretClient } = await import('@azure/keyvault-secrets')
  return new SecretClient(vaultUrl, credential, {
    retryOptions: { maxRetries: 0 },
    ...(options.disableChallengeResourceVerification
      ? { disableChallengeResourceVerification: true }
      : {}),
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
  })
}

/** Typed wrapper over SecretClient: the only place that touches the SDK's shapes. */
export class KeyVaultClient {
  private readonly requestOptions: { requestOptions: { timeout: number } }

  constructor(
    readonly sdk: SdkClient,
    /** timeout of each request (the SDK's `requestOptions.timeout`; 0 = none) */
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    this.requestOptions = { requestOptions: { timeout: timeoutMs } }
  }

  /** an aborted request is the timeout firing: say so, instead of "The operation was aborted" */
  private timedOut(error: unknown): unknown {
    return isAbortError(error) && this.timeoutMs > 0
      ? new RequestTimeoutError('Key Vault', this.timeoutMs, { cause: error })
      : error
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw this.timedOut(error)
    }
  }

  /** reads the value (GET /secrets/{name}/{version}) */
  async getSecret(
    name: string,
    version?: string,
  ): Promise<{ value: string; properties: VersionProperties }> {
    const secret = await this.call(() =>
      this.sdk.getSecret(name, { ...this.requestOptions, ...(version ? { version } : {}) }),
    )
    return { value: secret.value ?? '', properties: toProperties(secret.properties) }
  }

  /**
   * Value-free metadata: GET /secrets/{name}/versions returns every version's attributes and
   * never a value (SecretClient has no value-less get). Sorted newest first by createdOn;
   * versions created in the same second keep the service's listing order.
   */
  async versions(name: string): Promise<VersionProperties[]> {
    const out = await this.call(async () => {
      const found: VersionProperties[] = []
      for await (const p of this.sdk.listPropertiesOfSecretVersions(name, this.requestOptions))
        found.push(toProperties(p))
      return found
    })
    return out
      .map((p, i) => ({ p, i }))
      .sort(
        (a, b) => (b.p.createdOn?.getTime() ?? 0) - (a.p.createdOn?.getTime() ?? 0) || b.i - a.i,
      )
      .map(({ p }) => p)
  }

  async *list(): AsyncGenerator<{ name: string; properties: VersionProperties }> {
    try {
      for await (const p of this.sdk.listPropertiesOfSecrets(this.requestOptions))
        yield { name: p.name, properties: toProperties(p) }
    } catch (error) {
      throw this.timedOut(error)
    }
  }

  async setSecret(
    name: string,
    value: string,
    options: { contentType?: string; tags?: Record<string, string> },
  ): Promise<VersionProperties> {
    const secret = await this.call(() =>
      this.sdk.setSecret(name, value, {
        ...this.requestOptions,
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(options.tags ? { tags: options.tags } : {}),
      }),
    )
    return toProperties(secret.properties)
  }
}
