import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { K8sObject } from '@floe/emit-k8s'
import { parseAllDocuments } from 'yaml'
import { startEsoSandbox, type EsoSandbox } from './eso-sandbox.js'
import { parseJson, runFloe } from './helpers.js'

/**
 * ADR-0023's CLI session through the real `floe` binary: AWS Secrets Manager (emulated) is the
 * source, External Secrets Operator (the testkit controller) syncs it into the Kubernetes
 * emulator, and `list`, `status`, `rotate --restart-deployments` and `validate` print what the
 * ADR shows.
 */
const manifestText = `
plugins:
  secrets:
    type: external-secrets
    config: { store: aws-secrets-manager, region: us-east-1 }
  compute:
    type: snowflake
    connection_secret_ref: snowflake-credentials
  catalog:
    type: polaris
    config: { client_secret_ref: catalog-credentials }
ingestion:
  pipelines:
    - name: salesforce-sync
      source:
        type: salesforce
        secret_refs: { client_id: salesforce-credentials, client_secret: salesforce-credentials }
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
  salesforce-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/salesforce
    region: us-east-1
    keys: [client_id, client_secret]
kubernetes:
  namespace: floe-jobs
  workloads:
    - { kind: Deployment, name: dagster-daemon, containers: [daemon], secrets: [snowflake-credentials] }
`

let sandbox: EsoSandbox
let aws: EsoSandbox['aws']
let kube: EsoSandbox['kube']
let eso: EsoSandbox['eso']
let project: EsoSandbox['project']
let env: Record<string, string>
// What `floe secrets emit k8s | kubectl apply -f -` puts in the cluster (the first test checks
// the CLI's stdout is exactly this stream; emit-k8s-kubectl-apply.test.ts pipes it to kubectl)
let applied: K8sObject[] = []

beforeAll(async () => {
  sandbox = await startEsoSandbox({
    manifest: manifestText,
    awsSecrets: {
      'floe/prod/snowflake': {
        account: 'xy12345.us-east-1',
        user: 'dbt_user',
        password: 'first-pass-not-real',
      },
      'floe/prod/catalog': { client_id: 'polaris', client_secret: 'cat-secret-not-real' },
    },
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'dagster-daemon', namespace: 'floe-jobs' },
        spec: {
          selector: { matchLabels: { app: 'd' } },
          template: {
            metadata: { labels: { app: 'd' } },
            // what the emitted workload patch adds: the synced Secret as environment
            spec: {
              containers: [
                {
                  name: 'daemon',
                  image: 'dagster/dagster:1',
                  envFrom: [{ secretRef: { name: 'snowflake-credentials' } }],
                },
              ],
            },
          },
        },
      },
    ],
  })
  ;({ aws, kube, eso, project, env } = sandbox)
  applied = sandbox.emitted
})

afterAll(async () => {
  await sandbox?.close()
})

const floe = (args: string[]) => runFloe(args, { cwd: project.dir, env, timeoutMs: 120_000 })

