import { describe, expect, it } from 'vitest'
import {
  AggregateConfigError,
  ConfigError,
  InvalidSecretError,
  SecretValue,
  refId,
} from '@floe/core'
import {
  emitter,
  planDuckdbSecrets,
  quoteLiteral,
  renderCreateSecret,
  renderDropSecret,
  type ValueSource,
} from '../src/index.js'
import { manifestFromYaml } from './helpers.js'
import { exampleYaml, examples, seedPersistentSql, seedTemporarySql } from './seed-000.js'

const noValues: ValueSource = { valueOf: () => undefined }
const valuesOf = (map: Record<string, string>): ValueSource => ({
  valueOf: (ref) => (map[refId(ref)] === undefined ? undefined : new SecretValue(map[refId(ref)]!)),
})

function plan(yaml: string) {
  return planDuckdbSecrets(manifestFromYaml(yaml))
}

describe('seed 000 examples', () => {
  it.each(Object.keys(examples))('%s plans without errors', (name) => {
    const result = plan(exampleYaml(name))
    expect(result.secrets.length).toBeGreaterThan(0)
    for (const secret of result.secrets) {
      expect(secret.name).toBe(secret.name.toLowerCase())
      expect(renderCreateSecret(secret, noValues)).toMatch(
        /^CREATE OR REPLACE (TEMPORARY|PERSISTENT) SECRET /,
      )
    }
  })

  it('renders the seed temporary SQL exactly', () => {
    const [secret] = plan(`
duckdb:
  secrets:
    - type: s3
      name: s3_prod
      key_id: AKIAIOSFODNN7EXAMPLE
      secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
      region: us-west-2
`).secrets
    expect(renderCreateSecret(secret!, noValues, { orReplace: false })).toBe(seedTemporarySql)
  })

  it('renders the seed persistent SQL with an explicit PERSISTENT keyword', () => {
    const [secret] = plan(`
duckdb:
  secrets:
    - type: s3
      name: s3_prod
      key_id: AKIAIOSFODNN7EXAMPLE
      secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
      region: us-west-2
      persistent: true
`).secrets
    const sql = renderCreateSecret(secret!, noValues, { orReplace: false })
    expect(sql.startsWith('CREATE PERSISTENT SECRET s3_prod (')).toBe(true)
    expect(sql.replace('CREATE PERSISTENT SECRET', 'CREATE SECRET')).toBe(seedPersistentSql)
  })

  it('defaults to temporary and honours persistent: true per secret (mixed example)', () => {
    const result = plan(exampleYaml('mixed'))
    expect(result.secrets.map((s) => [s.name, s.persistent])).toEqual([
      ['prod_data_lake', true],
      ['dev_test_bucket', false],
      ['analytics_db', false],
    ])
    expect(result.database).toBe('hybrid_catalog.duckdb')
    expect(result.installExtensions).toEqual(['httpfs'])
  })

  it('maps the seed postgres connection_string to DuckDB URI and redacts it', () => {
    const [, pg] = plan(exampleYaml('default temporary')).secrets
    expect(pg!.params.map((p) => p.name)).toEqual(['uri'])
    const redacted = renderCreateSecret(pg!, undefined, { redact: true })
    expect(redacted).toContain("URI '***'")
    expect(redacted).not.toContain('postgresql://')
  })

  it('supports SCOPE, which the seed wrongly calls unsupported', () => {
    const [secret] = plan(exampleYaml('scope (seed calls it unsupported)')).secrets
    expect(secret!.scopes).toEqual(['s3://specific-bucket/prefix/'])
    expect(renderCreateSecret(secret!, noValues)).toContain(
      "    SCOPE 's3://specific-bucket/prefix/'\n);",
    )
  })

  it('rejects the seed "basic auth for HTTP" example naming the parameter and its line', () => {
    const yaml = `
duckdb:
  secrets:
    - type: http
      name: api_basic_auth
      key_id: user
      secret: pass
`
    let error: unknown
    try {
      plan(yaml)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AggregateConfigError)
    const [first] = (error as AggregateConfigError).errors
    expect(first!.message).toContain(
      "unknown parameter 'key_id' for duckdb secret 'api_basic_auth'",
    )
    expect(first!.message).toContain('expected one of bearer_token, extra_http_headers')
    expect(first!.location?.line).toBe(6)
  })
})

