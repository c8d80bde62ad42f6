import { runProviderConformance } from '@floe/testkit'
import { provider } from '../src/index.js'
import { startAzureFixture } from './helpers.js'

runProviderConformance({
  name: 'azure_key_vault',
  async setup() {
    const fixture = await startAzureFixture()
    const { emulator } = fixture
    const vault_url = emulator.url
    const instance = provider.create({ client: fixture.sdk })
    return {
      provider: instance,
      async seed(name, data) {
        emulator.seed({ name, value: typeof data === 'string' ? data : JSON.stringify(data) })
        return { vault_url, secret_name: name }
      },
      missing: (name) => ({ vault_url, secret_name: name }),
      async forbidden(name) {
        emulator.seed({ name, value: 'classified' })
        emulator.deny(name)
        return { vault_url, secret_name: name }
      },
      failNext: (times) =>
        void emulator.faults.add({
          operation: 'GetSecret',
          kind: 'throttle',
          times,
          retryAfterSeconds: 1,
        }),
      callCount: () =>
        emulator.calls.count() -
        emulator.calls.count('Token') -
        emulator.calls.count('OpenIdConfiguration'),
      valueReads: () => emulator.calls.count('GetSecret'),
      listOptions: { config: { vault_url } },
      async close() {
        await instance.dispose?.()
        await fixture.close()
      },
    }
  },
})
