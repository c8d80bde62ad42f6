import { z } from 'zod'

export const PROVIDER_NAME = 'gcp_secret_manager'

const versionSchema = z.union([
  z.literal('latest'),
  z.number().int().positive(),
  z.string().regex(/^[1-9]\d*$/, 'a version is "latest" or a positive version number'),
])

export const authSchema = z.discriminatedUnion('type', [
  /** Application Default Credentials: GKE Workload Identity, GCE/Cloud Run metadata, gcloud ADC */
  z.strictObject({ type: z.literal('workload_identity') }),
  z.strictObject({ type: z.literal('service_account'), key_file: z.string().min(1) }),
])

/** The provider's own fields of a `provider: gcp_secret_manager` secret. */
export const configSchema = z.strictObject({
  project: z.string().regex(/^[a-z0-9][a-z0-9:.-]{0,62}$|^\d+$/, 'a GCP project id or number'),
  secret: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,255}$/, 'a secret id: letters, digits, "-" and "_", ≤255'),
  version: versionSchema.optional(),
  /** key names a JSON payload is expected to carry */
  keys: z.array(z.string().min(1)).optional(),
  key: z.string().min(1).optional(),
  /** regional secret: served by secretmanager.<location>.rep.googleapis.com */
  location: z
    .string()
    .regex(/^[a-z]+-[a-z]+\d+$/, 'a GCP region such as europe-west1')
    .optional(),
  /** endpoint override: http://127.0.0.1:PORT (emulator, plaintext) or https://host[:port] */
  endpoint: z
    .string()
    .regex(/^https?:\/\/[^/]+\/?$/, 'http(s)://host[:port]')
    .optional(),
  /** labels set when floe creates the secret */
  labels: z.record(z.string(), z.string()).optional(),
  /** put/rotate: disable the previously latest enabled version after adding the new one */
  disable_previous: z.boolean().optional(),
  auth: authSchema.optional(),
})

export type GcpSecretConfig = z.infer<typeof configSchema>
export type GcpAuthConfig = z.infer<typeof authSchema>

export function secretResourceName(
  config: Pick<GcpSecretConfig, 'project' | 'location' | 'secret'>,
): string {
  return `${parentResourceName(config)}/secrets/${config.secret}`
}

export function parentResourceName(config: Pick<GcpSecretConfig, 'project' | 'location'>): string {
  return `projects/${config.project}${config.location ? `/locations/${config.location}` : ''}`
}