describe('validation', () => {
  it('names a single unknown parameter, the secret, the type/provider and the line', () => {
    expect(() =>
      plan(`
duckdb:
  secrets:
    - type: s3
      name: lake
      key_id: a
      regoin: eu-west-1
`),
    ).toThrow(
      /unknown parameter 'regoin' for duckdb secret 'lake' \(type s3, provider config\).*\(line 7\)/,
    )
  })

  it('validates parameters per provider', () => {
    // CHAIN only exists for credential_chain
    expect(() => plan(`duckdb: {secrets: [{type: s3, name: a, chain: env}]}`)).toThrow(ConfigError)
    const [s3] = plan(
      `duckdb: {secrets: [{type: s3, name: a, provider: credential_chain, chain: [env, config], profile: dev}]}`,
    ).secrets
    expect(renderCreateSecret(s3!, noValues)).toContain(
      "PROVIDER credential_chain,\n    CHAIN 'env;config',\n    PROFILE 'dev'",
    )
    expect(s3!.extensions).toEqual(['httpfs', 'aws'])
    expect(() =>
      plan(
        `duckdb: {secrets: [{type: huggingface, name: h, provider: credential_chain, token: x}]}`,
      ),
    ).toThrow(/this provider takes no parameters/)
    expect(() => plan(`duckdb: {secrets: [{type: s3, name: a, provider: magic}]}`)).toThrow(
      /unknown provider "magic"; expected one of config, credential_chain/,
    )
    expect(() => plan(`duckdb: {secrets: [{type: gcs, name: a, account_id: x}]}`)).toThrow(
      /'account_id'/,
    )
    expect(
      plan(`duckdb: {secrets: [{type: r2, name: a, account_id: x}]}`).secrets[0]!.params[0]!.name,
    ).toBe('account_id')
  })

  it('checks azure service principal completeness', () => {
    expect(() =>
      plan(
        `duckdb: {secrets: [{type: azure, name: a, provider: service_principal, tenant_id: t, client_id: c}]}`,
      ),
    ).toThrow(/exactly one of client_secret or client_certificate_path/)
    const [sp] = plan(
      `duckdb: {secrets: [{type: azure, name: a, provider: service_principal, tenant_id: t, client_id: c, client_certificate_path: /c.pem, account_name: acct}]}`,
    ).secrets
    expect(sp!.effectiveProvider).toBe('service_principal')
  })

  it('rejects unknown types, duplicate names, bad booleans, empty scopes and enum typos', () => {
    expect(() => plan(`duckdb: {secrets: [{type: ftp, name: a}]}`)).toThrow(
      /unknown type 'ftp'; expected one of s3, r2, gcs/,
    )
    expect(() => plan(`duckdb: {secrets: [{type: http, name: A}, {type: http, name: a}]}`)).toThrow(
      /declared twice/,
    )
    expect(() => plan(`duckdb: {secrets: [{type: s3, name: a, use_ssl: maybe}]}`)).toThrow(
      /must be true or false/,
    )
    expect(() => plan(`duckdb: {secrets: [{type: s3, name: a, scope: []}]}`)).toThrow(/empty list/)
    expect(() => plan(`duckdb: {secrets: [{type: s3, name: a, url_style: paths}]}`)).toThrow(
      /one of vhost, path/,
    )
    expect(() => plan(`duckdb: {secrets: [{type: http, name: "a b"}]}`)).toThrow(/needs a name/)
    expect(() => plan(`duckdb: {secrets: [{type: http, name: a, scope: "secret://x/y"}]}`)).toThrow(
      /cannot be a secret/,
    )
  })

  it('warns when a type needs an extension the manifest does not install', () => {
    const result = plan(`duckdb: {secrets: [{type: postgres, name: pg, host: h}]}`)
    expect(result.warnings).toEqual([
      expect.stringContaining("needs the DuckDB 'postgres' extension"),
    ])
    expect(
      plan(
        `duckdb: {install_extensions: [postgres], secrets: [{type: postgres, name: pg, host: h}]}`,
      ).warnings,
    ).toEqual([])
  })

  it('warns about persistent secrets without a scope', () => {
    expect(plan(`duckdb: {secrets: [{type: http, name: a, persistent: true}]}`).warnings).toEqual([
      "duckdb secret 'a' is persistent without a scope: it applies to every http path; limit it with scope: (e.g. s3://bucket/prefix/)",
    ])
    expect(
      plan(`duckdb: {secrets: [{type: http, name: a, persistent: true, scope: https://x/}]}`)
        .warnings,
    ).toEqual([])
  })

  it('lowercases names like DuckDB does', () => {
    expect(plan(`duckdb: {secrets: [{type: http, name: MyApi}]}`).secrets[0]!.name).toBe('myapi')
  })
})

