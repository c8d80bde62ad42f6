import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DuckDBInstance } from '@duckdb/node-api'
import { createProviderRegistry, createResolver, loadManifestFromString } from '@floe/core'
import { memoryProviderModule } from '@floe/core/testing'
import { applySecrets, type DuckdbWatchEvent } from '../src/index.js'
import { isolatedConfig, tempDir } from './helpers.js'

// applySecrets(connection, manifest, { watch: true }) with real DuckDB, core's loader and
// resolver and the in-memory provider; every wait is on an event.
const originalHome = process.env.HOME
beforeAll(() => {
  process.env.HOME = tempDir('floe-home-')
})
afterAll(() => {
  process.env.HOME = originalHome
})

const yaml = `
secrets:
  api:
    provider: memory
    id: team/api
    keys: [token, unused]
    rotation: { refresh_interval: 20ms }
duckdb:
  secrets:
    - type: http
      name: api_http
      persistent: true
      bearer_token: secret://api/token
      scope: https://api.example.com/
`

async function tokenIn(secretDirectory: string): Promise<string | undefined> {
  // a fresh instance reads the persistent secret back from secret_directory
  const instance = await DuckDBInstance.create(
    ':memory:',
    isolatedConfig(secretDirectory, { allow_unredacted_secrets: 'true' }),
  )
  const connection = await instance.connect()
  try {
    const rows = (
      await connection.runAndReadAll(
        "SELECT secret_string FROM duckdb_secrets(redact := false) WHERE name = 'api_http'",
      )
    ).getRowObjectsJson()
    return /bearer_token=([^;]*)/.exec((rows[0]?.secret_string as string | undefined) ?? '')?.[1]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

describe('applySecrets({ watch: true })', () => {
  it('re-applies a persistent secret when its value changes (CREATE OR REPLACE), not when an unused key does', async () => {
    const memory = memoryProviderModule({
      data: { 'team/api': { token: 'token-one', unused: 'x1' } },
    })
    const catalog = createProviderRegistry({ modules: [memory] })
    const manifest = await loadManifestFromString(yaml, { file: 'floe.yaml', env: {}, catalog })
    const resolver = createResolver({ manifest, catalog, env: {}, mode: 'long-running' })
    const secretDirectory = tempDir()
    const instance = await DuckDBInstance.create(
      ':memory:',
      isolatedConfig(secretDirectory, { allow_unredacted_secrets: 'true' }),
    )
    const connection = await instance.connect()
    const events: DuckdbWatchEvent[] = []
    let notify: () => void = () => {}
    const next = (kind: string) =>
      new Promise<DuckdbWatchEvent>((resolve) => {
        const check = () => {
          const hit = events.find((e) => e.event === kind)
          if (hit) {
            events.splice(events.indexOf(hit), 1)
            resolve(hit)
          } else notify = check
        }
        check()
      })
    try {
      const report = await applySecrets(connection, manifest, {
        resolver,
        watch: true,
        floorMs: 0,
        onEvent: (e) => {
          events.push(e)
          notify()
        },
      })
      expect(report.created).toEqual(['api_http'])
      expect(await tokenIn(secretDirectory)).toBe('token-one')
      const provider = memory.instances[0]!
      provider.set('team/api', { token: 'token-two', unused: 'x1' })
      const reapplied = await next('reapplied')
      expect(reapplied).toEqual({ event: 'reapplied', secret: 'api', replaced: ['api_http'] })
      expect(await tokenIn(secretDirectory)).toBe('token-two')
      const live = (
        await connection.runAndReadAll(
          "SELECT secret_string FROM duckdb_secrets(redact := false) WHERE name = 'api_http'",
        )
      ).getRowObjectsJson()
      expect((live[0]?.secret_string as string | undefined) ?? '').toContain(
        'bearer_token=token-two',
      )

      provider.set('team/api', { token: 'token-two', unused: 'x2' })
      expect(await next('reapplied')).toEqual({ event: 'reapplied', secret: 'api', replaced: [] })
      expect(await tokenIn(secretDirectory)).toBe('token-two')
      report.watch.stop()
      await report.watch.idle()
      // metadata only: describe polls never fetched; fetches = initial + one per change
      expect(provider.calls.fetch).toBe(3)
    } finally {
      connection.closeSync()
      instance.closeSync()
      await resolver.dispose()
    }
  })

  it('refuses watch without a resolver', async () => {
    const catalog = createProviderRegistry({ modules: [memoryProviderModule({ data: {} })] })
    const manifest = await loadManifestFromString(yaml, { file: 'floe.yaml', env: {}, catalog })
    const instance = await DuckDBInstance.create(':memory:', isolatedConfig(tempDir()))
    const connection = await instance.connect()
    try {
      await expect(applySecrets(connection, manifest, { watch: true } as never)).rejects.toThrow(
        /needs a resolver/,
      )
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
  })
})
