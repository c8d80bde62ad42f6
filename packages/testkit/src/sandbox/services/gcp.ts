import { startGcpSecretManagerEmulator, type GcpSeedVersion } from '../../gcp/index.js'
import type { SandboxService } from '../types.js'

const STATES = ['ENABLED', 'DISABLED', 'DESTROYED'] as const

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be a map`)
  return value as Record<string, unknown>
}

function version(raw: unknown, where: string): string | GcpSeedVersion {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean')
    return String(raw)
  const spec = asRecord(raw, where)
  if (typeof spec.value !== 'string')
    throw new Error(`${where} must be a string or { value, state }`)
  const state = spec.state ?? 'ENABLED'
  if (!STATES.includes(state as (typeof STATES)[number])) {
    throw new Error(`${where}.state must be ENABLED, DISABLED or DESTROYED`)
  }
  return { data: spec.value, state: state as GcpSeedVersion['state'] }
}

/**
 * `secrets: { id: value }` where value is a string (one version), `{ versions: [...], labels }`,
 * or any other map (stored as one JSON version).
 */
export const gcp: SandboxService = {
  name: 'gcp',
  description: 'Google Cloud Secret Manager v1 (gRPC, from the SDK protos)',
  defaultPort: 8089,
  async start(seed, port) {
    const config = asRecord(seed, 'gcp')
    const project = typeof config.project === 'string' ? config.project : 'floe-sandbox'
    const emu = await startGcpSecretManagerEmulator({ port })
    try {
      const secrets = asRecord(config.secrets, 'gcp.secrets')
      for (const [id, raw] of Object.entries(secrets)) {
        const where = `gcp.secrets["${id}"]`
        if (typeof raw !== 'object' || raw === null) {
          emu.seed({ project, secret: id, versions: [version(raw, where)] })
          continue
        }
        const spec = asRecord(raw, where)
        if (Array.isArray(spec.versions)) {
          const labels = asRecord(spec.labels, `${where}.labels`) as Record<string, string>
          emu.seed({
            project,
            secret: id,
            ...(typeof spec.location === 'string' ? { location: spec.location } : {}),
            labels,
            versions: spec.versions.map((v, i) => version(v, `${where}.versions[${i}]`)),
          })
        } else {
          emu.seed({ project, secret: id, versions: [JSON.stringify(spec)] })
        }
      }
      const count = Object.keys(secrets).length
      return {
        url: emu.url,
        env: {
          FLOE_GCP_SECRET_MANAGER_ENDPOINT: emu.url,
          FLOE_GCP_EMULATOR_TOKEN: 'floe-sandbox',
          GOOGLE_CLOUD_PROJECT: project,
          METADATA_SERVER_DETECTION: 'none',
        },
        notes: [
          `seeded ${count} secret${count === 1 ? '' : 's'} in project ${project} (gRPC, plaintext, any "authorization: Bearer …")`,
          `floe: FLOE_GCP_SECRET_MANAGER_ENDPOINT sends every gcp_secret_manager definition here`,
          `grpcurl -plaintext -H 'authorization: Bearer x' -d '{"parent":"projects/${project}"}' 127.0.0.1:${emu.port} google.cloud.secretmanager.v1.SecretManagerService/ListSecrets   # needs -import-path/-proto (no reflection)`,
          'gcloud speaks REST to Secret Manager, not gRPC: it cannot use this emulator',
        ],
        close: () => emu.close(),
      }
    } catch (error) {
      await emu.close()
      throw error
    }
  },
}