describe('ADR-0023 CLI flows against the emulators', () => {
  it('floe secrets emit k8s on stdout is the multi-document stream kubectl apply -f - takes', async () => {
    const result = await floe(['secrets', 'emit', 'k8s'])
    expect(result.code).toBe(0)
    const docs = parseAllDocuments(result.stdout)
    expect(docs.flatMap((d) => d.errors)).toEqual([])
    expect(docs.map((d) => d.toJS())).toEqual(applied)
    expect(result.stdout).toContain('# Workload patches (Deployment floe-jobs/dagster-daemon)')
  })

  it('floe secrets list --remote --provider kubernetes --namespace floe-jobs → NAME TYPE AGE', async () => {
    const result = await floe([
      'secrets',
      'list',
      '--remote',
      '--provider',
      'kubernetes',
      '--namespace',
      'floe-jobs',
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^NAME\s+TYPE\s+AGE$/m)
    expect(result.stdout).toMatch(/^snowflake-credentials\s+Opaque\s+\d+s$/m)
    expect(result.stdout).toMatch(/^catalog-credentials\s+Opaque\s+\d+s$/m)
  })

  it('floe secrets status → NAME STORE SYNC STATUS LAST SYNC', async () => {
    const result = await floe(['secrets', 'status', 'snowflake-credentials', 'catalog-credentials'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^NAME\s+STORE\s+SYNC STATUS\s+LAST SYNC$/m)
    expect(result.stdout).toMatch(
      /^snowflake-credentials\s+aws-secrets-manager\s+Synced\s+\d+s ago$/m,
    )
    expect(result.stdout).toMatch(
      /^catalog-credentials\s+aws-secrets-manager\s+Synced\s+\d+s ago$/m,
    )
  })

  it('floe secrets rotate … --restart-deployments → the ADR steps, new value in the pod Secret', async () => {
    const result = await floe([
      'secrets',
      'rotate',
      'snowflake-credentials',
      '--generate',
      '--key',
      'password',
      '--restart-deployments',
    ])
    // the ExternalSecret maps the source key password to SNOWFLAKE_CREDENTIALS_PASSWORD
    // piped: only progress lines (… restarting deploy/dagster-daemon (1/1), … rolled out) on stderr
    expect(result.stderr.split('\n').filter((l) => l && !l.startsWith('… '))).toEqual([])
    expect(result.stderr).toMatch(/^… restarting deploy\/dagster-daemon \(1\/1\)$/m)
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe('Rotating secret: snowflake-credentials')
    expect(lines[1]).toMatch(/^✓ Secret updated in AWS Secrets Manager/)
    expect(lines).toContain('✓ ExternalSecret sync triggered')
    expect(lines).toContain('✓ Restarting deployments: dagster-daemon')
    expect(result.stderr).toMatch(
      /^… deploy\/dagster-daemon rolled out in [\d.]+s \(envFrom in daemon \(SNOWFLAKE_CREDENTIALS_PASSWORD\)\)$/m,
    )
    expect(lines.at(-1)).toBe('Rotation complete.')
    const synced = kube.secretData('floe-jobs', 'snowflake-credentials') as Record<string, string>
    const current = JSON.parse(
      aws.secretVersions('floe/prod/snowflake')!.find((v) => v.stages.has('AWSCURRENT'))!.string!,
    ) as Record<string, string>
    expect(current.password).not.toBe('first-pass-not-real')
    expect(Object.values(synced)).toContain(current.password)
    expect(result.stdout).not.toContain(current.password)
    const deployment = kube.get('apps/v1', 'Deployment', 'floe-jobs', 'dagster-daemon') as {
      spec: { template: { metadata: { annotations?: Record<string, string> } } }
    }
    expect(
      deployment.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toBeDefined()
  })

  it('floe secrets validate → ✓ lines, ✗ salesforce-credentials: NOT FOUND, the fix hint, exit 1', async () => {
    const result = await floe(['secrets', 'validate'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Validating secret references in manifest.yaml...')
    expect(result.stdout).toMatch(/✓ snowflake-credentials: exists/)
    expect(result.stdout).toMatch(/✓ catalog-credentials: exists/)
    expect(result.stdout).toMatch(/✗ salesforce-credentials: NOT FOUND/)
    expect(result.stdout).toMatch(
      // no rotation.generate in this manifest: the hint names the flag that gives the values
      /1 error found\. Run 'floe secrets create salesforce-credentials --from-env-file FILE' to fix\./,
    )
    const json = parseJson<{ result: { errors: number } }>(
      (await floe(['secrets', 'validate', '--json'])).stdout,
    )
    expect(json.result.errors).toBe(1)
  })

  // last: it stops the controller
  it('floe secrets rotate --hooks-only --timeout 6s: progress on stderr when piped, then a clear timeout', async () => {
    await eso.close()
    const result = await floe([
      'secrets',
      'rotate',
      'snowflake-credentials',
      '--hooks-only',
      '--timeout',
      '6s',
    ])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(
      /^… waiting for ExternalSecret floe-jobs\/snowflake-credentials to sync \(\d+s\)$/m,
    )
    expect(result.stdout).toMatch(/did not sync within 6s/)
    const bad = await floe([
      'secrets',
      'rotate',
      'snowflake-credentials',
      '--hooks-only',
      '--timeout',
      'soon',
    ])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr + bad.stdout).toMatch(
      /--timeout soon: expected a duration such as 30s, 2m or 500ms/,
    )
  })
})
