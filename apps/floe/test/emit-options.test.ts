import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, runFloe, type FixtureProject } from './helpers.js'

/** `--option KEY=V` with a key the emitter does not read is an error, never a silent no-op. */
let project: FixtureProject

beforeAll(() => {
  assertBuilt()
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-env': 'packages/provider-env',
    '@floe/emit-dbt': 'packages/emit-dbt',
    '@floe/emit-k8s': 'packages/emit-k8s',
  })
  project.write(
    'floe.yaml',
    `
secrets:
  pg: { provider: env, variable: PG_PASSWORD }
dbt:
  profiles:
    floe:
      target: dev
      outputs:
        dev: { type: postgres, host: localhost, user: u, port: 5432, dbname: d, schema: s, password: secret://pg }
`,
  )
})

const emit = (args: string[]) => runFloe(['secrets', 'emit', ...args], { cwd: project.dir })

describe('emit --option keys are checked against what the emitter reads', () => {
  it("the old help example (k8s apiVersion=v1beta1) is a usage error listing k8s's keys", async () => {
    const result = await emit(['k8s', '--option', 'apiVersion=v1beta1'])
    expect(result.code, result.stdout + result.stderr).toBe(2)
    expect(result.stderr).toMatch(/unknown --option apiVersion/)
    expect(result.stderr).toMatch(/valid keys: layout .*dbt_profiles/)
  })

  it('an emitter with no options says it takes none', async () => {
    const result = await emit(['dbt', '--option', 'target=prod'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/dbt takes no --option keys/)
  })

  it('a key the emitter reads is accepted', async () => {
    const result = await emit(['k8s', '--option', 'layout=directory', '--json'])
    expect(result.code, result.stderr).toBe(0)
  })
})
