import type { KubeObject } from './types.js'

/** The autoscaling/v1 Scale view of a workload (its `…/scale` subresource). */
export function scaleOf(workload: KubeObject): KubeObject {
  const labels = (workload.spec?.selector?.matchLabels ?? {}) as Record<string, string>
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: workload.metadata.name,
      namespace: workload.metadata.namespace,
      uid: workload.metadata.uid,
      resourceVersion: workload.metadata.resourceVersion,
      creationTimestamp: workload.metadata.creationTimestamp,
    },
    spec: { replicas: Number(workload.spec?.replicas ?? 1) },
    status: {
      replicas: Number(workload.status?.replicas ?? 0),
      selector: Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  }
}
