import type { Logger, ProviderContext } from '@floe/core'
import { KubeConfig } from '@kubernetes/client-node'
import { testCertificate, type KubernetesEmulator } from '@floe/testkit'

/**
 * A KubeConfig bound to the emulator, built the way SDK-NOTES describes. Over https the
 * test CA is trusted; over http client-node insists on skipTLSVerify.
 */
export function kubeConfigFor(kube: KubernetesEmulator, namespace = 'floe-jobs'): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [
      kube.url.startsWith('https:')
        ? {
            name: 'emulator',
            server: kube.url,
            caData: Buffer.from(testCertificate().ca).toString('base64'),
          }
        : { name: 'emulator', server: kube.url, skipTLSVerify: true },
    ],
    users: [{ name: 'floe', token: kube.token }],
    contexts: [{ name: 'floe', cluster: 'emulator', user: 'floe', namespace }],
    currentContext: 'floe',
  })
  return kc
}

export function recordingContext(
  env: NodeJS.ProcessEnv = {},
): ProviderContext & { lines: string[] } {
  const lines: string[] = []
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`)
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  }
  return { env, cwd: process.cwd(), logger, lines }
}
