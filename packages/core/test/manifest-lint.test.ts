import { describe, expect, it } from 'vitest'
import { lintManifest, loadManifestFromString } from '@floe/core'
import { yaml } from './fixtures/helpers.js'

async function lint(text: string, env: NodeJS.ProcessEnv = {}) {
  return lintManifest(await loadManifestFromString(text, { env, file: 'floe.yaml' }))
}

const credentials = yaml`
secrets:
  sf:
    provider: aws_secrets_manager
    secret_id: prod/snowflake
    keys: [password]
    auth: { type: static, access_key_id: AKIAEXAMPLE, secret_access_key: wJalrEXAMPLE }
  gcp:
    provider: gcp_secret_manager
    project: p
    secret: production-api-key
  dev:
    provider: env
    variables: { password: DB_PASSWORD }
    fallback: { provider: aws_secrets_manager, secret_id: other }
duckdb:
  secrets:
    - type: s3
      name: lake
      key_id: AKIAEXAMPLE
      secret: \${env:AWS_SECRET}
dbt:
  profiles:
    p:
      outputs:
        prod:
          password: hunter2
          token: "{{ env_var('DBT_ENV_SECRET_TOKEN') }}"
          private_key: secret://sf/password
          user: analyst
`

describe('lintManifest', () => {
  it('flags literal credentials, never echoing them', async () => {
    const findings = await lint(credentials, { AWS_SECRET: 'from-env' })
    expect(
      findings.map((f) => [f.code, f.severity, f.location?.line, f.location?.column, f.secret]),
    ).toEqual([
      ['plaintext-credential', 'error', 6, 42, 'sf'],
      ['plaintext-credential', 'error', 6, 74, 'sf'],
      ['plaintext-credential', 'error', 19, 15, undefined],
      ['plaintext-credential', 'error', 26, 21, undefined],
    ])
    expect(findings[3]?.message).toBe(
      'dbt.profiles.p.outputs.prod.password holds a literal credential: use a secret:// reference or ${env:VAR}',
    )
    const text = JSON.stringify(findings)
    for (const value of ['AKIAEXAMPLE', 'wJalrEXAMPLE', 'hunter2', 'from-env'])
      expect(text).not.toContain(value)
  })

  it('environment: dev downgrades plaintext credentials to warnings (local testing)', async () => {
    const findings = await lint(`environment: dev\n${credentials}`, { AWS_SECRET: 'x' })
    expect(
      findings.filter((f) => f.code === 'plaintext-credential').map((f) => f.severity),
    ).toEqual(['warning', 'warning', 'warning', 'warning'])
    expect(findings[0]?.message).toMatch(/\(allowed for local testing in environment: dev\)$/)
  })

  it('flags a secret of another environment', async () => {
    const text = yaml`
environment: staging
secrets:
  ok: { provider: vault, path: secret/data/staging/db }
  neutral: { provider: vault, path: secret/data/db }
  leak: { provider: aws_secrets_manager, secret_id: production/db }
  param: { provider: aws_parameter_store, name: /prod/db/password }
`
    expect(
      (await lint(text)).map((f) => [f.code, f.severity, f.secret, f.location?.line, f.message]),
    ).toEqual([
      [
        'cross-environment',
        'error',
        'leak',
        5,
        'secrets.leak.secret_id points at the prod environment, but this manifest is environment: staging; use a separate secret per environment',
      ],
      [
        'cross-environment',
        'error',
        'param',
        6,
        'secrets.param.name points at the prod environment, but this manifest is environment: staging; use a separate secret per environment',
      ],
    ])
    // without `environment:` there is nothing to compare against
    expect(await lint(text.replace('environment: staging\n', ''))).toEqual([])
    // prod and production are the same environment
    expect(
      await lint(text.replace('environment: staging', 'environment: production')),
    ).toHaveLength(1)
  })

  it('warns about persistent DuckDB secrets without scope', async () => {
    const findings = await lint(yaml`
duckdb:
  secrets:
    - { type: s3, name: a, persistent: true }
    - { type: s3, name: b, persistent: true, scope: "s3://bucket/" }
    - { type: s3, name: c, persistent: true, scope: [] }
    - { type: s3, name: d }
`)
    expect(findings.map((f) => [f.code, f.severity, f.location?.line])).toEqual([
      ['duckdb-persistent-unscoped', 'warning', 3],
      ['duckdb-persistent-unscoped', 'warning', 5],
    ])
    expect(findings[0]?.message).toMatch(
      /^duckdb\.secrets\[0\] \(a\) is persistent but has no scope/,
    )
  })

  it('flags references to undeclared secrets and keys', async () => {
    const findings = await lint(yaml`
secrets:
  db: { provider: vault, path: p, keys: [user, password] }
  whole: { provider: vault, path: q }
lookups:
  a: secret://db/password
  b: secret://db/passwd
  c: secret://nope/x
  d: secret://whole/anything
plugins:
  compute:
    type: snowflake
    connection_secret_ref: snowflake-credentials
`)
    expect(
      findings.map((f) => [f.code, f.severity, f.secret, f.location?.line, f.message]),
    ).toEqual([
      [
        'undeclared-key',
        'error',
        'db',
        6,
        'lookups.b references secret://db/passwd, but secrets.db declares keys: user, password',
      ],
      [
        'undeclared-secret',
        'error',
        'nope',
        7,
        'lookups.c references secret "nope", which is not declared under secrets:',
      ],
      [
        'undeclared-secret',
        'warning',
        'snowflake-credentials',
        12,
        'plugins.compute.connection_secret_ref names "snowflake-credentials", which is not declared under secrets: (fine if it is a Kubernetes Secret managed elsewhere)',
      ],
    ])
  })
})
