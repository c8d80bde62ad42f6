import type { LoadedManifest, SecretDefinition } from '@floe/core'
import { DNS1123_SUBDOMAIN } from './validate.js'

/**
 * The parts of the manifest's `kubernetes:` section the operations need (the full reference is
 * in @floe/emit-k8s's README, which emits from the same section).
 */
export interface KubernetesSection {
  namespace?: string
  context?: string
  kubeconfig?: string
  server?: string
  workloads: WorkloadRef[]
  /** manifest secret name → Kubernetes Secret / ExternalSecret name */
  names: Record<string, string>
}

export interface WorkloadRef {
  kind: 'Deployment' | 'Job' | 'CronJob'
  name: string
  /** manifest secret names (or Kubernetes Secret names) the workload consumes */
  secrets: string[]
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined

export function kubernetesSection(manifest: Pick<LoadedManifest, 'kubernetes'>): KubernetesSection {
  const raw = manifest.kubernetes ?? {}
  const workloads = Array.isArray(raw.workloads) ? (raw.workloads as Record<string, unknown>[]) : []
  const secrets =
    raw.secrets && typeof raw.secrets === 'object' ? (raw.secrets as Record<string, unknown>) : {}
  const names: Record<string, string> = {}
  for (const [name, value] of Object.entries(secrets)) {
    const override =
      typeof value === 'string' ? value : str((value as Record<string, unknown> | null)?.name)
    if (override) names[name] = override
  }
  const namespace = str(raw.namespace)
  const context = str(raw.context)
  const kubeconfig = str(raw.kubeconfig)
  const server = str(raw.server)
  return {
    ...(namespace ? { namespace } : {}),
    ...(context ? { context } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(server ? { server } : {}),
    names,
    workloads: workloads.map((w) => ({
      kind: w.kind === 'Job' || w.kind === 'CronJob' ? w.kind : 'Deployment',
      name: String(w.name),
      secrets: Array.isArray(w.secrets) ? w.secrets.map(String) : [],
    })),
  }
}

/** "Kafka_Credentials" → "kafka-credentials": a valid RFC 1123 name for a manifest secret name. */
export function dnsName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 253)
  return cleaned || 'secret'
}

/**
 * The Kubernetes Secret (and ExternalSecret) name of a manifest secret: an explicit
 * `kubernetes.secrets.<name>.name`, a kubernetes provider's `secret_name`, the name itself when
 * valid, else its RFC 1123 form. @floe/emit-k8s uses the same rule.
 */
export function kubernetesNameOf(
  definition: Pick<SecretDefinition, 'name' | 'provider' | 'fields'>,
  section: Pick<KubernetesSection, 'names'>,
): string {
  const override = section.names[definition.name]
  if (override) return override
  if (definition.provider === 'kubernetes' && typeof definition.fields.secret_name === 'string')
    return definition.fields.secret_name
  return DNS1123_SUBDOMAIN.test(definition.name) ? definition.name : dnsName(definition.name)
}

/** Deployments that consume a secret: named in workloads[].secrets or in rotation.restart. */
export function consumingDeployments(
  definition: SecretDefinition,
  section: KubernetesSection,
): string[] {
  const k8sName = kubernetesNameOf(definition, section)
  const names = section.workloads
    .filter(
      (w) =>
        w.kind === 'Deployment' &&
        (w.secrets.includes(definition.name) || w.secrets.includes(k8sName)),
    )
    .map((w) => w.name)
  return [...new Set([...names, ...(definition.rotation?.restart ?? [])])]
}
