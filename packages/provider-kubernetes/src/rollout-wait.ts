import type { KubeObject } from './client.js'

export type RolloutState =
  { done: true } | { done: false; failed?: 'ProgressDeadlineExceeded'; message: string }

/**
 * kubectl's rollout status rule for a Deployment (pkg/polymorphichelpers/rollout_status.go):
 * complete when the controller observed the current generation, every replica is updated,
 * no old replica remains and the updated ones are available; failed when Progressing says
 * ProgressDeadlineExceeded.
 */
export function rolloutState(deployment: KubeObject): RolloutState {
  const name = String(deployment.metadata?.name)
  const status = (deployment.status ?? {}) as KubeObject
  const generation = Number(deployment.metadata?.generation ?? 0)
  if (generation > Number(status.observedGeneration ?? 0))
    return { done: false, message: 'waiting for the deployment spec update to be observed' }
  const progressing = ((status.conditions ?? []) as KubeObject[]).find(
    (c) => c.type === 'Progressing',
  )
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      done: false,
      failed: 'ProgressDeadlineExceeded',
      message: `deployment "${name}" exceeded its progress deadline${progressing.message ? ` (${String(progressing.message)})` : ''}`,
    }
  const wanted = Number(deployment.spec?.replicas ?? 1)
  const updated = Number(status.updatedReplicas ?? 0)
  const replicas = Number(status.replicas ?? 0)
  const available = Number(status.availableReplicas ?? 0)
  if (updated < wanted)
    return { done: false, message: `${updated} of ${wanted} new replicas updated` }
  if (replicas > updated)
    return { done: false, message: `${replicas - updated} old replicas pending termination` }
  if (available < updated)
    return { done: false, message: `${available} of ${updated} updated replicas available` }
  return { done: true }
}
