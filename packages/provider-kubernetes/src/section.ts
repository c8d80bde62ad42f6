import {
  dnsName,
  kubernetesNameOf as coreKubernetesNameOf,
  kubernetesSettings,
  type KubernetesSectionSource,
  type SecretDefinition,
} from '@floe/core'

/**
 * The parts of the manifest's `kubernetes:` section the operations need, read by core's one
 * reader of that section (`readKubernetesSection`, which `floe secrets emit k8s` uses too).
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

/**
 * The section as the status, validate and rotation operations use it, checked like `emit k8s`
 * checks it (every problem thrown at once, with its line) except that a workload may name
 * Kubernetes Secrets as well as manifest secrets.
 */
export function kubernetesSection(manifest: KubernetesSectionSource): KubernetesSection {
  const settings = kubernetesSettings(
    { kubernetes: manifest.kubernetes, ...(manifest.locate ? { locate: manifest.locate } : {}) },
    'kubernetes',
  )
  const { declaredNamespace: namespace, context, kubeconfig, server } = settings
  return {
    ...(namespace ? { namespace } : {}),
    ...(context ? { context } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(server ? { server } : {}),
    names: settings.names,
    workloads: settings.workloads.map(({ kind, name, secrets }) => ({ kind, name, secrets })),
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
