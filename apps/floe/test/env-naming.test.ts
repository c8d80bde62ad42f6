import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, runFloe, type FixtureProject } from './helpers.js'

// `env_naming` through the CLI: `floe secrets exec` sets the names the manifest's scheme gives
// (the same function emit dbt / emit k8s use), and validate reports a collision naming both.
const manifest = `
env_naming: key
secrets:
  snowflake-credentials:
    provider: env
    variables: { SNOWFLAKE_ACCOUNT: SF_ACCOUNT_SRC, password: SF_PASSWORD_SRC }
  catalog:
    provider: env
    env_prefix: POLARIS
    variables: { client_id: CATALOG_ID_SRC }
  legacy:
    provider: env
    env_naming: secret_key
    variables: { legacy_token: LEGACY_SRC }
`
const env = {
  SF_ACCOUNT_SRC: 'xy12345',
  SF_PASSWORD_SRC: 'pw-7e1f-not-real',
  CATALOG_ID_SRC: 'polaris-id',
  LEGACY_SRC: 'tok-5a0c-not-real',
}

let project: FixtureProject
beforeAll(() => {
  assertBuilt()
  project = makeProject({ '@floe/cli': 'apps/floe', '@floe/provider-env': 'packages/provider-env' })
  project.write('floe.yaml', manifest)
  project.write(
    'collide.yaml',
    manifest.replace('    env_prefix: POLARIS\n', '').replace('client_id', 'password'),
  )
})

const run = (args: string[]) => runFloe(args, { cwd: project.dir, env })

describe('env_naming in floe secrets exec and validate', () => {
  it('exec sets <KEY>, <env_prefix>_<KEY> and the per-secret <SECRET>_<KEY>, never doubled', async () => {
    const script =
      'console.log(Object.keys(process.env).filter((n) => /^(SNOWFLAKE|PASSWORD|POLARIS|LEGACY|CATALOG)/.test(n) && !n.endsWith("_SRC")).sort().join(" "))'
    const result = await run(['secrets', 'exec', '--', process.execPath, '-e', script])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe('LEGACY_TOKEN PASSWORD POLARIS_CLIENT_ID SNOWFLAKE_ACCOUNT')
  })

  it('validate reports two references on one name as a located ✗ line naming both (exit 1)', async () => {
    const result = await run(['secrets', 'validate', '--offline', '-m', 'collide.yaml'])
    expect(result.code).toBe(1)
    expect(result.stdout.split('\n')).toEqual([
      'Validating secret references in collide.yaml (offline)...',
      '✗ manifest: collide.yaml:7:3: environment variable PASSWORD would hold two different secrets: secret://snowflake-credentials/password (secrets.snowflake-credentials, line 4) and secret://catalog/password (secrets.catalog, line 7): rename one of the secrets or keys, or set env_prefix on one of the secrets',
      '',
      '1 error found.',
      '',
    ])
  })
})
