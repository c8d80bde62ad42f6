import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  ConfigError,
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
} from '@floe/core'
import { memoryProviderModule } from '@floe/core/testing'
import { applySecrets, planDuckdbSecrets } from '../src/index.js'
import { isolatedConfig, tempDir } from './helpers.js'

// Through core's real manifest loader and resolver, with the in-memory provider.
const originalHome = process.env.HOME
beforeAll(() => {
  process.env.HOME = tempDir('floe-home-')
})
afterAll(() => {
  process.env.HOME = originalHome
})

const yaml = `
version: 1
secrets:
  api:
    provider: memory
    id: team/api
    keys: [token]
  proxy:
    provider: memory
    keys: [password]
duckdb:
  secrets:
    - type: http
      name: api
      bearer_token: secret://api/token
      http_proxy: \${PROXY_URL}
      http_proxy_username: svc
      http_proxy_password: secret://proxy/password
      scope: [https://api.example.com/, https://api2.example.com/]
`

async function setup(text: string) {
  const memory = memoryProviderModule({
    data: { 'team/api': { token: "tok'en" }, proxy: { password: 'pr0xy' } },
  })
  const catalog = createProviderRegistry({ modules: [memory] })
  const manifest = await loadManifestFromString(text, {
    file: 'floe.yaml',
    env: { PROXY_URL: 'http://proxy.internal:3128' },
    catalog,
  })
  const resolver = createResolver({ manifest, catalog, env: {} })
  return { manifest, resolver, memory }
}

describe('with core loader + resolver', () => {
  it('applies secrets resolved through the real resolver', async () => {
    const { manifest, resolver, memory } = await setup(yaml)
    const instance = await DuckDBInstance.create(
      ':memory:',
      isolatedConfig(tempDir(), { allow_unredacted_secrets: 'true' }),
    )
    const connection = await instance.connect()
    try {
      const report = await applySecrets(connection, manifest, { resolver })
      expect(report.created).toEqual(['api'])
      expect(report.verified[0]).toMatchObject({
        scope: ['https://api.example.com/', 'https://api2.example.com/'],
        ok: true,
      })
      expect(memory.instances[0]!.calls.fetch).toBeGreaterThanOrEqual(1)
      expect(memory.instances[0]!.fetched.sort()).toEqual(['proxy', 'team/api'])
      const rows = (
        await connection.runAndReadAll('SELECT secret_string FROM duckdb_secrets(redact := false)')
      ).getRowObjectsJson()
      expect(rows[0]!.secret_string).toBe(
        "name=api;type=http;provider=config;serializable=true;scope=https://api.example.com/,https://api2.example.com/;bearer_token=tok'en;http_proxy=http://proxy.internal:3128;http_proxy_password=pr0xy;http_proxy_username=svc",
      )
    } finally {
      connection.closeSync()
      instance.closeSync()
      await resolver.dispose()
    }
  })

  it('reports an unknown parameter at its line in the real manifest', async () => {
    const { manifest } = await setup(
      yaml.replace('http_proxy_username: svc', 'proxy_username: svc'),
    )
    let error: unknown
    try {
      planDuckdbSecrets(manifest)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toContain(
      "unknown parameter 'proxy_username' for duckdb secret 'api'",
    )
    expect((error as ConfigError).location?.line).toBe(17)
  })
})
