import {
  dnsName,
  kubernetesNameOf as coreKubernetesNameOf,
  type LoadedManifest,
  type SecretDefinition,
} from '@floe/core'

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

/**
 * The Kubernetes Secret (and ExternalSecret) name of a manifest secret, by core's one rule
 * (`kubernetesNameOf`, which @floe/emit-k8s uses too) with this section's name overrides.
 */
export function kubernetesNameOf(
  definition: Pick<SecretDefinition, 'name' | 'provider' | 'fields'>,
  section: Pick<KubernetesSection, 'names'>,
): string {
  return coreKubernetesNameOf(definition, section.names)
}

export { dnsName }

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
