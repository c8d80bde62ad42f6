import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createProviderRegistry, createResolver, loadManifestFromString } from '@floe/core'
import { memoryProviderModule } from '@floe/core/testing'
import { dbtEnvBindings, renderProfiles } from '../src/index.js'
import { python } from './python.js'

// The `floe secrets exec -- dbt run` flow: core's loader names the dbt bindings, the resolver
// resolves exactly those, and dbt (here: Jinja2 with dbt's env_var) reads them.
const yaml = `
version: 1
secrets:
  snowflake:
    provider: memory
    id: dbt/snowflake
    keys: [user, password]
  gcp-sa:
    provider: memory
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          account: xy12345
          user: secret://snowflake/user
          password: secret://snowflake/password
          database: ANALYTICS
          schema: \${DBT_SCHEMA:-dbt_prod}
        bq:
          type: bigquery
          method: service-account-json
          project: p
          dataset: d
          keyfile_json: secret://gcp-sa
`

describe('with core loader + resolver', () => {
  it('profiles.yml reads exactly the variables the resolver injects', async () => {
    const sa = { type: 'service_account', private_key: '-----BEGIN-----\nabc\n-----END-----\n' }
    const memory = memoryProviderModule({
      data: { 'dbt/snowflake': { user: 'dbt', password: 'hunter2' }, 'gcp-sa': JSON.stringify(sa) },
    })
    const catalog = createProviderRegistry({ modules: [memory] })
    const manifest = await loadManifestFromString(yaml, { file: 'floe.yaml', env: {}, catalog })
    const dbtBindings = manifest.env
      .filter((b) => b.origin === 'dbt')
      .map((b) => b.name)
      .sort()
    const needed = dbtEnvBindings(manifest)
    expect(needed.map((b) => b.name).sort()).toEqual(dbtBindings)
    expect(dbtBindings).toEqual([
      'DBT_ENV_SECRET_GCP_SA',
      'DBT_ENV_SECRET_SNOWFLAKE_PASSWORD',
      'DBT_ENV_SECRET_SNOWFLAKE_USER',
    ])

    const resolver = createResolver({ manifest, catalog, env: {} })
    const { env } = await resolver.resolveEnv(needed)
    await resolver.dispose()
    const dir = mkdtempSync(join(tmpdir(), 'floe-dbt-'))
    const { yaml: profiles } = renderProfiles(manifest)
    expect(profiles).not.toContain('hunter2')
    writeFileSync(join(dir, 'profiles.yml'), profiles)
    const childEnv = Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, value.reveal()]),
    )
    const result = spawnSync(
      python,
      [join(import.meta.dirname, 'render_profiles.py'), join(dir, 'profiles.yml')],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...childEnv },
        encoding: 'utf8',
      },
    )
    rmSync(dir, { recursive: true, force: true })
    expect(result.stderr).toBe('')
    const rendered = JSON.parse(result.stdout) as {
      floe: { outputs: Record<string, Record<string, unknown>> }
    }
    expect(rendered.floe.outputs.prod).toMatchObject({
      user: 'dbt',
      password: 'hunter2',
      schema: 'dbt_prod',
    })
    expect(rendered.floe.outputs.bq!.keyfile_json).toEqual(sa)
  })
})
