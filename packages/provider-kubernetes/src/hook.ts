import type {
  HookStep,
  LoadedManifest,
  ProviderContext,
  RotationHookModule,
  SecretDefinition,
} from '@floe/core'
import type { KubeConfig } from '@kubernetes/client-node'
import { KubeClient, type KubeObject } from './client.js'
import {
  consumingDeployments,
  kubernetesNameOf,
  kubernetesSection,
  type KubernetesSection,
} from './section.js'
import { externalSecretStatuses, validateInCluster, type ClusterSecretCheck } from './operations.js'
import {
  ESO_GROUP,
  externalSecretStatusOf,
  getExternalSecret,
  statusMetadata,
  syncCell,
} from './status.js'
import { connectionOf } from './validate.js'
import {
  planStagedRestart,
  runStagedRestart,
  summarizeStagedRestart,
  type StagedRestartReport,
} from './staged-restart.js'
import { toFloeError } from './errors.js'

export interface KubernetesHookOptions {
  /** a ready KubeConfig; otherwise from the `kubernetes:` section / definition / KUBECONFIG */
  kubeConfig?: KubeConfig
  /** how long to wait for ESO to sync (default 120 s) */
  syncTimeoutMs?: number
  /** poll interval while waiting (default 1 s) */
  pollMs?: number
  /** progress lines while waiting (the CLI prints them on stderr); default: ctx.logger.info */
  onProgress?: (message: string) => void
  /** poll interval while waiting for each Deployment rollout (default 250 ms) */
  rolloutPollMs?: number
}

export const FORCE_SYNC_ANNOTATION = 'force-sync'
export { RESTARTED_AT_ANNOTATION } from './staged-restart.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether floe runs this secret through External Secrets Operator. */
export function isEsoManaged(
  definition: SecretDefinition,
  manifest: Pick<LoadedManifest, 'plugins'>,
): boolean {
  if (definition.fields.external_secret !== undefined)
    return definition.fields.external_secret !== false
  if (
    definition.provider === 'kubernetes' ||
    definition.provider === 'env' ||
    definition.provider === 'file'
  )
    return false
  const type = ((manifest.plugins?.secrets ?? {}) as Record<string, unknown>).type
  return type === 'external-secrets' || type === 'vault'
}

/**
 * Asks ESO to sync now (the `force-sync` annotation, as ESO's docs do with kubectl annotate)
 * and waits, bounded, until the ExternalSecret reports a sync newer than the request: its
 * syncedResourceVersion moves past the annotation change (or refreshTime advances) with Ready=True.
 */
export async function triggerExternalSecretSync(
  client: KubeClient,
  namespace: string,
  name: string,
  options: {
    timeoutMs?: number
    pollMs?: number
    onProgress?: (message: string) => void
    signal?: AbortSignal
  } = {},
): Promise<
  | { ok: true; refreshTime?: string }
  | { ok: false; stage: 'missing' | 'trigger' | 'sync' | 'timeout'; message: string }
> {
  const before = await getExternalSecret(client, namespace, name)
  if (!before)
    return { ok: false, stage: 'missing', message: `ExternalSecret ${namespace}/${name} not found` }
  const version = String(before.apiVersion ?? `${ESO_GROUP}/v1`).split('/')[1] ?? 'v1'
  const previous = {
    refreshTime: before.status?.refreshTime as string | undefined,
    synced: before.status?.syncedResourceVersion as string | undefined,
  }
  try {
    await client.mergePatchCustomObject(ESO_GROUP, version, namespace, 'externalsecrets', name, {
      metadata: { annotations: { [FORCE_SYNC_ANNOTATION]: new Date().toISOString() } },
    })
  } catch (error) {
    return {
      ok: false,
      stage: 'trigger',
      message: toFloeError(error, `annotate ExternalSecret ${namespace}/${name}`).message,
    }
  }
  const timeoutMs = options.timeoutMs ?? 120_000
  const pollMs = options.pollMs ?? 1000
  const started = Date.now()
  let lastReport = started
  let last: KubeObject | undefined
  while (Date.now() - started < timeoutMs) {
    if (options.signal?.aborted) break
    await sleep(pollMs)
    last = await getExternalSecret(client, namespace, name)
    if (!last)
      return {
        ok: false,
        stage: 'missing',
        message: `ExternalSecret ${namespace}/${name} disappeared while waiting for its sync`,
      }
    const status = externalSecretStatusOf(last)
    const moved =
      status.syncedResourceVersion !== previous.synced ||
      (last.status?.refreshTime && last.status.refreshTime !== previous.refreshTime)
    if (moved && status.sync === 'Synced')
      return {
        ok: true,
        ...(last.status?.refreshTime ? { refreshTime: String(last.status.refreshTime) } : {}),
      }
    if (moved && status.sync === 'SyncError')
      return {
        ok: false,
        stage: 'sync',
        message: `ExternalSecret ${namespace}/${name} failed to sync: ${status.message ?? status.reason ?? 'unknown reason'}`,
      }
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now()
      options.onProgress?.(
        `waiting for ExternalSecret ${namespace}/${name} to sync (${Math.round((Date.now() - started) / 1000)}s)`,
      )
    }
  }
  const condition = last ? externalSecretStatusOf(last) : undefined
  return {
    ok: false,
    stage: 'timeout',
    message: `ExternalSecret ${namespace}/${name} did not sync within ${Math.round(timeoutMs / 1000)}s${condition?.message ? ` (last condition: ${condition.message})` : ''}`,
  }
}

