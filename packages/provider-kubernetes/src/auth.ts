import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { ConfigError } from '@floe/core'
import type { KubeConfig } from '@kubernetes/client-node'
import type { ConnectionConfig } from './validate.js'

type ClientNode = typeof import('@kubernetes/client-node')

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** Where the configuration came from, for `check()` and error hints (never a token). */
export interface LoadedKubeConfig {
  kubeConfig: KubeConfig
  source: 'injected' | 'kubeconfig' | 'in-cluster'
  /** the kubeconfig context's namespace, used when a definition names none */
  namespace?: string
}

/**
 * Finds the cluster the way kubectl does: an explicit `kubeconfig` path, then $KUBECONFIG
 * (path list), then ~/.kube/config, then the in-cluster service account. `context` picks a
 * context; `server` replaces the cluster URL (e.g. a port-forward or a local emulator).
 */
export function loadKubeConfig(
  k8s: ClientNode,
  connection: ConnectionConfig,
  env: NodeJS.ProcessEnv,
  injected?: KubeConfig,
): LoadedKubeConfig {
  let kubeConfig: KubeConfig
  let source: LoadedKubeConfig['source']
  if (injected) {
    kubeConfig = injected
    source = 'injected'
  } else {
    kubeConfig = new k8s.KubeConfig()
    const files = connection.kubeconfig
      ? [connection.kubeconfig]
      : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean).length
        ? (env.KUBECONFIG as string).split(delimiter).filter(Boolean)
        : [join(env.HOME ?? homedir(), '.kube', 'config')]
    const file = files.find((f) => existsSync(f))
    if (file) {
      kubeConfig.loadFromFile(file)
      source = 'kubeconfig'
    } else if (env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))) {
      kubeConfig.loadFromCluster()
      source = 'in-cluster'
    } else {
      throw new ConfigError(
        `no Kubernetes configuration found (looked at ${files.join(', ')} and the in-cluster service account)`,
        {
          provider: 'kubernetes',
          hint: 'set KUBECONFIG, add `kubeconfig:`/`context:` to the secret definition, or run inside a pod',
        },
      )
    }
  }
  if (connection.context) {
    if (!kubeConfig.getContextObject(connection.context))
      throw new ConfigError(`kubeconfig has no context "${connection.context}"`, {
        provider: 'kubernetes',
      })
    kubeConfig.setCurrentContext(connection.context)
  }
  if (connection.server) {
    const cluster = kubeConfig.getCurrentCluster()
    if (!cluster)
      throw new ConfigError('kubeconfig has no current cluster to point at `server`', {
        provider: 'kubernetes',
      })
    const clusters = kubeConfig.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: connection.server as string } : c,
    )
    kubeConfig.loadFromOptions({
      clusters,
      users: kubeConfig.users,
      contexts: kubeConfig.contexts,
      currentContext: kubeConfig.getCurrentContext(),
    })
  }
  const namespace =
    kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ??
    (source === 'in-cluster' ? readServiceAccountNamespace() : undefined)
  return { kubeConfig, source, ...(namespace ? { namespace } : {}) }
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}