describe('rendering', () => {
  const yaml = `
duckdb:
  secrets:
    - type: http
      name: api
      bearer_token: secret://api/token
      extra_http_headers:
        X-Team: data
        Authorization: "Basic secret://api/basic"
      http_proxy: http://proxy:3128
      scope: [https://a.example/, https://b.example/]
    - type: s3
      name: lake
      use_ssl: false
      url_compatibility_mode: "true"
      key_id: secret://aws/key_id
      secret: secret://aws/secret
    - type: postgres
      name: pg
      host: db
      port: 5432
      password: secret://pg/password
`
  const values = valuesOf({
    'secret://api/token': "t'o\\k\nen",
    'secret://api/basic': 'dXNlcjpwdw==',
    'secret://aws/key_id': 'AKIA1',
    'secret://aws/secret': 's3cr3t',
    'secret://pg/password': "pa'ss",
  })

  it('renders literals, booleans, numbers, MAP and a SCOPE list', () => {
    const [api, lake, pg] = plan(yaml).secrets
    expect(renderCreateSecret(api!, values)).toBe(
      [
        'CREATE OR REPLACE TEMPORARY SECRET api (',
        '    TYPE HTTP,',
        "    BEARER_TOKEN 't''o\\k\nen',",
        "    EXTRA_HTTP_HEADERS MAP {'X-Team': 'data', 'Authorization': 'Basic dXNlcjpwdw=='},",
        "    HTTP_PROXY 'http://proxy:3128',",
        "    SCOPE ('https://a.example/', 'https://b.example/')",
        ');',
      ].join('\n'),
    )
    expect(renderCreateSecret(lake!, values)).toContain(
      'USE_SSL false,\n    URL_COMPATIBILITY_MODE true,',
    )
    expect(renderCreateSecret(pg!, values)).toContain("PORT 5432,\n    PASSWORD 'pa''ss'")
  })

  it('redacts secret-derived and credential values, keeps the rest readable', () => {
    const [api, lake] = plan(yaml).secrets
    const shown = renderCreateSecret(api!, undefined, { redact: true })
    expect(shown).toContain("BEARER_TOKEN '***'")
    expect(shown).toContain("MAP {'X-Team': 'data', 'Authorization': '***'}")
    expect(shown).toContain("HTTP_PROXY 'http://proxy:3128'")
    const lakeShown = renderCreateSecret(lake!, undefined, { redact: true, annotate: true })
    expect(lakeShown).toContain("KEY_ID '***', /* secret://aws/key_id */")
    expect(lakeShown).toContain("SECRET '***' /* secret://aws/secret */\n);")
    // literal credentials (e.g. from ${env:…}, already interpolated) are redacted too
    const [literal] = plan(
      `duckdb: {secrets: [{type: s3, name: a, key_id: AKIA, secret: plain-text}]}`,
    ).secrets
    expect(renderCreateSecret(literal!, undefined, { redact: true })).toBe(
      "CREATE OR REPLACE TEMPORARY SECRET a (\n    TYPE S3,\n    KEY_ID 'AKIA',\n    SECRET '***'\n);",
    )
  })

  it('fails when a reference has no value instead of writing an empty literal', () => {
    const [api] = plan(yaml).secrets
    expect(() => renderCreateSecret(api!, noValues)).toThrow(
      /secret:\/\/api\/token was not resolved/,
    )
  })

  it('rejects NUL without echoing the value', () => {
    const [api] = plan(yaml).secrets
    const nul = valuesOf({ 'secret://api/token': 'abc\0hidden-value', 'secret://api/basic': 'x' })
    expect(() => renderCreateSecret(api!, nul)).toThrow(InvalidSecretError)
    try {
      renderCreateSecret(api!, nul)
    } catch (error) {
      expect((error as Error).message).toContain(
        "parameter 'bearer_token' of duckdb secret 'api' contains a NUL",
      )
      expect((error as Error).message).not.toContain('hidden-value')
    }
  })

  it('quotes names that are not plain identifiers and drops with an explicit storage keyword', () => {
    const [secret] = plan(`duckdb: {secrets: [{type: http, name: my-api}]}`).secrets
    expect(renderCreateSecret(secret!, noValues)).toContain('TEMPORARY SECRET "my-api" (')
    expect(renderDropSecret('my-api', true)).toBe('DROP PERSISTENT SECRET "my-api";')
    expect(renderDropSecret('x', false, true)).toBe('DROP TEMPORARY SECRET IF EXISTS x;')
    expect(quoteLiteral("it's")).toBe("'it''s'")
  })
})

describe('emitter', () => {
  it('writes a reviewable duckdb-secrets.sql that carries no value', async () => {
    const manifest = manifestFromYaml(exampleYaml('persistent'))
    const result = await emitter.emit({
      manifest,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      options: {},
    })
    expect(emitter.name).toBe('duckdb')
    expect(result.files).toHaveLength(1)
    const [file] = result.files
    expect(file!.path).toBe('duckdb-secrets.sql')
    expect(file!.containsValues).toBe(false)
    expect(file!.content).toContain('INSTALL httpfs;\nLOAD httpfs;')
    expect(file!.content).toContain('CREATE OR REPLACE PERSISTENT SECRET production_s3 (')
    expect(file!.content).toContain('UNENCRYPTED')
    expect(file!.content).not.toContain('wJalrXUtnFEMI')
    expect(file!.content).not.toContain('AccountKey')
    expect(result.warnings).toEqual([
      expect.stringContaining("'production_s3' is persistent without a scope"),
      expect.stringContaining("'azure_storage' is persistent without a scope"),
      expect.stringContaining("needs the DuckDB 'azure' extension"),
    ])
  })
})
