import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, parseJson, runFloe, type FixtureProject } from './helpers.js'

const manifest = `
secrets:
  db:
    provider: env
    variable: DB_PASSWORD_VALUE
env:
  DB_PASSWORD: secret://db
`

let project: FixtureProject
beforeAll(() => {
  assertBuilt()
  project = makeProject({ '@floe/cli': 'apps/floe', '@floe/provider-env': 'packages/provider-env' })
  project.write('floe.yaml', manifest)
})

// Both start-ups: without oclif (the default for exec) and through oclif.
const startUps = [
  ['fast start', {}],
  ['oclif', { FLOE_NO_FAST_START: '1' }],
] as const

describe.each(startUps)('exec runs the command line after -- as typed (%s)', (_name, startEnv) => {
  const run = (args: string[]) =>
    runFloe(args, {
      cwd: project.dir,
      env: { DB_PASSWORD_VALUE: 'pw-31c7-not-real', ...startEnv },
    })

  it('keeps repeated words in their places', async () => {
    const result = await run(['secrets', 'exec', '--', 'echo', 'x', 'echo', 'y', 'x'])
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('x echo y x\n')
    expect(result.code).toBe(0)
  })

  it("keeps a second -- and the child's own flags for the child", async () => {
    const result = await run(['secrets', 'exec', '--', 'echo', '--', '-n', '--', 'a'])
    expect(result.stdout).toBe('-- -n -- a\n')
    expect(result.code).toBe(0)
  })

  it("a child's --json and --verbose do not switch floe's output", async () => {
    const result = await run(['secrets', 'exec', '--', 'echo', '--json', '--verbose'])
    expect(result.stdout).toBe('--json --verbose\n')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it("floe's own --json before -- still gives the envelope, the child's stdout on stderr", async () => {
    const result = await run(['secrets', 'exec', '--json', '--', 'echo', 'b', 'echo'])
    expect(
      parseJson<{ status: string; result: { exitCode: number } }>(result.stdout),
    ).toMatchObject({ status: 'ok', result: { exitCode: 0 } })
    expect(result.stderr).toBe('b echo\n')
  })
})