/**
 * The Secret an ExternalSecret writes (spec.target.name, else its own name) and the target
 * keys of the changed source keys (data[].remoteRef.property → secretKey; an entry without a
 * property takes the whole remote value, so it changes with any key).
 */
async function esoTarget(
  client: KubeClient,
  namespace: string,
  name: string,
  changedKeys: readonly string[] | undefined,
): Promise<{ secret: string; changedKeys?: readonly string[] }> {
  const es = await getExternalSecret(client, namespace, name)
  const secretName = String(es?.spec?.target?.name ?? name)
  const data = (es?.spec?.data ?? []) as KubeObject[]
  if (!changedKeys || !data.length || es?.spec?.dataFrom?.length)
    return { secret: secretName, ...(changedKeys ? { changedKeys } : {}) }
  return {
    secret: secretName,
    changedKeys: data
      .filter((d) => !d.remoteRef?.property || changedKeys.includes(String(d.remoteRef.property)))
      .map((d) => String(d.secretKey)),
  }
}

interface Plan {
  /** undefined: the client's default namespace */
  namespace?: string
  name: string
  eso: boolean
  deployments: string[]
}

/** Decided from the manifest alone, so secrets that never touch a cluster cost no connection. */
function plan(
  secret: SecretDefinition,
  manifest: LoadedManifest,
  section: KubernetesSection,
): Plan {
  const ownNamespace =
    secret.provider === 'kubernetes' && typeof secret.fields.namespace === 'string'
      ? secret.fields.namespace
      : undefined
  const namespace = ownNamespace ?? section.namespace
  return {
    ...(namespace ? { namespace } : {}),
    name:
      typeof secret.fields.external_secret === 'string'
        ? secret.fields.external_secret
        : kubernetesNameOf(secret, section),
    eso: isEsoManaged(secret, manifest),
    deployments: consumingDeployments(secret, section),
  }
}

/**
 * The `kubernetes` hook module: the rotation hook plus two read-only extras a CLI can call when
 * present (core's RotationHookModule does not declare them): ESO `status` per manifest secret
 * in SecretMetadata.status form, and the cluster view of `validate`.
 */
export interface KubernetesHookModule extends RotationHookModule {
  status(input: {
    manifest: LoadedManifest
    ctx: ProviderContext
    secrets?: readonly string[]
  }): Promise<Record<string, Record<string, string>>>
  validate(input: {
    manifest: LoadedManifest
    ctx: ProviderContext
    secrets?: readonly string[]
  }): Promise<ClusterSecretCheck[]>
}

