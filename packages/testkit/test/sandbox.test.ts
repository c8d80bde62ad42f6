import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { preferNodeBuildsOfAwsSdk } from '../src/aws/index.js'
import { sandboxMain, sandboxServices, startSandbox } from '../src/sandbox/index.js'

preferNodeBuildsOfAwsSdk()
const require = createRequire(import.meta.url)
const { SecretsManagerClient, GetSecretValueCommand, ListSecretsCommand } =
  require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')
const { SSMClient, GetParameterCommand } =
  require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm')

let dir: string
let seedFile: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-sandbox-'))
  seedFile = join(dir, 'sandbox.yaml')
  await writeFile(
    seedFile,
    [
      'aws:',
      '  region: eu-west-1',
      '  secrets:',
      '    production/snowflake/floe: { user: floe_svc, password: sandbox-pw }',
      '    production/api-token: tok-123',
      '  parameters:',
      '    /production/database/password: db-pw',
      '    /production/app/endpoint: { value: "https://example.test", type: String, labels: [live] }',
      '    /production/restricted/key: hidden',
      '  deny:',
      '    - resource: /production/restricted/*',
    ].join('\n'),
  )
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** an SDK config built only from the environment the sandbox prints, like boto3 would */
function fromEnv(env: Record<string, string>) {
  return {
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    },
    maxAttempts: 1,
  }
}

describe('floe-sandbox', () => {
  it('has a registry with the aws service', () => {
    expect(sandboxServices().map((s) => s.name)).toContain('aws')
  })

  it('starts from a seed file, prints exports, serves the SDKs and stops on abort', async () => {
    const output: string[] = []
    const stop = new AbortController()
    const exited = sandboxMain(['--config', seedFile, '--aws', '0'], {
      stdout: (t) => output.push(t),
      stderr: (t) => output.push(t),
      signal: stop.signal,
    })
    // wait until the exports are printed
    while (!output.join('').includes('press Ctrl-C')) await new Promise((r) => setTimeout(r, 10))
    const env = Object.fromEntries(
      output
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('export '))
        .map((l) => l.slice('export '.length).split(/=(.*)/s).slice(0, 2) as [string, string]),
    )
    expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(env.AWS_REGION).toBe('eu-west-1')
    const sm = new SecretsManagerClient(fromEnv(env))
    const secret = await sm.send(
      new GetSecretValueCommand({ SecretId: 'production/snowflake/floe' }),
    )
    expect(JSON.parse(secret.SecretString ?? '')).toEqual({
      user: 'floe_svc',
      password: 'sandbox-pw',
    })
    const ssm = new SSMClient(fromEnv(env))
    const labelled = await ssm.send(
      new GetParameterCommand({ Name: '/production/app/endpoint:live' }),
    )
    expect(labelled.Parameter).toMatchObject({ Value: 'https://example.test', Type: 'String' })
    await expect(
      ssm.send(new GetParameterCommand({ Name: '/production/restricted/key' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    stop.abort()
    expect(await exited).toBe(0)
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toThrow()
    sm.destroy()
    ssm.destroy()
  })

  it('prints JSON with --json and rejects bad arguments', async () => {
    const output: string[] = []
    const stop = new AbortController()
    stop.abort()
    expect(
      await sandboxMain(['--aws=0', '--json'], {
        stdout: (t) => output.push(t),
        signal: stop.signal,
      }),
    ).toBe(0)
    const printed = JSON.parse(output.join('')) as {
      services: { name: string }[]
      env: Record<string, string>
    }
    expect(printed.services.map((s) => s.name)).toEqual(['aws'])
    expect(printed.env.AWS_ACCESS_KEY_ID).toBeTruthy()
    const errors: string[] = []
    expect(await sandboxMain(['--nope'], { stderr: (t) => errors.push(t) })).toBe(2)
    expect(await sandboxMain(['--aws', '70000'], { stderr: (t) => errors.push(t) })).toBe(2)
    expect(errors.join('')).toContain('unknown argument "--nope"')
  })

  it('refuses unknown services in the seed and bad seed shapes', async () => {
    await expect(startSandbox({ seed: { gcs: {} } })).rejects.toThrow(
      /unknown sandbox service "gcs"/,
    )
    await expect(
      startSandbox({ ports: { aws: 0 }, seed: { aws: { secrets: ['x'] } } }),
    ).rejects.toThrow(/aws.secrets must be a map/)
    await expect(
      startSandbox({ ports: { aws: 0 }, seed: { aws: { deny: [{ path: 'x' }] } } }),
    ).rejects.toThrow(/aws.deny\[0\] takes string fields/)
  })
})

describe('bin/floe-sandbox.js (built)', () => {
  it('runs from dist, serves the seed and exits 0 on SIGTERM', async () => {
    const pkg = resolve(import.meta.dirname, '..')
    if (!existsSync(join(pkg, 'dist/sandbox/cli.js'))) {
      throw new Error(
        'bin/floe-sandbox.js runs the build: run `pnpm build` (or tsc -b packages/testkit)',
      )
    }
    const child = spawn(
      process.execPath,
      [join(pkg, 'bin/floe-sandbox.js'), '--config', seedFile, '--aws', '0'],
      {
        env: { PATH: process.env.PATH, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    while (!stdout.includes('press Ctrl-C')) {
      if (child.exitCode !== null) throw new Error(`floe-sandbox exited early (${child.exitCode})`)
      await new Promise((r) => setTimeout(r, 20))
    }
    const endpoint = /^export AWS_ENDPOINT_URL=(\S+)$/m.exec(stdout)?.[1]
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const sm = new SecretsManagerClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAX', secretAccessKey: 'x' },
      maxAttempts: 1,
    })
    const token = await sm.send(new GetSecretValueCommand({ SecretId: 'production/api-token' }))
    expect(token.SecretString).toBe('tok-123')
    sm.destroy()
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 30_000)
})
