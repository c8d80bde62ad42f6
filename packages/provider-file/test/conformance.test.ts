import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runProviderConformance } from '@floe/testkit'
import { provider } from '../src/index.js'

runProviderConformance({
  name: 'file',
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'floe-file-conformance-'))
    return {
      provider: provider.create(),
      ctx: { cwd: dir, env: {} },
      async seed(name, data) {
        if (typeof data === 'string') {
          await writeFile(join(dir, name), data, { mode: 0o600 })
          return { path: name }
        }
        await writeFile(join(dir, `${name}.json`), JSON.stringify(data), { mode: 0o600 })
        return { path: `${name}.json` }
      },
      missing: (name) => ({ path: join(dir, name) }),
      // a group/world-readable secret file is refused: the file provider's FORBIDDEN case
      async forbidden(name) {
        await writeFile(join(dir, name), 'readable-by-everyone', { mode: 0o644 })
        return { path: name }
      },
      listOptions: { config: { path: dir } },
      async close() {
        await rm(dir, { recursive: true, force: true })
      },
    }
  },
})