/** The rotation hook with injectable options (tests pass a KubeConfig bound to the emulator). */
export function createRotationHook(options: KubernetesHookOptions = {}): KubernetesHookModule {
  return {
    async status({ manifest, ctx, secrets }) {
      const rows = await externalSecretStatuses(manifest, {
        env: ctx.env,
        ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}),
        ...(secrets ? { secrets } : {}),
      })
      return Object.fromEntries(
        rows.map((row) => [
          row.secret,
          { ...statusMetadata(row.status), sync: syncCell(row.status) },
        ]),
      )
    },
    validate: ({ manifest, ctx, secrets }) =>
      validateInCluster(manifest, {
        env: ctx.env,
        ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}),
        ...(secrets ? { secrets } : {}),
      }),
    name: 'kubernetes',
    packageName: '@floe/provider-kubernetes',
    async *afterRotate({
      secret,
      manifest,
      restartDeployments: restart,
      dryRun,
      ctx,
      timeoutMs,
      onProgress,
      changedKeys,
    }): AsyncIterable<HookStep> {
      const section = kubernetesSection(manifest)
      const p = plan(secret, manifest, section)
      // a cluster connection only when the secret lives there or the manifest ties it to one
      const inCluster = secret.provider === 'kubernetes' || p.deployments.length > 0
      if (!p.eso && !(restart && inCluster)) return
      const connection = {
        ...connectionOf(secret.provider === 'kubernetes' ? secret.fields : {}),
        ...connectionOf(section as unknown as Record<string, unknown>),
      }
      let client: KubeClient
      try {
        client = await KubeClient.connect(connection, ctx.env, options.kubeConfig)
      } catch (error) {
        yield {
          ok: false,
          message: `Cannot reach the cluster: ${toFloeError(error, 'connect').message}. The new value is stored at the source; trigger the sync and restarts by hand.`,
        }
        return
      }
      const namespace = p.namespace ?? client.defaultNamespace
      const progress =
        onProgress ?? options.onProgress ?? ((message: string) => ctx.logger.info(message))
      // which Deployments read a changed key, decided from their pod templates in the cluster
      const planRestarts = async (): Promise<StagedRestartReport | HookStep> => {
        try {
          const target = p.eso ? await esoTarget(client, namespace, p.name, changedKeys) : undefined
          return await planStagedRestart(client, {
            namespace,
            secret: target?.secret ?? p.name,
            ...((target ? target.changedKeys : changedKeys)
              ? { changedKeys: target ? target.changedKeys : changedKeys }
              : {}),
            explicit: secret.rotation?.restart ?? [],
          })
        } catch (error) {
          return {
            ok: false,
            message: `Cannot find the Deployments that read Secret ${namespace}/${p.name}: ${toFloeError(error, `list Deployments in ${namespace}`).message}`,
          }
        }
      }
      if (dryRun) {
        if (p.eso)
          yield { ok: true, message: `Would trigger ExternalSecret sync: ${namespace}/${p.name}` }
        if (restart) {
          const planned = await planRestarts()
          if ('ok' in planned) yield planned
          else
            yield {
              ok: true,
              message: summarizeStagedRestart(planned, true),
              details: { restarts: planned },
            }
        }
        return
      }
      if (p.eso) {
        const synced = await triggerExternalSecretSync(client, namespace, p.name, {
          timeoutMs: timeoutMs ?? options.syncTimeoutMs,
          pollMs: options.pollMs,
          onProgress: progress,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        })
        if (!synced.ok) {
          const fix =
            synced.stage === 'trigger' || synced.stage === 'missing'
              ? `run: kubectl -n ${namespace} annotate externalsecret ${p.name} force-sync=$(date +%s) --overwrite`
              : `check: kubectl -n ${namespace} describe externalsecret ${p.name}`
          yield {
            ok: false,
            message: `ExternalSecret sync failed: ${synced.message}. The source already holds the new value; pods keep the old one until the sync succeeds — ${fix}${restart && p.deployments.length ? `, then kubectl -n ${namespace} rollout restart deployment ${p.deployments.join(' ')}` : ''}`,
          }
          return
        }
        yield { ok: true, message: 'ExternalSecret sync triggered' }
      }
      if (!restart) return
      const planned = await planRestarts()
      if ('ok' in planned) {
        yield planned
        return
      }
      const total = planned.workloads.length
      const ok = await runStagedRestart(client, planned, {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(options.rolloutPollMs !== undefined ? { pollMs: options.rolloutPollMs } : {}),
        onProgress: progress,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      })
      for (const [index, w] of planned.workloads.entries()) {
        if (w.state === 'failed')
          yield {
            ok: false,
            message: `deploy/${w.name} (${index + 1}/${total}) did not roll out: ${w.failure} — ${w.error}`,
          }
      }
      yield {
        ok,
        message: summarizeStagedRestart(planned, false),
        details: { restarts: planned },
      }
    },
  }
}

export const hook: KubernetesHookModule = createRotationHook()
