import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parse } from 'yaml'
import { AggregateConfigError, ConfigError, parseSecretRef } from '@floe/core'
import { dbtEnvBindings, dbtEnvName, emitter, renderProfiles } from '../src/index.js'
import { manifestFromYaml } from './helpers.js'
import { python } from './python.js'

const script = join(import.meta.dirname, 'render_profiles.py')

/** Renders profiles.yml with real Jinja2 and dbt's env_var semantics. */
function renderWithJinja(yaml: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'floe-dbt-'))
  const file = join(dir, 'profiles.yml')
  writeFileSync(file, yaml)
  const result = spawnSync(python, [script, file], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  })
  rmSync(dir, { recursive: true, force: true })
  return {
    status: result.status,
    stderr: result.stderr.trim(),
    profiles:
      result.status === 0 ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined,
  }
}

const serviceAccount = {
  type: 'service_account',
  project_id: 'analytics-prod',
  private_key_id: 'abc123',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n',
  client_email: 'dbt@analytics-prod.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
}

const manifestYaml = `
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          account: xy12345.us-east-1
          user: secret://snowflake/user
          password: secret://snowflake/password
          role: TRANSFORMER
          database: ANALYTICS
          warehouse: TRANSFORMING
          schema: dbt_prod
          threads: 8
          client_session_keep_alive: false
        keypair:
          type: snowflake
          account: xy12345.us-east-1
          user: dbt_keypair
          private_key: secret://snowflake-key/private_key
          private_key_passphrase: secret://snowflake-key/passphrase
          database: ANALYTICS
          schema: dbt_prod
          connect_timeout: secret://snowflake/timeout
        bq:
          type: bigquery
          method: service-account-json
          project: analytics-prod
          dataset: dbt
          threads: 4
          keyfile_json: secret://gcp-sa
        bq_file:
          type: bigquery
          method: service-account
          project: analytics-prod
          dataset: dbt
          keyfile: /var/run/secrets/gcp/key.json
        dbx:
          type: databricks
          host: adb-123.azuredatabricks.net
          http_path: /sql/1.0/warehouses/abc
          schema: dbt
          token: secret://databricks/token
        pg:
          type: postgres
          host: db.internal
          user: dbt
          password: secret://pg/password
          port: secret://pg/port
          dbname: analytics
          schema: "{{ env_var('DBT_SCHEMA', 'dbt_dev') }}"
          threads: 4
        rs:
          type: redshift
          host: rs.internal
          user: dbt
          password: secret://redshift/password
          port: 5439
          dbname: dev
          schema: dbt
        duck:
          type: duckdb
          path: /data/analytics.duckdb
          extensions: [httpfs, parquet]
          secrets:
            - type: s3
              key_id: secret://aws/key_id
              secret: secret://aws/secret
              region: us-east-1
          attach:
            - path: "host=db.internal password=secret://pg/password dbname=analytics"
              type: postgres
        trino:
          type: trino
          method: ldap
          host: trino.internal
          port: 443
          user: dbt
          password: secret://trino/password
          database: hive
          schema: analytics
`

const values: Record<string, string> = {
  DBT_ENV_SECRET_SNOWFLAKE_USER: 'dbt_user',
  DBT_ENV_SECRET_SNOWFLAKE_PASSWORD: "pa'ss{{ not jinja }}",
  DBT_ENV_SECRET_SNOWFLAKE_KEY_PRIVATE_KEY:
    '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----',
  DBT_ENV_SECRET_SNOWFLAKE_KEY_PASSPHRASE: 'k-pass-9',
  DBT_ENV_SECRET_SNOWFLAKE_TIMEOUT: '30',
  DBT_ENV_SECRET_GCP_SA: JSON.stringify(serviceAccount),
  DBT_ENV_SECRET_DATABRICKS_TOKEN: 'dapi123',
  DBT_ENV_SECRET_PG_PASSWORD: 'pg-pw',
  DBT_ENV_SECRET_PG_PORT: '5432',
  DBT_ENV_SECRET_REDSHIFT_PASSWORD: 'rs-pw',
  DBT_ENV_SECRET_AWS_KEY_ID: 'AKIA',
  DBT_ENV_SECRET_AWS_SECRET: 'aws-secret',
  DBT_ENV_SECRET_TRINO_PASSWORD: 'trino-pw',
}

