import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createProviderRegistry, createResolver, loadManifestFromString } from '@floe/core'
import { memoryProviderModule } from '@floe/core/testing'
import { dbtEnvBindings, renderProfiles } from '../src/index.js'
import { python } from './python.js'

// env_naming (core's one naming rule) decides the env_var() names in profiles.yml; the resolver
// injects exactly those and real Jinja2 with dbt's env_var reads them back.
const secrets = `
secrets:
  snowflake-credentials:
    provider: memory
    id: prod/snowflake
    keys: [account, user, password]
  catalog:
    provider: memory
    id: prod/catalog
    keys: [client_secret]
`
const profile = `
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          account: secret://snowflake-credentials/account
          user: secret://snowflake-credentials/user
          password: secret://snowflake-credentials/password
          database: ANALYTICS
          schema: dbt_prod
          query_tag: secret://catalog/client_secret
`
const data = {
  'prod/snowflake': { account: 'xy12345.us-east-1', user: 'dbt_user', password: "pa'ss{{ x }}" },
  'prod/catalog': { client_secret: 'cat-secret' },
}

async function emitAndRender(head: string, override = '') {
  const catalog = createProviderRegistry({ modules: [memoryProviderModule({ data })] })
  const text =
    head + secrets.replace('    keys: [account', `${override}    keys: [account`) + profile
  const manifest = await loadManifestFromString(text, { file: 'floe.yaml', env: {}, catalog })
  const { yaml, warnings } = renderProfiles(manifest)
  const needed = dbtEnvBindings(manifest)
  const resolver = createResolver({ manifest, catalog, env: {} })
  const { env } = await resolver.resolveEnv(needed)
  await resolver.dispose()
  const dir = mkdtempSync(join(tmpdir(), 'floe-dbt-naming-'))
  try {
    writeFileSync(join(dir, 'profiles.yml'), yaml)
    const childEnv = Object.fromEntries(Object.entries(env).map(([n, v]) => [n, v.reveal()]))
    const result = spawnSync(
      python,
      [join(import.meta.dirname, 'render_profiles.py'), join(dir, 'profiles.yml')],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...childEnv }, encoding: 'utf8' },
    )
    expect(result.stderr.trim()).toBe('')
    const rendered = JSON.parse(result.stdout) as {
      floe: { outputs: { prod: Record<string, unknown> } }
    }
    return {
      yaml,
      warnings,
      names: needed.map((b) => b.name).sort(),
      prod: rendered.floe.outputs.prod,
      manifest,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const expectedValues = {
  account: 'xy12345.us-east-1',
  user: 'dbt_user',
  password: "pa'ss{{ x }}",
  query_tag: 'cat-secret',
}

describe('dbt env var names follow env_naming', () => {
  it('default (secret_key): DBT_ENV_SECRET_<SECRET>_<KEY>, as before', async () => {
    const out = await emitAndRender('')
    expect(out.names).toEqual([
      'DBT_ENV_SECRET_CATALOG_CLIENT_SECRET',
      'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_ACCOUNT',
      'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_PASSWORD',
      'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_USER',
    ])
    expect(out.prod).toMatchObject(expectedValues)
    expect(out.warnings).toEqual([])
  })

  it('key: DBT_ENV_SECRET_<KEY>, still scrubbed by dbt', async () => {
    const out = await emitAndRender('env_naming: key\n')
    expect(out.yaml).toContain(`account: "{{ env_var('DBT_ENV_SECRET_ACCOUNT') }}"`)
    expect(out.names).toEqual([
      'DBT_ENV_SECRET_ACCOUNT',
      'DBT_ENV_SECRET_CLIENT_SECRET',
      'DBT_ENV_SECRET_PASSWORD',
      'DBT_ENV_SECRET_USER',
    ])
    expect(out.prod).toMatchObject(expectedValues)
    expect(out.warnings).toEqual([])
  })

  it("dbt_prefix '' with a secret's env_prefix: the ADR's env_var('SNOWFLAKE_ACCOUNT'), with a warning", async () => {
    const out = await emitAndRender(
      'env_naming: { dbt_prefix: "" }\n',
      '    env_prefix: SNOWFLAKE\n',
    )
    expect(out.yaml).toContain(`account: "{{ env_var('SNOWFLAKE_ACCOUNT') }}"`)
    expect(out.yaml).toContain(`password: "{{ env_var('SNOWFLAKE_PASSWORD') }}"`)
    // the other secret keeps the manifest's scheme (secret_key)
    expect(out.yaml).toContain(`query_tag: "{{ env_var('CATALOG_CLIENT_SECRET') }}"`)
    expect(out.names).toEqual([
      'CATALOG_CLIENT_SECRET',
      'SNOWFLAKE_ACCOUNT',
      'SNOWFLAKE_PASSWORD',
      'SNOWFLAKE_USER',
    ])
    // the profile reads the very names exec and the pod's envFrom carry
    const execNames = out.manifest.env.filter((b) => b.origin === 'derived').map((b) => b.name)
    expect(execNames).toEqual(expect.arrayContaining(out.names))
    expect(out.prod).toMatchObject(expectedValues)
    expect(out.warnings).toEqual([
      'profiles.yml reads CATALOG_CLIENT_SECRET, SNOWFLAKE_ACCOUNT, SNOWFLAKE_PASSWORD, SNOWFLAKE_USER without the DBT_ENV_SECRET_ prefix (env_naming.dbt_prefix): dbt does not scrub their values from its logs',
    ])
  })

  it('a per-secret env_naming overrides the top-level scheme', async () => {
    const out = await emitAndRender('env_naming: key\n', '    env_naming: secret_key\n')
    expect(out.names).toEqual([
      'DBT_ENV_SECRET_CLIENT_SECRET',
      'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_ACCOUNT',
      'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_PASSWORD',
      'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_USER',
    ])
    expect(out.prod).toMatchObject(expectedValues)
  })
})
