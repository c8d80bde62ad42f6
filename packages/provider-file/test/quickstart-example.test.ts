import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createResolver, loadManifest, type ProviderCatalog, type ProviderModule } from '@floe/core'
// the workspace root lists every first-party package, so the env provider resolves from here
import { provider as envProvider } from '@floe/provider-env'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { provider as fileProvider } from '../src/index.js'

/**
 * examples/quickstart must keep working: load its manifest and resolve every env binding
 * through the real env and file providers, from a copy (a fresh checkout has 0644 files).
 */
const example = resolve(import.meta.dirname, '../../../examples/quickstart')
const modules: Record<string, ProviderModule> = {
  env: envProvider,
  file: fileProvider,
}
const catalog: ProviderCatalog = {
  names: () => Object.keys(modules),
  has: (name) => name in modules,
  load: async (name) => modules[name],
  packageFor: (name) => `@floe/provider-${name}`,
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-quickstart-'))
  await cp(example, dir, { recursive: true })
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function resolveEnv(env: NodeJS.ProcessEnv) {
  const manifest = await loadManifest(join(dir, 'floe.yaml'), { env, catalog })
  const resolver = createResolver({ manifest, catalog, env, cwd: manifest.dir })
  try {
    const { env: values, report } = await resolver.resolveEnv(manifest.env, { allowPartial: true })
    const plain = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.reveal()]))
    return { plain, report }
  } finally {
    await resolver.dispose()
  }
}

describe('examples/quickstart', () => {
  it('resolves every binding from the secrets directory and quickstart.env', async () => {
    for (const file of await readdir(join(dir, 'secrets')))
      await chmod(join(dir, 'secrets', file), 0o600)
    const { plain, report } = await resolveEnv({})
    expect(report.failures).toEqual([])
    expect(plain).toMatchObject({
      WAREHOUSE_USER: 'quickstart_analyst',
      WAREHOUSE_PASSWORD: 'quickstart-not-a-real-password',
      DBT_ENV_SECRET_WAREHOUSE_PASSWORD: 'quickstart-not-a-real-password',
      API_TOKEN: 'quickstart-not-a-real-api-token',
      KAFKA_SASL_PASSWORD: 'quickstart-not-a-real-kafka-password',
    })
    for (const value of Object.values(plain)) expect(value).toMatch(/^quickstart[-_]/)
  })

  it('lets an exported variable win over quickstart.env', async () => {
    for (const file of await readdir(join(dir, 'secrets')))
      await chmod(join(dir, 'secrets', file), 0o600)
    const { plain } = await resolveEnv({ API_TOKEN: 'from-the-shell' })
    expect(plain.API_TOKEN).toBe('from-the-shell')
  })

  it('refuses the secrets directory until it is chmod 600, as the README says', async () => {
    for (const file of await readdir(join(dir, 'secrets')))
      await chmod(join(dir, 'secrets', file), 0o644)
    const { report } = await resolveEnv({})
    const codes = new Set(report.failures.map((f) => `${f.ref.name}:${f.error.code}`))
    expect([...codes]).toEqual(['warehouse:FORBIDDEN'])
    expect(report.failures[0]!.error.message).toContain('chmod 600')
  })
})
