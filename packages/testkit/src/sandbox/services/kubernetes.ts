import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  startKubernetesEmulator,
  type KubeObject,
  type SeedSecret,
} from '../../kubernetes/index.js'
import type { SandboxService } from '../types.js'

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be a map`)
  return value as Record<string, unknown>
}

/**
 * A Kubernetes API server (Secrets, Deployments, Jobs, CronJobs, RBAC, ExternalSecrets and
 * stores) over TLS with the test CA. Seed section:
 * ```yaml
 * kubernetes:
 *   token: floe-sandbox-token           # bearer token (default floe-test-token)
 *   namespace: floe-jobs                # kubeconfig context namespace (default default)
 *   namespaces: [floe-jobs]
 *   secrets:                            # namespace → name → { key: value } (plain text)
 *     floe-jobs:
 *       snowflake-credentials: { SNOWFLAKE_USER: dbt_user, SNOWFLAKE_PASSWORD: change-me }
 *   objects: []                         # any served object (Deployment, ExternalSecret, …)
 *   eso: true                           # run the ESO test controller (needs aws in the sandbox)
 *   rollout_delay_ms: 50                # how long a Deployment rollout takes (default 50)
 *   fail_rollouts: [floe-jobs/broken]   # these rollouts end in ProgressDeadlineExceeded
 * ```
 * Prints KUBECONFIG pointing at a kubeconfig written for kubectl and @kubernetes/client-node.
 */
export const kubernetes: SandboxService = {
  name: 'kubernetes',
  description: 'Kubernetes API (core/v1 secrets, apps/v1, batch/v1, RBAC, external-secrets.io)',
  defaultPort: 6443,
  async start(seed, port) {
    const config = asRecord(seed, 'kubernetes')
    const token = typeof config.token === 'string' ? config.token : undefined
    const namespace = typeof config.namespace === 'string' ? config.namespace : 'default'
    const namespaces = config.namespaces === undefined ? [] : config.namespaces
    if (!Array.isArray(namespaces)) throw new Error('kubernetes.namespaces must be a list')
    const secrets: SeedSecret[] = []
    for (const [ns, byName] of Object.entries(asRecord(config.secrets, 'kubernetes.secrets')))
      for (const [name, data] of Object.entries(asRecord(byName, `kubernetes.secrets["${ns}"]`))) {
        const values = asRecord(data, `kubernetes.secrets["${ns}"]["${name}"]`)
        secrets.push({
          namespace: ns,
          name,
          stringData: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])),
        })
      }
    // `eso: true` (or `{ interval_ms }`): run the External Secrets test controller against
    // this API, reading values from the sandbox's source service (aws)
    const esoSeed = config.eso
    if (
      esoSeed !== undefined &&
      typeof esoSeed !== 'boolean' &&
      (typeof esoSeed !== 'object' || esoSeed === null)
    )
      throw new Error('kubernetes.eso must be true, false or { interval_ms: N }')
    const intervalMs = Number(
      (esoSeed as { interval_ms?: unknown } | undefined)?.interval_ms ?? 200,
    )
    if (!Number.isFinite(intervalMs) || intervalMs < 10)
      throw new Error('kubernetes.eso.interval_ms must be a number ≥ 10')
    const objects = config.objects === undefined ? [] : config.objects
    if (!Array.isArray(objects)) throw new Error('kubernetes.objects must be a list of API objects')
    const failRollouts = config.fail_rollouts === undefined ? [] : config.fail_rollouts
    if (
      !Array.isArray(failRollouts) ||
      !failRollouts.every((r) => /^[^/]+\/[^/]+$/.test(String(r)))
    )
      throw new Error('kubernetes.fail_rollouts must be a list of NAMESPACE/DEPLOYMENT')
    const rolloutDelayMs =
      config.rollout_delay_ms === undefined ? undefined : Number(config.rollout_delay_ms)
    if (rolloutDelayMs !== undefined && !(rolloutDelayMs >= 0))
      throw new Error('kubernetes.rollout_delay_ms must be a number ≥ 0')
    const emu = await startKubernetesEmulator({
      port,
      tls: true,
      ...(token ? { tokens: [token] } : {}),
      ...(rolloutDelayMs !== undefined ? { rolloutDelayMs } : {}),
    })
    for (const ref of failRollouts) {
      const [ns, name] = String(ref).split('/') as [string, string]
      emu.failRollout(ns, name)
    }
    try {
      emu.seed({
        namespaces: ['default', namespace, ...namespaces.map(String)],
        secrets,
        objects: objects as KubeObject[],
      })
      const dir = mkdtempSync(join(tmpdir(), 'floe-sandbox-kube-'))
      const kubeconfig = join(dir, 'kubeconfig')
      writeFileSync(kubeconfig, emu.kubeconfig({ namespace, context: 'floe-sandbox' }), {
        mode: 0o600,
      })
      chmodSync(kubeconfig, 0o600)
      return {
        url: emu.url,
        env: { KUBECONFIG: kubeconfig },
        links: {
          kube: {
            url: emu.url,
            token: emu.token,
            ...(esoSeed ? { eso: { intervalMs } } : {}),
          },
        },
        notes: [
          `seeded ${secrets.length} secret${secrets.length === 1 ? '' : 's'} and ${objects.length} object${objects.length === 1 ? '' : 's'}; kubeconfig ${kubeconfig}`,
          `kubectl get secrets -n ${namespace}`,
          'kubectl get externalsecrets.external-secrets.io -A --watch',
          'kubectl rollout restart deployment/NAME && kubectl rollout status deployment/NAME',
          'kubectl apply -f FILE   # validated by the emulator (fieldValidation=Strict)',
          `floe secrets list --remote --namespace ${namespace}`,
        ],
        close: async () => {
          await emu.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      await emu.close()
      throw error
    }
  },
}
