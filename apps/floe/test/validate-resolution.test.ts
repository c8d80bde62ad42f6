import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, runFloe, type FixtureProject } from './helpers.js'

/**
 * `floe secrets validate` fails what `emit`/resolution would reject (the real emitters and
 * provider schemas), and passes what resolution resolves.
 */
let project: FixtureProject

beforeAll(() => {
  assertBuilt()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-env': 'packages/provider-env',
    '@floe/emit-duckdb': 'packages/emit-duckdb',
    '@floe/emit-dbt': 'packages/emit-dbt',
    '@floe/provider-aws-parameter-store': 'packages/provider-aws-parameter-store',
    '@floe/provider-vault': 'packages/provider-vault',
  })
})

const validate = async (dir: string, manifest: string, args: string[] = []) => {
  project.write(`${dir}/floe.yaml`, manifest)
  return runFloe(['secrets', 'validate', ...args], { cwd: `${project.dir}/${dir}` })
}

describe('validate agrees with emit and resolution', () => {
  it('a DuckDB HTTP secret with basic-auth parameters (emit duckdb rejects it) fails validate', async () => {
    const result = await validate(
      'duckdb',
      `
secrets:
  api: { provider: env, variables: { user: API_USER, password: API_PASSWORD } }
duckdb:
  secrets:
    - type: http
      name: basic
      key_id: secret://api/user
      secret: secret://api/password
`,
      ['--offline'],
    )
    expect(result.code, result.stdout + result.stderr).toBe(1)
    expect(result.stdout).toMatch(/^✗ manifest: .*unknown parameter 'key_id' for duckdb secret/m)
  })

  it('a dbt profile missing required fields fails validate', async () => {
    const result = await validate(
      'dbt',
      `
secrets:
  pg: { provider: env, variable: PG_PASSWORD }
dbt:
  profiles:
    floe:
      target: dev
      outputs:
        dev: { type: postgres, host: localhost, password: secret://pg }
`,
      ['--offline'],
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^✗ manifest: .*dbt target 'floe\.dev' \(postgres\) needs user/m)
  })

  it('a secret only referenced with ?default= is a warning, not ✗, and exec resolves it', async () => {
    const manifest = `
secrets:
  optional_token: { provider: env, variable: NEVER_SET_IN_THIS_TEST }
env:
  TOKEN: secret://optional_token?default=anonymous
`
    const result = await validate('defaults', manifest)
    expect(result.code, result.stdout).toBe(0)
    expect(result.stdout).toMatch(
      /^! optional_token: NOT FOUND — every reference has a \?default=/m,
    )
    const printToken = [process.execPath, '-e', 'console.log(process.env.TOKEN)']
    const exec = await runFloe(['secrets', 'exec', '--no-mask', '--', ...printToken], {
      cwd: `${project.dir}/defaults`,
    })
    expect(exec.code, exec.stderr).toBe(0)
    expect(exec.stdout.trim()).toBe('anonymous')
  })

  it('a secret with a fallback: passes only when the fallback source has it, as resolution does', async () => {
    const manifest = `
secrets:
  api_token:
    provider: env
    variable: PRIMARY_TOKEN_UNSET
    fallback: { provider: env, variable: FALLBACK_TOKEN }
env:
  TOKEN: secret://api_token
`
    project.write('fallback/floe.yaml', manifest)
    const cwd = `${project.dir}/fallback`
    const missing = await runFloe(['secrets', 'validate'], { cwd })
    expect(missing.code, missing.stdout + missing.stderr).toBe(1)
    expect(missing.stdout).toMatch(/^✗ api_token: NOT FOUND \(fallback env: NOT FOUND\)$/m)
    const exec = await runFloe(['secrets', 'exec', '--', process.execPath, '-e', ''], { cwd })
    expect(exec.code).not.toBe(0)

    const env = { FALLBACK_TOKEN: 'from-the-fallback' }
    const present = await runFloe(['secrets', 'validate'], { cwd, env })
    expect(present.code, present.stdout).toBe(0)
    expect(present.stdout).toMatch(
      /^! api_token: NOT FOUND — resolution falls back to env, where it exists$/m,
    )
    const printToken = [process.execPath, '-e', 'console.log(process.env.TOKEN)']
    const resolved = await runFloe(['secrets', 'exec', '--no-mask', '--', ...printToken], {
      cwd,
      env,
    })
    expect(resolved.code, resolved.stderr).toBe(0)
    expect(resolved.stdout.trim()).toBe('from-the-fallback')
  })

  it("seed 002's `kms_key_id: ${KMS_KEY_ID}  # Optional` unset: the field is left out with a located warning", async () => {
    const manifest = [
      'secrets:',
      '  database_password:',
      '    provider: aws_parameter_store',
      '    name: /production/database/password',
      '    kms_key_id: ${KMS_KEY_ID}  # Optional',
      '',
    ].join('\n')
    const result = await validate('kms', manifest, ['--offline'])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toMatch(
      /^! database_password: KMS_KEY_ID is not set; kms_key_id left out \(optional\) \(5:17\)$/m,
    )
    expect(result.stderr).toContain(
      'floe.yaml:5:17: secret database_password: KMS_KEY_ID is not set; kms_key_id left out (optional)',
    )
    // a required field stays an error
    const required = await validate(
      'kms-required',
      manifest.replace('/production/database/password', '${DB_PARAM}'),
      ['--offline'],
    )
    expect(required.code).toBe(1)
    expect(required.stdout).toMatch(
      /✗ manifest: .*secrets\.database_password\.name: environment variable DB_PARAM is not set/,
    )
  })

  it('a vault secret with no path: fails validate --offline at its line, saying what to add', async () => {
    const result = await validate(
      'vault-no-path',
      `
secrets:
  api_key:
    provider: vault
    fallback: { provider: env, variable: API_KEY }
`,
      ['--offline'],
    )
    expect(result.code, result.stdout + result.stderr).toBe(1)
    expect(result.stdout).toMatch(
      /^✗ manifest: floe\.yaml:4:5: secrets\.api_key\.path: a vault secret needs `path:` to say where it lives/m,
    )
  })
})
