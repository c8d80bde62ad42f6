import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type Sandbox } from '../src/sandbox/index.js'

// Clients floe did not write drive floe-sandbox: boto3 (python3 on PATH), hvac
// (/usr/bin/python3, Debian python3-hvac) and kubectl (/usr/bin/kubectl). Each client script
// prints one JSON line per operation it exercised; the list must equal the table in the
// emulator's README ("Exercised by third-party clients"), and every operation must pass.
// scripts/ensure-python-deps.sh installs/checks the Python clients: nothing here is skipped.

const here = dirname(fileURLToPath(import.meta.url))
const src = join(here, '..', 'src')

interface OperationResult {
  service: string
  op: string
  ok: boolean
  error?: string
}

let home: string
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'floe-clients-'))
})
afterAll(() => rm(home, { recursive: true, force: true }))

/** A client run with only the sandbox's environment (a temp HOME: no user config is read). */
function runClient(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<OperationResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited ${code}:\n${err}\n${out}`))
      resolve(
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as OperationResult),
      )
    })
  })
}

/** Rows `| service | operation | client |` between `<!-- third-party:NAME -->` markers. */
function exercisedTable(readme: string, name: string): string[] {
  const text = readFileSync(readme, 'utf8')
  const start = text.indexOf(`<!-- third-party:${name} -->`)
  const end = text.indexOf(`<!-- /third-party:${name} -->`)
  if (start < 0 || end < start) throw new Error(`${readme}: no third-party:${name} table`)
  return text
    .slice(start, end)
    .split('\n')
    .filter((l) => /^\|\s*[a-z]/.test(l) && !/^\|\s*service\s*\|/.test(l))
    .map((l) => {
      const [service, op, client] = l
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim().replace(/`/g, ''))
      return `${client} ${service} ${op}`
    })
}

function summary(client: string, results: OperationResult[]) {
  return {
    exercised: results.map((r) => `${client} ${r.service} ${r.op}`),
    failures: results.filter((r) => !r.ok).map((r) => `${r.service} ${r.op}: ${r.error}`),
  }
}

describe('boto3 against floe-sandbox (aws)', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await startSandbox({ ports: { aws: 0 } })
  })
  afterAll(() => sandbox?.close())

  it('passes every Secrets Manager and SSM operation in the AWS README table', async () => {
    const results = await runClient('python3', [join(here, 'clients', 'boto3_suite.py')], {
      ...sandbox.env,
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    })
    const { exercised, failures } = summary('boto3', results)
    expect(failures).toEqual([])
    expect(exercised).toEqual(exercisedTable(join(src, 'aws', 'README.md'), 'aws'))
  })
})

describe('hvac against floe-sandbox (vault)', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await startSandbox({
      ports: { vault: 0 },
      seed: {
        vault: {
          policies: {
            'floe-read': 'path "secret/data/production/*" { capabilities = ["read"] }',
          },
          approles: {
            etl: { role_id: 'role-etl', secret_id: 'secret-etl', policies: ['floe-read'] },
          },
          database: { 'mongo-readonly': { default_ttl: '1h', max_ttl: '24h' } },
        },
      },
    })
  })
  afterAll(() => sandbox?.close())

  it('passes every operation in the Vault README table, LIST verb included', async () => {
    const results = await runClient(
      '/usr/bin/python3',
      [join(here, 'clients', 'hvac_suite.py')],
      sandbox.env,
    )
    const { exercised, failures } = summary('hvac', results)
    expect(failures).toEqual([])
    expect(exercised).toEqual(exercisedTable(join(src, 'vault', 'README.md'), 'vault'))
  })
})