describe('profiles.yml rendered by real Jinja2 with dbt env_var semantics', () => {
  const manifest = manifestFromYaml(manifestYaml)
  const { yaml, bindings, warnings } = renderProfiles(manifest)

  it('carries no value, only env_var() calls', () => {
    for (const value of Object.values(values)) expect(yaml).not.toContain(value)
    expect(yaml).toContain(`password: "{{ env_var('DBT_ENV_SECRET_SNOWFLAKE_PASSWORD') }}"`)
    expect(yaml).toContain(`port: "{{ env_var('DBT_ENV_SECRET_PG_PORT') | as_number }}"`)
    expect(yaml).toContain(`keyfile_json: "{{ env_var('DBT_ENV_SECRET_GCP_SA') | as_native }}"`)
    expect(warnings).toEqual([])
  })

  it('lists exactly the env vars the profile reads', () => {
    expect(bindings.map((b) => b.name).sort()).toEqual(Object.keys(values).sort())
    expect(bindings.every((b) => b.origin === 'dbt')).toBe(true)
    expect(dbtEnvBindings(manifest).map((b) => b.name)).toEqual(bindings.map((b) => b.name))
  })

  it('produces the resolved values when the env is set', () => {
    const rendered = renderWithJinja(yaml, values)
    expect(rendered.stderr).toBe('')
    const floe = rendered.profiles!.floe as {
      target: string
      outputs: Record<string, Record<string, unknown>>
    }
    expect(floe.target).toBe('prod')
    expect(floe.outputs.prod).toEqual({
      type: 'snowflake',
      account: 'xy12345.us-east-1',
      user: 'dbt_user',
      password: "pa'ss{{ not jinja }}",
      role: 'TRANSFORMER',
      database: 'ANALYTICS',
      warehouse: 'TRANSFORMING',
      schema: 'dbt_prod',
      threads: 8,
      client_session_keep_alive: false,
    })
    expect(floe.outputs.keypair).toMatchObject({
      private_key: values.DBT_ENV_SECRET_SNOWFLAKE_KEY_PRIVATE_KEY,
      private_key_passphrase: 'k-pass-9',
      connect_timeout: 30,
    })
    expect(floe.outputs.bq!.keyfile_json).toEqual(serviceAccount)
    expect(floe.outputs.bq_file!.keyfile).toBe('/var/run/secrets/gcp/key.json')
    expect(floe.outputs.dbx!.token).toBe('dapi123')
    expect(floe.outputs.pg).toMatchObject({
      password: 'pg-pw',
      port: 5432,
      schema: 'dbt_dev',
      threads: 4,
    })
    expect(floe.outputs.rs).toMatchObject({ password: 'rs-pw', port: 5439 })
    expect(floe.outputs.duck).toEqual({
      type: 'duckdb',
      path: '/data/analytics.duckdb',
      extensions: ['httpfs', 'parquet'],
      secrets: [{ type: 's3', key_id: 'AKIA', secret: 'aws-secret', region: 'us-east-1' }],
      attach: [{ path: 'host=db.internal password=pg-pw dbname=analytics', type: 'postgres' }],
    })
    expect(floe.outputs.trino).toMatchObject({ method: 'ldap', password: 'trino-pw', port: 443 })
  })

  it('fails with dbt’s message when one variable is unset', () => {
    const { DBT_ENV_SECRET_DATABRICKS_TOKEN: _, ...partial } = values
    const rendered = renderWithJinja(yaml, partial)
    expect(rendered.status).toBe(2)
    expect(rendered.stderr).toBe(
      "Env var required but not provided: 'DBT_ENV_SECRET_DATABRICKS_TOKEN'",
    )
  })

  it('honours the binding names the manifest loader chose', () => {
    const custom = manifestFromYaml(manifestYaml, [
      {
        name: 'DBT_ENV_SECRET_SF_PW',
        ref: parseSecretRef('secret://snowflake/password'),
        origin: 'dbt',
      },
      // other origins are not dbt bindings
      { name: 'SNOWFLAKE_USER', ref: parseSecretRef('secret://snowflake/user'), origin: 'derived' },
    ])
    const result = renderProfiles(custom)
    expect(result.yaml).toContain(`password: "{{ env_var('DBT_ENV_SECRET_SF_PW') }}"`)
    expect(result.yaml).toContain(`user: "{{ env_var('DBT_ENV_SECRET_SNOWFLAKE_USER') }}"`)
    expect(result.bindings.map((b) => b.name)).toContain('DBT_ENV_SECRET_SF_PW')
  })

  it('emits profiles.yml through the emitter', async () => {
    const result = await emitter.emit({
      manifest,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      options: {},
    })
    expect(emitter.name).toBe('dbt')
    expect(result.files).toEqual([{ path: 'profiles.yml', content: yaml, containsValues: false }])
    expect(parse(result.files[0]!.content)).toHaveProperty('floe.outputs.prod.type', 'snowflake')
  })
})

