/* eslint-disable @typescript-eslint/no-explicit-any -- reads emitted YAML */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { startEsoSandbox, type EsoSandbox } from './eso-sandbox.js'
import { runFloe } from './helpers.js'

/**
 * `floe secrets emit k8s | kubectl apply -f -` as a user types it: the real kubectl (1.32, with
 * its default validation: it reads the emulator's OpenAPI v3 documents and has the server check
 * the fields) applies floe's stdout, and the External Secrets test controller syncs what it
 * created. What reaches the cluster is what floe printed.
 */
const manifestText = `
plugins:
  secrets:
    type: external-secrets
    config: { store: aws-secrets-manager, region: us-east-1 }
secrets:
  snowflake-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/snowflake
    region: us-east-1
    keys: [account, user, password]
  catalog-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/catalog
    region: us-east-1
    keys: [client_id, client_secret]
kubernetes:
  namespace: floe-jobs
`

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0

let sandbox: EsoSandbox

beforeAll(async () => {
  sandbox = await startEsoSandbox({
    manifest: manifestText,
    awsSecrets: {
      'floe/prod/snowflake': { account: 'xy1', user: 'dbt', password: 'pw-not-real' },
      'floe/prod/catalog': { client_id: 'polaris', client_secret: 'cat-not-real' },
    },
    applyEmitted: false,
    dependencies: { '@floe/emit-k8s': 'packages/emit-k8s' },
  })
})

afterAll(async () => {
  await sandbox?.close()
})

// asynchronous: the emulators answer from this process, so a synchronous spawn would starve them
function kubectl(
  args: string[],
  input?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = {
      PATH: process.env.PATH,
      HOME: join(sandbox.project.dir, '.kubectl-home'),
      KUBECONFIG: sandbox.env.KUBECONFIG,
    }
    const child = spawn('kubectl', args, { env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

describe.skipIf(!hasKubectl)('floe secrets emit k8s | kubectl apply -f -', () => {
  it('kubectl applies the stream with validation on; ESO syncs what was created', async () => {
    const emitted = await runFloe(['secrets', 'emit', 'k8s'], {
      cwd: sandbox.project.dir,
      env: sandbox.env,
    })
    expect(emitted.stderr).toBe('')
    expect(emitted.code).toBe(0)
    const objects = parseAllDocuments(emitted.stdout).map((d) => d.toJS() as Record<string, any>)
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterSecretStore',
      'ExternalSecret',
      'ExternalSecret',
    ])

    const applied = await kubectl(['apply', '-f', '-'], emitted.stdout)
    expect(applied.stderr).toBe('')
    expect(applied.status).toBe(0)
    expect(applied.stdout.trim().split('\n').sort()).toEqual([
      'clustersecretstore.external-secrets.io/aws-secrets-manager created',
      'externalsecret.external-secrets.io/catalog-credentials created',
      'externalsecret.external-secrets.io/snowflake-credentials created',
    ])
    // what the cluster holds is what floe printed (plus the server's fields)
    for (const object of objects) {
      const { apiVersion, kind, metadata } = object
      const stored = sandbox.kube.get(apiVersion, kind, metadata.namespace, metadata.name)
      expect(stored?.spec).toEqual(object.spec)
    }

    // applying the same stream again changes nothing
    const again = await kubectl(['apply', '-f', '-'], emitted.stdout)
    expect(again.status).toBe(0)
    expect(again.stdout).not.toMatch(/created|configured/)
    expect(again.stdout.trim().split('\n')).toHaveLength(3)

    await sandbox.eso.reconcileNow()
    const synced = await kubectl([
      'get',
      'externalsecrets.external-secrets.io',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[0].reason}{"\\n"}{end}',
    ])
    expect(synced.status).toBe(0)
    expect(synced.stdout.trim().split('\n').sort()).toEqual([
      'catalog-credentials=SecretSynced',
      'snowflake-credentials=SecretSynced',
    ])
  })
})
