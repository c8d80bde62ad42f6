import { runProviderConformance } from '@floe/testkit'
import { provider } from '../src/index.js'
import { BEARER, PROJECT, startGcpFixture } from './helpers.js'

runProviderConformance({
  name: 'gcp_secret_manager',
  async setup() {
    const fixture = await startGcpFixture()
    const { emulator } = fixture
    const instance = provider.create({ client: fixture.sdk, headers: BEARER })
    return {
      provider: instance,
      async seed(name, data) {
        emulator.seed({
          project: PROJECT,
          secret: name,
          versions: [typeof data === 'string' ? data : JSON.stringify(data)],
        })
        return { project: PROJECT, secret: name }
      },
      missing: (name) => ({ project: PROJECT, secret: name }),
      async forbidden(name) {
        emulator.seed({ project: PROJECT, secret: name, versions: ['classified'] })
        emulator.deny(name)
        return { project: PROJECT, secret: name }
      },
      failNext: (times) => void emulator.faults.add({ operation: '*', kind: 'throttle', times }),
      callCount: () => emulator.calls.count(),
      valueReads: () => emulator.calls.count('AccessSecretVersion'),
      listOptions: { config: { project: PROJECT } },
      async close() {
        await instance.dispose?.()
        await fixture.close()
      },
    }
  },
})
