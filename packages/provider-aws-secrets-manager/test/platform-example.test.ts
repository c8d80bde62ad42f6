import { loadSandboxSeed, startSandbox, type Sandbox } from '@floe/testkit'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// examples/aws-platform end to end: the real CLI (built), both AWS providers, the sandbox.
const repo = resolve(import.meta.dirname, '../../..')
const example = join(repo, 'examples/aws-platform')
const bin = join(repo, 'apps/floe/bin/run.cjs')

let sandbox: Sandbox
let home: string

function floe(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: example,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        NO_COLOR: '1',
        METADATA_SERVER_DETECTION: 'none',
        ...sandbox.env,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }))
  })
}

beforeAll(async () => {
  const needed = [
    'apps/floe/dist',
    'plugins/plugin-secrets/dist',
    'packages/provider-aws-secrets-manager/dist/index.js',
    'packages/provider-aws-parameter-store/dist/index.js',
  ]
  const missing = needed.filter((p) => !existsSync(join(repo, p)))
  if (missing.length)
    throw new Error(
      `this test runs the built CLI: run \`pnpm build\` (missing ${missing.join(', ')})`,
    )
  home = mkdtempSync(join(tmpdir(), 'floe-platform-home-'))
  sandbox = await startSandbox({
    ports: { aws: 0 },
    seed: await loadSandboxSeed(join(example, 'sandbox.yaml')),
  })
})
afterAll(async () => {
  await sandbox?.close()
  if (home) rmSync(home, { recursive: true, force: true })
})

describe('examples/aws-platform against floe-sandbox through the CLI', () => {
  it('validate → create → validate, list --remote, get, rotate, status', async () => {
    const first = await floe(['secrets', 'validate'])
    expect(first.code).toBe(1)
    expect(first.stdout).toMatch(/✗ salesforce-credentials: NOT FOUND/)
    expect(first.stdout).toMatch(/✓ snowflake-credentials: exists/)
    expect(first.stdout).toMatch(/✓ warehouse-loader-password: exists/)

    const envFile = join(home, 'sf.env')
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(envFile, 'client_id=sf-app\nclient_secret=sf-secret-value\n'),
    )
    const created = await floe([
      'secrets',
      'create',
      'salesforce-credentials',
      '--from-env-file',
      envFile,
    ])
    expect(created.code).toBe(0)
    expect(created.stdout + created.stderr).not.toContain('sf-secret-value')
    expect((await floe(['secrets', 'validate'])).code).toBe(0)

    const listed = await floe([
      'secrets',
      'list',
      '--remote',
      '--provider',
      'aws_secrets_manager',
      '--json',
    ])
    expect(listed.code).toBe(0)
    expect(JSON.stringify(JSON.parse(listed.stdout))).toContain('prod/salesforce/connected-app')
    const params = await floe(['secrets', 'list', '--remote', '--provider', 'aws_parameter_store'])
    expect(params.stdout).toContain('/prod/warehouse/loader/password')

    const masked = await floe(['secrets', 'get', 'secret://snowflake-credentials/password'])
    expect(masked.code).toBe(0)
    expect(masked.stdout).not.toContain('sandbox-snowflake-password')
    const revealed = await floe([
      'secrets',
      'get',
      'secret://warehouse-loader-password',
      '--reveal',
    ])
    expect(revealed.stdout.trim()).toBe('sandbox-loader-password')

    const rotated = await floe([
      'secrets',
      'rotate',
      'snowflake-credentials',
      '--generate',
      '--key',
      'password',
    ])
    expect(rotated.stdout).toMatch(/✓ Secret updated in AWS Secrets Manager/)
    const previous = await floe([
      'secrets',
      'get',
      'secret://snowflake-credentials/password?version=AWSPREVIOUS',
      '--reveal',
    ])
    expect(previous.stdout.trim()).toBe('sandbox-snowflake-password')
    const current = await floe([
      'secrets',
      'get',
      'secret://snowflake-credentials/password',
      '--reveal',
    ])
    expect(current.stdout.trim()).not.toBe('sandbox-snowflake-password')
    expect(current.stdout.trim().length).toBeGreaterThanOrEqual(32)

    const status = await floe(['secrets', 'status', '--json'])
    expect(status.code).toBe(0)
    expect(readFileSync(join(example, 'floe.yaml'), 'utf8')).not.toContain('sandbox-')
  }, 120_000)
})
