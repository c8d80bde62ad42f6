import { runProviderConformance, startKubernetesEmulator } from '@floe/testkit'
import { createKubernetesProvider } from '../src/index.js'
import { kubeConfigFor } from './helpers.js'

const NAMESPACE = 'floe-jobs'

runProviderConformance({
  name: 'kubernetes',
  async setup() {
    const kube = await startKubernetesEmulator({ tls: true, seed: { namespaces: [NAMESPACE] } })
    const provider = createKubernetesProvider({ kubeConfig: kubeConfigFor(kube) })
    return {
      provider,
      ctx: { env: {} },
      async seed(name, data) {
        kube.seed({
          secrets: [
            {
              namespace: NAMESPACE,
              name,
              stringData: typeof data === 'string' ? { value: data } : data,
            },
          ],
        })
        return {
          namespace: NAMESPACE,
          secret_name: name,
          ...(typeof data === 'string' ? { key: 'value' } : {}),
        }
      },
      missing: (name) => ({ namespace: NAMESPACE, secret_name: name }),
      async forbidden(name) {
        kube.seed({ secrets: [{ namespace: NAMESPACE, name, stringData: { value: 'x' } }] })
        kube.deny({ verb: 'get', resource: 'secrets', namespace: NAMESPACE, name })
        return { namespace: NAMESPACE, secret_name: name }
      },
      failNext: (times) =>
        void kube.faults.add({ operation: '*', kind: 'error', status: 503, times }),
      callCount: () => kube.calls.count(),
      listOptions: { namespace: NAMESPACE },
      close: () => kube.close(),
    }
  },
})
