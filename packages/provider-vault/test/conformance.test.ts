import { runProviderConformance } from '@floe/testkit'
import { provider } from '../src/index.js'
import { startFixture } from './helpers.js'

// The provider runs with a least-privilege token (not root): `forbidden/` is readable by nobody.
runProviderConformance({
  name: 'vault',
  async setup() {
    const fixture = await startFixture({
      policies: {
        conformance: [
          { path: 'secret/data/conformance/*', capabilities: ['create', 'read', 'update'] },
          { path: 'secret/metadata/conformance/*', capabilities: ['read', 'list', 'delete'] },
        ],
      },
    })
    const { vault } = fixture
    const token = vault.createToken({ policies: ['conformance'], ttlSeconds: 3600 })
    const instance = provider.create({ client: fixture.client, token })
    const config = (name: string) => ({ path: `secret/data/conformance/${name}` })
    return {
      provider: instance,
      async seed(name, data) {
        vault.writeKv(
          `secret/conformance/${name}`,
          typeof data === 'string' ? { value: data } : data,
        )
        return config(name)
      },
      missing: config,
      async forbidden(name) {
        vault.writeKv(`secret/forbidden/${name}`, { value: 'classified' })
        return { path: `secret/data/forbidden/${name}` }
      },
      failNext: (times) =>
        void vault.faults.add({ operation: '*', kind: 'error', status: 503, times }),
      callCount: () => vault.calls.count(),
      valueReads: () => vault.calls.count('kv.read'),
      listOptions: { prefix: 'conformance', config: { mount: 'secret' } },
      async close() {
        await instance.dispose?.()
        await fixture.close()
      },
    }
  },
})
