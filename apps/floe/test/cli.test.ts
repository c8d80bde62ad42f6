import { readFileSync, statSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, makeProject, parseJson, runFloe, type FixtureProject } from './helpers.js'

const manifest = `
environment: dev
secrets:
  warehouse:
    provider: env
    variables:
      user: WAREHOUSE_USER
      password: WAREHOUSE_PASSWORD
  api_token:
    provider: env
    variable: API_TOKEN
env:
  PGPASSWORD: secret://warehouse/password
  PGUSER: secret://warehouse/user
  TOKEN: secret://api_token
`
const env = {
  WAREHOUSE_USER: 'analyst',
  WAREHOUSE_PASSWORD: 'pw-4b1d-not-real',
  API_TOKEN: 'tok-93c2-not-real',
}

let project: FixtureProject
beforeAll(() => {
  assertBuilt()
  project = makeProject({ '@floe/cli': 'apps/floe', '@floe/provider-env': 'packages/provider-env' })
  project.write('floe.yaml', manifest)
  project.write(
    'broken.yaml',
    manifest.replace(
      'env:\n',
      '  extra:\n    provider: env\n    variable: X\n  missing_one:\n    provider: env\n    variable: NOT_SET_ANYWHERE\nenv:\n',
    ),
  )
  project.write(
    'bad-uri.yaml',
    'secrets:\n  a:\n    provider: env\n    variable: A\nenv:\n  A_VAR: secret://a?bogus=1\n',
  )
})

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runFloe(args, { cwd: project.dir, env: { ...env, ...extraEnv } })