describe('arbitrary secret values survive env_var() exactly (generated)', () => {
  it('quotes, braces, newlines, unicode: dbt gets the value, Jinja never evaluates it', () => {
    // 300 generated values in one profile, rendered by a single python run (a process per
    // sample would be slow); a fixed seed keeps the sample reproducible.
    const arbitrary = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
      fc.constantFrom('{{ 7*7 }}', '{% raw %}x', '\'"', '\n\\', "{{ env_var('HOME') }}", '$HOME'),
    )
    const samples = fc
      .sample(arbitrary, { numRuns: 300, seed: 4004 })
      .filter((v) => !v.includes('\0')) // an environment variable cannot carry NUL
    const settings = Object.fromEntries(samples.map((_, i) => [`k${i}`, `secret://prop/k${i}`]))
    const manifest = manifestFromYaml(
      `dbt: {profiles: {p: {outputs: {t: {type: duckdb, settings: ${JSON.stringify(settings)}}}}}}`,
    )
    const { yaml, bindings } = renderProfiles(manifest)
    expect(bindings).toHaveLength(samples.length)
    const env = Object.fromEntries(
      bindings.map((b) => [b.name, samples[Number(b.ref.key!.slice(1))]!]),
    )
    const rendered = renderWithJinja(yaml, env)
    expect(rendered.stderr).toBe('')
    const out = (rendered.profiles!.p as { outputs: { t: { settings: Record<string, string> } } })
      .outputs.t
    expect(out.settings).toEqual(Object.fromEntries(samples.map((v, i) => [`k${i}`, v])))
  })
})

