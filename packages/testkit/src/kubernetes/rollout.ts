import { createHash } from 'node:crypto'
import type { KubeObject } from './types.js'

/**
 * How a Deployment's rollout ends in the emulator: `complete` (every replica updated and
 * available), `deadline` (Progressing=False, reason ProgressDeadlineExceeded — what kubectl
 * rollout status reports as "exceeded its progress deadline") or `hang` (the controller has
 * observed the change but no new replica ever becomes ready).
 */
export type RolloutOutcome = 'complete' | 'deadline' | 'hang'

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

/** the pod-template-hash a ReplicaSet of this template would get (stable per template) */
const templateHash = (deployment: KubeObject): string =>
  createHash('sha256')
    .update(JSON.stringify(deployment.spec?.template ?? {}))
    .digest('hex')
    .slice(0, 10)

const condition = (type: string, status: string, reason: string, message: string): KubeObject => {
  const at = now()
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message }
}

/**
 * The status the deployment controller writes once it has acted on the current generation:
 * exactly the fields `kubectl rollout status` reads (observedGeneration, replicas,
 * updatedReplicas, availableReplicas, the Progressing condition's reason).
 */
export function rolloutStatus(deployment: KubeObject, outcome: RolloutOutcome): KubeObject {
  const replicas = Number(deployment.spec?.replicas ?? 1)
  const replicaSet = `${String(deployment.metadata.name)}-${templateHash(deployment)}`
  const observedGeneration = deployment.metadata.generation ?? 1
  const available = condition(
    'Available',
    'True',
    'MinimumReplicasAvailable',
    'Deployment has minimum availability.',
  )
  if (outcome === 'complete')
    return {
      observedGeneration,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        available,
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${replicaSet}" has successfully progressed.`,
        ),
      ],
    }
  // the old ReplicaSet keeps serving; one new pod never becomes ready
  const previous = deployment.status ?? {}
  const old = Number(previous.availableReplicas ?? replicas)
  return {
    observedGeneration,
    replicas: replicas + 1,
    updatedReplicas: 1,
    readyReplicas: old,
    availableReplicas: old,
    unavailableReplicas: 1,
    conditions: [
      available,
      outcome === 'deadline'
        ? condition(
            'Progressing',
            'False',
            'ProgressDeadlineExceeded',
            `ReplicaSet "${replicaSet}" has timed out progressing.`,
          )
        : condition(
            'Progressing',
            'True',
            'ReplicaSetUpdated',
            `ReplicaSet "${replicaSet}" is progressing.`,
          ),
    ],
  }
}

/**
 * Plays the deployment controller: a spec change (a new generation) is observed
 * `delayMs` later, when the status of that generation is written through `write` (which
 * skips it if the Deployment has moved on or is gone). Failures are armed per Deployment.
 */
export class RolloutSimulator {
  private readonly outcomes = new Map<string, RolloutOutcome>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor(
    private readonly delayMs: number,
    private readonly write: (
      namespace: string,
      name: string,
      generation: number,
      outcome: RolloutOutcome,
    ) => void,
  ) {}

  outcomeOf(namespace: string, name: string): RolloutOutcome {
    return this.outcomes.get(`${namespace}/${name}`) ?? 'complete'
  }

  arm(namespace: string, name: string, outcome: RolloutOutcome): void {
    this.outcomes.set(`${namespace}/${name}`, outcome)
  }

  disarm(): void {
    this.outcomes.clear()
  }

  schedule(deployment: KubeObject): void {
    const namespace = String(deployment.metadata.namespace)
    const name = String(deployment.metadata.name)
    const generation = Number(deployment.metadata.generation ?? 1)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.write(namespace, name, generation, this.outcomeOf(namespace, name))
    }, this.delayMs)
    timer.unref?.()
    this.timers.add(timer)
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}
