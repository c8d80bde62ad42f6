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
})