describe('validation', () => {
  const base = (output: string, extra = '') => `
dbt:
  profiles:
    p:
      target: t${extra}
      outputs:
        t:
${output
  .trim()
  .split('\n')
  .map((line) => `          ${line}`)
  .join('\n')}
`

  it('names the missing field, the target and the line', () => {
    expect(() =>
      renderProfiles(
        manifestFromYaml(base('type: postgres\nhost: h\nuser: u\nport: 5432\nschema: s')),
      ),
    ).toThrow(/dbt target 'p\.t' \(postgres\) needs dbname or database \(line 8\)/)
  })

  it('checks auth per adapter', () => {
    const snowflake = 'type: snowflake\naccount: a\nuser: u\ndatabase: d\nschema: s'
    expect(() => renderProfiles(manifestFromYaml(base(snowflake)))).toThrow(
      /needs one way to authenticate/,
    )
    expect(() =>
      renderProfiles(
        manifestFromYaml(base(`${snowflake}\nprivate_key: secret://k/pk\nprivate_key_path: /k.p8`)),
      ),
    ).toThrow(/both private_key and private_key_path/)
    expect(() =>
      renderProfiles(
        manifestFromYaml(base('type: bigquery\nmethod: service-account\nproject: p\ndataset: d')),
      ),
    ).toThrow(/method service-account needs keyfile/)
    expect(() =>
      renderProfiles(
        manifestFromYaml(
          base('type: trino\nmethod: jwt\nhost: h\nport: 1\nuser: u\ndatabase: d\nschema: s'),
        ),
      ),
    ).toThrow(/method jwt needs jwt_token/)
    expect(() =>
      renderProfiles(manifestFromYaml(base('type: duckdb\nsecrets: [{key_id: x}]'))),
    ).toThrow(/secrets\[0\] needs a type/)
  })

  it('collects several problems at once', () => {
    const yaml = `
dbt:
  profiles:
    a: {target: x, outputs: {t: {type: databricks, host: h, http_path: p, schema: s, token: secret://d/t}}}
    b: {outputs: {t1: {type: duckdb}, t2: {type: duckdb}}}
`
    let error: unknown
    try {
      renderProfiles(manifestFromYaml(yaml))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AggregateConfigError)
    const messages = (error as AggregateConfigError).errors.map((e) => e.message)
    expect(messages).toEqual([
      "dbt profile 'a': target 'x' is not one of its outputs (t) (line 4)",
      "dbt profile 'b' has 2 outputs: set target to one of t1, t2 (line 5)",
    ])
  })

  it('warns on unknown fields, plain credentials and unknown adapters', () => {
    const result = renderProfiles(
      manifestFromYaml(`
dbt:
  profiles:
    p:
      target: t
      outputs:
        t: {type: postgres, host: h, user: u, password: hunter2, port: 5432, dbname: d, schema: s, treads: 4}
        s: {type: clickhouse, host: h}
`),
    )
    expect(result.warnings).toEqual([
      "dbt target 'p.t': unknown postgres field 'treads' (check the spelling; dbt-postgres may ignore or reject it)",
      "dbt target 'p.t': password is a plain value in the manifest; reference it as secret://… so it stays out of profiles.yml",
      "dbt target 'p.s': no field checks for adapter 'clickhouse'; emitted as written",
    ])
  })

  it('rejects two references that would share one env var', () => {
    const yaml = `
dbt:
  profiles:
    p:
      outputs:
        t: {type: databricks, host: h, http_path: p, schema: s, token: secret://dbx-prod/token, client_secret: secret://dbx_prod/token}
`
    expect(() => renderProfiles(manifestFromYaml(yaml))).toThrow(
      /env var DBT_ENV_SECRET_DBX_PROD_TOKEN would carry both secret:\/\/dbx-prod\/token and secret:\/\/dbx_prod\/token/,
    )
  })

  it('seed 004: the ADR profile passes through, with a scrubbing warning, and renders', () => {
    // the ADR's generated profile, written into the manifest as-is (database/schema added:
    // dbt-snowflake requires them; without them the error names the missing fields)
    const adr = `
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          account: "{{ env_var('SNOWFLAKE_ACCOUNT') }}"
          user: "{{ env_var('SNOWFLAKE_USER') }}"
          password: "{{ env_var('SNOWFLAKE_PASSWORD') }}"
`
    expect(() => renderProfiles(manifestFromYaml(adr))).toThrow(/needs database/)
    const result = renderProfiles(
      manifestFromYaml(`${adr}          database: ANALYTICS\n          schema: dbt\n`),
    )
    expect(result.bindings).toEqual([])
    expect(result.warnings).toEqual([
      "dbt target 'floe.prod': password reads env var SNOWFLAKE_PASSWORD, which dbt does not scrub from its logs; use secret://… (floe names it DBT_ENV_SECRET_…)",
    ])
    const rendered = renderWithJinja(result.yaml, {
      SNOWFLAKE_ACCOUNT: 'xxx.us-east-1',
      SNOWFLAKE_USER: 'dbt_user',
      SNOWFLAKE_PASSWORD: 'pw',
    })
    expect(rendered.profiles).toEqual({
      floe: {
        target: 'prod',
        outputs: {
          prod: {
            type: 'snowflake',
            account: 'xxx.us-east-1',
            user: 'dbt_user',
            password: 'pw',
            database: 'ANALYTICS',
            schema: 'dbt',
          },
        },
      },
    })
  })

  it('rejects a missing profiles mapping', () => {
    expect(() => renderProfiles(manifestFromYaml('dbt: {}'))).toThrow(
      /the dbt: section has no profiles: nothing to emit/,
    )
    expect(() => renderProfiles(manifestFromYaml('dbt: { profiles: [] }'))).toThrow(ConfigError)
  })

  it('a manifest without a dbt: section (it validates) says so, with what to add', () => {
    const attempt = () => renderProfiles(manifestFromYaml('secrets: {}'))
    expect(attempt).toThrow(/the manifest has no dbt: section: nothing to emit/)
    expect(attempt).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('add dbt.profiles') }),
    )
  })

  it('derives names like core: DBT_ENV_SECRET_<SECRET>_<KEY>', () => {
    expect(dbtEnvName({ name: 'snowflake-prod', key: 'privateKey' })).toBe(
      'DBT_ENV_SECRET_SNOWFLAKE_PROD_PRIVATE_KEY',
    )
    expect(dbtEnvName({ name: 'gcp.sa' })).toBe('DBT_ENV_SECRET_GCP_SA')
  })
})
