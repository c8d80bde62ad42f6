import { type KubeClient, type KubeObject } from './client.js'
import { describeUse, secretUses } from './consumers.js'
import { rolloutState } from './rollout-wait.js'
import { apiStatusOf, toFloeError } from './errors.js'

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt'

/** One workload of a staged restart and what happened to it (names and reasons, never values). */
export interface WorkloadRestart {
  kind: 'Deployment'
  name: string
  /** why it restarts: `envFrom in app`, `env DB_PASSWORD in app (password)`, `named in rotation.restart` */
  reasons: string[]
  state: 'would-restart' | 'restarted' | 'failed' | 'not-attempted'
  /** restart → rollout complete */
  seconds?: number
  failure?: 'timeout' | 'ProgressDeadlineExceeded' | 'forbidden' | 'error'
  error?: string
}

export interface StagedRestartReport {
  namespace: string
  /** the Kubernetes Secret whose consumers restart */
  secret: string
  /** keys the rotation wrote; 'all' when it does not say (native rotation, --hooks-only) */
  changedKeys: string[] | 'all'
  workloads: WorkloadRestart[]
  /** Deployments that read the Secret but none of its changed keys */
  unaffected: { name: string; why: string }[]
}

export interface StagedRestartOptions {
  /** per rollout (default 5 min) */
  timeoutMs?: number
  pollMs?: number
  onProgress?: (message: string) => void
  signal?: AbortSignal
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Which Deployments of `namespace` restart: those whose pod template reads a changed key of
 * `secret` (secretUses), sorted by name, then the ones `explicit` names (rotation.restart) that
 * are not among them. The cluster decides, not the manifest: a Deployment that reads only
 * unchanged keys is reported as unaffected.
 */
export async function planStagedRestart(
  client: KubeClient,
  input: {
    namespace: string
    secret: string
    changedKeys?: readonly string[]
    explicit: readonly string[]
  },
): Promise<StagedRestartReport> {
  const deployments = (await client.listDeployments(input.namespace)).sort((a, b) =>
    String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
  )
  const report: StagedRestartReport = {
    namespace: input.namespace,
    secret: input.secret,
    changedKeys: input.changedKeys ? [...input.changedKeys] : 'all',
    workloads: [],
    unaffected: [],
  }
  for (const deployment of deployments) {
    const name = String(deployment.metadata?.name)
    const template = deployment.spec?.template as KubeObject | undefined
    const uses = secretUses(template, input.secret, input.changedKeys)
    const reasons = uses.map(describeUse)
    if (input.explicit.includes(name)) reasons.push('named in rotation.restart')
    if (reasons.length)
      report.workloads.push({ kind: 'Deployment', name, reasons, state: 'would-restart' })
    else if (secretUses(template, input.secret).length)
      report.unaffected.push({
        name,
        why: `reads only unchanged keys of Secret ${input.secret}`,
      })
  }
  for (const name of input.explicit)
    if (!report.workloads.some((w) => w.name === name))
      report.workloads.push({
        kind: 'Deployment',
        name,
        reasons: ['named in rotation.restart'],
        state: 'would-restart',
      })
  return report
}

/**
 * Restarts the planned workloads one at a time, like `kubectl rollout restart` followed by
 * `kubectl rollout status`: patch the pod template's restartedAt annotation, then poll until
 * the rollout completes (rolloutState), fails (ProgressDeadlineExceeded) or `timeoutMs` passes.
 * Stops at the first failure; the rest stay `not-attempted`. Returns whether all rolled out.
 */
export async function runStagedRestart(
  client: KubeClient,
  report: StagedRestartReport,
  options: StagedRestartOptions = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 300_000
  const pollMs = options.pollMs ?? 250
  const total = report.workloads.length
  for (const w of report.workloads) w.state = 'not-attempted'
  for (const [index, w] of report.workloads.entries()) {
    const ref = `deploy/${w.name}`
    options.onProgress?.(`restarting ${ref} (${index + 1}/${total})`)
    const started = Date.now()
    try {
      await client.mergePatchDeployment(report.namespace, w.name, {
        spec: {
          template: {
            metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString() } },
          },
        },
      })
    } catch (error) {
      w.state = 'failed'
      w.failure = apiStatusOf(error)?.code === 403 ? 'forbidden' : 'error'
      w.error = toFloeError(error, `restart Deployment ${report.namespace}/${w.name}`).message
      return false
    }
    let last = 'waiting for the rollout'
    let reported = started
    for (;;) {
      if (options.signal?.aborted) {
        w.state = 'failed'
        w.failure = 'error'
        w.error = 'interrupted while waiting for the rollout'
        return false
      }
      let deployment: KubeObject
      try {
        deployment = await client.readDeployment(report.namespace, w.name)
      } catch (error) {
        w.state = 'failed'
        w.failure = apiStatusOf(error)?.code === 403 ? 'forbidden' : 'error'
        w.error = toFloeError(error, `read Deployment ${report.namespace}/${w.name}`).message
        return false
      }
      const state = rolloutState(deployment)
      if (state.done) {
        w.state = 'restarted'
        w.seconds = Math.round((Date.now() - started) / 100) / 10
        options.onProgress?.(`${ref} rolled out in ${w.seconds}s (${w.reasons.join('; ')})`)
        break
      }
      if (state.failed) {
        w.state = 'failed'
        w.failure = state.failed
        w.error = state.message
        return false
      }
      last = state.message
      if (Date.now() - started >= timeoutMs) {
        w.state = 'failed'
        w.failure = 'timeout'
        w.error = `${ref} did not roll out within ${Math.round(timeoutMs / 100) / 10}s (${last})`
        return false
      }
      if (Date.now() - reported >= 5000) {
        reported = Date.now()
        options.onProgress?.(`waiting for ${ref}: ${last}`)
      }
      await sleep(Math.min(pollMs, Math.max(1, timeoutMs - (Date.now() - started))))
    }
  }
  return true
}

const names = (workloads: WorkloadRestart[]): string =>
  workloads.map((w) => w.name).join(', ') || 'none'

/** The one-line summary of a staged restart (the last ✓/✗ step of rotate). */
export function summarizeStagedRestart(report: StagedRestartReport, dryRun: boolean): string {
  const unaffected = report.unaffected.length
    ? `; not restarted (read only unchanged keys): ${report.unaffected.map((u) => u.name).join(', ')}`
    : ''
  if (dryRun)
    return `Would restart one at a time: ${
      report.workloads.map((w) => `deploy/${w.name} (${w.reasons.join('; ')})`).join(', ') ||
      `none (no Deployment in ${report.namespace} reads a changed key of Secret ${report.secret})`
    }${unaffected}`
  const by = (state: WorkloadRestart['state']) => report.workloads.filter((w) => w.state === state)
  const failed = by('failed')[0]
  // the ADR's line; each rollout's time and reason went to progress and are in --json details
  if (!failed)
    return report.workloads.length
      ? `Restarting deployments: ${names(by('restarted'))}${unaffected}`
      : `No Deployment in ${report.namespace} reads a changed key of Secret ${report.secret}: nothing to restart${unaffected}`
  const rest = [failed, ...by('not-attempted')].map((w) => w.name).join(' ')
  return `Staged restart stopped at deploy/${failed.name} (${failed.failure}: ${failed.error}); restarted: ${names(by('restarted'))}; not attempted: ${names(by('not-attempted'))}. The new value is in place; once deploy/${failed.name} is fixed run: kubectl -n ${report.namespace} rollout restart deployment ${rest}`
}