describe('floe CLI basics', () => {
  it('prints its version and help with the secrets topic', async () => {
    const version = await run(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/@floe\/cli\/\d+\.\d+\.\d+/)
    const help = await run(['secrets', '--help'])
    expect(help.code).toBe(0)
    for (const cmd of [
      'list',
      'status',
      'validate',
      'rotate',
      'create',
      'get',
      'exec',
      'inject',
      'emit',
      'apply',
      'providers',
    ]) {
      expect(help.stdout).toContain(`secrets ${cmd}`)
    }
  })

  it('command help shows examples', async () => {
    const help = await run(['secrets', 'validate', '--help'])
    expect(help.stdout).toContain('EXAMPLES')
    expect(help.stdout).toContain('floe secrets validate --offline')
  })

  it('exits 2 on an unknown flag, with a usage hint', async () => {
    const result = await run(['secrets', 'list', '--bogus'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/bogus/)
  })

  it('exits 2 when no manifest is found, saying what was tried', async () => {
    const empty = makeProject({ '@floe/cli': 'apps/floe' })
    const result = await runFloe(['secrets', 'list'], { cwd: empty.dir })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/floe\.yaml/)
    expect(result.stderr).toMatch(/manifest\.yaml/)
  })

  it('points at the offending column of a bad reference (exit 2)', async () => {
    const result = await run(['secrets', 'list', '-m', 'bad-uri.yaml'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/bad-uri\.yaml:6:\d+/)
    expect(result.stderr).toMatch(/bogus/)
  })
})

describe('floe secrets validate', () => {
  it('reports ✓ per secret and exits 0 when everything exists', async () => {
    const result = await run(['secrets', 'validate'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Validating secret references in floe.yaml...')
    expect(result.stdout).toMatch(/✓ warehouse: exists, 2 keys/)
    expect(result.stdout).toMatch(/✓ api_token: exists/)
  })

  it('reports ✗ NOT FOUND, the ADR summary line, and exits 1', async () => {
    const result = await run(['secrets', 'validate', '-m', 'broken.yaml'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/✗ extra: NOT FOUND/)
    expect(result.stdout).toMatch(/✗ missing_one: NOT FOUND/)
    expect(result.stdout).toMatch(/2 errors found\./)
  })

  it('a missing secret with a default is a warning, not an error', async () => {
    project.write(
      'defaults.yaml',
      'secrets:\n  optional_key:\n    provider: env\n    variable: NOT_SET_ANYWHERE\n    default: fallback\n',
    )
    const result = await run(['secrets', 'validate', '-m', 'defaults.yaml'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/! optional_key: NOT FOUND — its default will be used/)
  })

  it('--offline contacts no provider and still checks the manifest', async () => {
    const result = await run(['secrets', 'validate', '-m', 'broken.yaml', '--offline'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('(offline)')
    expect(result.stdout).toMatch(/✓ missing_one: declared/)
  })

  it('--json gives the stable envelope', async () => {
    const result = await run(['secrets', 'validate', '-m', 'broken.yaml', '--json'])
    expect(result.code).toBe(1)
    const envelope = parseJson<{
      status: string
      result: { errors: number; checks: { subject: string; ok: boolean }[] }
      warnings: string[]
    }>(result.stdout)
    expect(envelope.status).toBe('failed')
    expect(envelope.result.errors).toBe(2)
    expect(
      envelope.result.checks
        .filter((c) => !c.ok)
        .map((c) => c.subject)
        .sort(),
    ).toEqual(['extra', 'missing_one'])
    expect(Array.isArray(envelope.warnings)).toBe(true)
  })
})

describe('floe secrets list / status / providers', () => {
  it('lists declared secrets without values', async () => {
    const result = await run(['secrets', 'list'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/NAME\s+PROVIDER\s+KEYS\s+KIND/)
    expect(result.stdout).toMatch(/warehouse\s+env/)
    const json = parseJson<{ result: { secrets: { name: string }[] } }>(
      (await run(['secrets', 'list', '--json'])).stdout,
    )
    expect(json.result.secrets.map((s) => s.name)).toEqual(['warehouse', 'api_token'])
  })

  it('status shows existence per secret', async () => {
    const result = await run(['secrets', 'status', '--json'])
    expect(result.code).toBe(0)
    const json = parseJson<{ result: { secrets: { name: string; exists: boolean }[] } }>(
      result.stdout,
    )
    expect(json.result.secrets).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'warehouse', exists: true })]),
    )
  })

  it('providers lists what the project installed', async () => {
    const result = await run(['secrets', 'providers', '--json'])
    expect(result.code).toBe(0)
    const json = parseJson<{
      result: { installed: { kind: string; name: string; package: string }[] }
    }>(result.stdout)
    const providers = json.result.installed.filter((i) => i.kind === 'provider').map((i) => i.name)
    // env and file are built into the CLI (dependencies of @floe/cli)
    expect(providers).toEqual(['env', 'file'])
  })
})

describe('floe secrets get / exec / inject', () => {
  it('get masks by default and reveals on request', async () => {
    const masked = await run(['secrets', 'get', 'warehouse/password'])
    expect(masked.code).toBe(0)
    expect(masked.stdout).not.toContain(env.WAREHOUSE_PASSWORD)
    expect(masked.stdout).toContain(`${env.WAREHOUSE_PASSWORD.length} characters`)
    const revealed = await run(['secrets', 'get', 'secret://warehouse/password', '--reveal'])
    expect(revealed.stdout).toBe(env.WAREHOUSE_PASSWORD + '\n')
  })

  it('get of a missing key fails with exit 1 naming the keys, not values', async () => {
    const result = await run(['secrets', 'get', 'warehouse/nope'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/no key "nope"/)
    expect(result.stderr).not.toContain(env.WAREHOUSE_PASSWORD)
  })

  it('exec injects the env mapping, masks output and forwards the exit code', async () => {
    const script = 'console.log(process.env.PGUSER + ":" + process.env.PGPASSWORD); process.exit(7)'
    const masked = await run(['secrets', 'exec', '--', process.execPath, '-e', script])
    expect(masked.code).toBe(7)
    expect(masked.stdout).toContain('[REDACTED]:[REDACTED]')
    expect(masked.stdout).not.toContain(env.WAREHOUSE_PASSWORD)
    const unmasked = await run([
      'secrets',
      'exec',
      '--no-mask',
      '--',
      process.execPath,
      '-e',
      script,
    ])
    expect(unmasked.stdout).toContain(`analyst:${env.WAREHOUSE_PASSWORD}`)
  })

  it('exec reports a missing command as a usage error', async () => {
    const result = await run(['secrets', 'exec', '--', 'definitely-not-a-command-xyz'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/command not found/)
  })

  it('inject writes the output 0600 and prints no value', async () => {
    project.write(
      'app.tmpl',
      'user=secret://warehouse/user\npassword=secret://warehouse/password\n',
    )
    const result = await run(['secrets', 'inject', '-i', 'app.tmpl', '-o', 'app.conf'])
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain(env.WAREHOUSE_PASSWORD)
    const out = `${project.dir}/app.conf`
    expect(readFileSync(out, 'utf8')).toBe(`user=analyst\npassword=${env.WAREHOUSE_PASSWORD}\n`)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('inject refuses undeclared secrets before resolving anything', async () => {
    project.write('bad.tmpl', 'x=secret://nope/key\n')
    const result = await run(['secrets', 'inject', '-i', 'bad.tmpl', '-o', 'bad.out'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/undeclared secret: nope/)
  })
})

describe('the manifest search in tests', () => {
  it('stops at the run temp root and at FLOE_CEILING_DIRECTORIES', async () => {
    // the run's private temp root is a ceiling (scripts/vitest/global-setup.ts)
    expect(process.env.FLOE_CEILING_DIRECTORIES).toBeTruthy()
    const nested = project.write('nested/child/.keep', '').replace(/\/\.keep$/, '')
    const found = await runFloe(['secrets', 'list', '--json'], { cwd: nested, env })
    expect(found.code).toBe(0)
    const stopped = await runFloe(['secrets', 'list', '--json'], {
      cwd: nested,
      env: { ...env, FLOE_CEILING_DIRECTORIES: `${project.dir}/nested` },
    })
    expect(stopped.code).not.toBe(0)
    const error = parseJson(stopped.stdout).error
    expect(error?.message).toContain('no manifest found')
    expect(error?.message).toContain(`${nested}/floe.yaml`)
    expect(error?.message).not.toContain(`${project.dir}/floe.yaml`)
  })
})
