import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '@floe/core'
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { PROVIDER_NAME, type GcpSecretConfig } from './validate.js'

/** Token sent to a plaintext endpoint (emulator): gRPC refuses call credentials on insecure channels. */
export const EMULATOR_TOKEN_ENV = 'FLOE_GCP_EMULATOR_TOKEN'
/** Redirects every definition to one endpoint (floe-sandbox, a private test endpoint), like AWS_ENDPOINT_URL. */
export const ENDPOINT_ENV = 'FLOE_GCP_SECRET_MANAGER_ENDPOINT'

export type ClientOptions = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[0]>

export interface ConnectionPlan {
  /** cache key: one SDK client per distinct connection */
  key: string
  options: ClientOptions
  /** true for http:// endpoints: insecure channel + a static bearer header per call */
  insecure: boolean
  headers: Record<string, string>
}

/**
 * Builds the SecretManagerServiceClient options for a definition. Always sets `universeDomain`:
 * without it (or an `authClient`, or METADATA_SERVER_DETECTION=none) gax probes the GCE metadata
 * server at 169.254.169.254 just to learn the universe; with Workload Identity the metadata
 * server is still used — for tokens, when a call is made.
 */
export function connectionPlan(
  config: Pick<GcpSecretConfig, 'endpoint' | 'location' | 'auth'>,
  env: NodeJS.ProcessEnv,
  cwd: string,
  endpointOverride?: string,
): ConnectionPlan {
  const options: ClientOptions = { universeDomain: 'googleapis.com' }
  let insecure = false
  const endpoint = endpointOverride ?? (env[ENDPOINT_ENV] || undefined) ?? config.endpoint
  if (endpoint) {
    const url = new URL(endpoint)
    options.apiEndpoint = url.hostname
    options.port = Number(url.port || (url.protocol === 'http:' ? 80 : 443))
    insecure = url.protocol === 'http:'
  } else if (config.location) {
    options.apiEndpoint = `secretmanager.${config.location}.rep.googleapis.com`
  }
  if (config.auth?.type === 'service_account') {
    const keyFile = isAbsolute(config.auth.key_file)
      ? config.auth.key_file
      : resolve(cwd, config.auth.key_file)
    if (!existsSync(keyFile)) {
      throw new ConfigError(`service account key file ${keyFile} does not exist`, {
        provider: PROVIDER_NAME,
        hint: 'set auth.key_file to a JSON key, or use auth.type: workload_identity',
      })
    }
    options.keyFilename = keyFile
  }
  const headers: Record<string, string> = insecure
    ? { authorization: `Bearer ${env[EMULATOR_TOKEN_ENV] || 'floe-emulator'}` }
    : {}
  return {
    key: JSON.stringify([endpoint ?? null, config.location ?? null, options.keyFilename ?? null]),
    options,
    insecure,
    headers,
  }
}
