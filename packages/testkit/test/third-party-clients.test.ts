import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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

/** kubectl runs: each entry is one operation; `check` throws when kubectl's answer is wrong */
interface KubectlStep {
  op: string
  args: string[]
  /** expected to fail with this text (an operation the emulator does not serve) */
  fails?: RegExp
  check?(out: string): void
  /** run under `timeout SECONDS` (a watch that never ends by itself): exit 124 is success */
  stopAfterSeconds?: number
  /** runs while the step's kubectl runs (e.g. a change the watch must show) */
  during?(): Promise<unknown>
}

function kubectl(args: string[], env: Record<string, string>, stopAfterSeconds?: number) {
  const [command, argv] = stopAfterSeconds
    ? ['/usr/bin/timeout', [String(stopAfterSeconds), '/usr/bin/kubectl', ...args]]
    : ['/usr/bin/kubectl', args]
  return new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    const child = spawn(command, argv, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }))
  })
}

const must = (condition: boolean, message: string) => {
  if (!condition) throw new Error(message)
}

describe('kubectl against floe-sandbox (kubernetes)', () => {
  let sandbox: Sandbox
  let manifest: string
  let secretFile: string
  let unknownFieldFile: string
  beforeAll(async () => {
    manifest = join(home, 'deploy.json')
    secretFile = join(home, 'secret.json')
    unknownFieldFile = join(home, 'unknown-field.json')
    await writeFile(
      unknownFieldFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'typo', namespace: 'floe-jobs' },
        strinData: { k: 'v' },
      }),
    )
    await writeFile(
      manifest,
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'floe-jobs' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      }),
    )
    await writeFile(
      secretFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'from-diff', namespace: 'floe-jobs' },
        stringData: { k: 'v' },
      }),
    )
    sandbox = await startSandbox({
      ports: { kubernetes: 0 },
      seed: {
        kubernetes: {
          namespace: 'floe-jobs',
          fail_rollouts: ['floe-jobs/broken'],
          secrets: { 'floe-jobs': { 'db-a': { password: 'pw' }, 'db-b': { password: 'pw' } } },
          objects: [
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'Role',
              metadata: { name: 'secret-reader', namespace: 'floe-jobs' },
              rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
            },
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              metadata: { name: 'floe-cli-reads', namespace: 'floe-jobs' },
              roleRef: {
                apiGroup: 'rbac.authorization.k8s.io',
                kind: 'Role',
                name: 'secret-reader',
              },
              subjects: [{ kind: 'ServiceAccount', name: 'floe-cli', namespace: 'floe' }],
            },
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'ClusterRole',
              metadata: { name: 'configmap-reader' },
              rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
            },
            {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'ClusterRoleBinding',
              metadata: { name: 'floe-cli-configmaps' },
              roleRef: {
                apiGroup: 'rbac.authorization.k8s.io',
                kind: 'ClusterRole',
                name: 'configmap-reader',
              },
              subjects: [{ kind: 'ServiceAccount', name: 'floe-cli', namespace: 'floe' }],
            },
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 'broken', namespace: 'floe-jobs' },
              spec: {
                replicas: 1,
                selector: { matchLabels: { app: 'broken' } },
                template: {
                  metadata: { labels: { app: 'broken' } },
                  spec: { containers: [{ name: 'app', image: 'busybox:1' }] },
                },
              },
            },
            {
              apiVersion: 'external-secrets.io/v1',
              kind: 'ExternalSecret',
              metadata: { name: 'db', namespace: 'floe-jobs' },
              spec: {
                refreshInterval: '1h',
                secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
                target: { name: 'db' },
                data: [],
              },
            },
          ],
        },
      },
    })
  })
  afterAll(() => sandbox?.close())

  // ~35 kubectl processes one after another: bounded generously for a loaded machine
  it('passes every operation in the Kubernetes README table', async () => {
    const steps: KubectlStep[] = [
      {
        op: 'version',
        args: ['version', '-o', 'json'],
        check: (o) => must(o.includes('floe-emulator'), o),
      },
      {
        op: 'get (Table)',
        args: ['get', 'secrets'],
        check: (o) =>
          must(/^NAME\s+TYPE\s+DATA\s+AGE\n/.test(o) && /db-a\s+Opaque\s+1\s/.test(o), o),
      },
      {
        op: 'get --chunk-size (limit/continue)',
        args: ['get', 'secrets', '--chunk-size=1', '-o', 'name'],
        check: (o) => must(o.trim() === 'secret/db-a\nsecret/db-b', o),
      },
      {
        op: 'get -o json',
        args: ['get', 'secret', 'db-a', '-o', 'jsonpath={.data.password}'],
        check: (o) => must(Buffer.from(o, 'base64').toString() === 'pw', o),
      },
      {
        op: 'create --dry-run=server',
        args: [
          'create',
          'secret',
          'generic',
          'tmp',
          '--from-literal=k=v',
          '--dry-run=server',
          '-o',
          'name',
        ],
        check: (o) => must(o.trim() === 'secret/tmp', o),
      },
      {
        op: 'create',
        args: ['create', 'secret', 'generic', 'tmp', '--from-literal=k=v'],
        check: (o) => must(o.includes('secret/tmp created'), o),
      },
      {
        op: 'patch --dry-run=server',
        args: [
          'patch',
          'secret',
          'tmp',
          '--type=merge',
          '-p',
          '{"stringData":{"k":"changed"}}',
          '--dry-run=server',
        ],
      },
      {
        op: 'label / annotate (strategic merge patch)',
        args: ['label', 'secret', 'tmp', 'team=data'],
        check: (o) => must(o.includes('labeled'), o),
      },
      {
        op: 'delete --dry-run=server',
        args: ['delete', 'secret', 'tmp', '--dry-run=server'],
        check: (o) => must(o.includes('(server dry run)'), o),
      },
      {
        op: 'delete',
        args: ['delete', 'secret', 'tmp'],
        check: (o) => must(o.includes('deleted'), o),
      },
      {
        op: 'apply --validate=false',
        args: ['apply', '--validate=false', '-f', manifest],
        check: (o) => must(o.includes('deployment.apps/web created'), o),
      },
      {
        op: 'rollout restart',
        args: ['rollout', 'restart', 'deployment/web'],
        check: (o) => must(o.includes('restarted'), o),
      },
      {
        op: 'rollout status',
        args: ['rollout', 'status', 'deployment/web', '--timeout=10s'],
        check: (o) => must(o.includes('deployment "web" successfully rolled out'), o),
      },
      {
        op: 'wait --for=condition=Available',
        args: ['wait', 'deployment/web', '--for=condition=Available', '--timeout=10s'],
        check: (o) => must(o.includes('deployment.apps/web condition met'), o),
      },
      {
        op: 'scale (scale subresource)',
        args: ['scale', 'deployment/web', '--replicas=2'],
        check: (o) => must(o.includes('deployment.apps/web scaled'), o),
      },
      {
        op: 'rollout status after scale',
        args: ['rollout', 'status', 'deployment/web', '--timeout=10s'],
        check: (o) => must(o.includes('successfully rolled out'), o),
      },
      {
        op: 'rollout restart (a rollout that fails)',
        args: ['rollout', 'restart', 'deployment/broken'],
        check: (o) => must(o.includes('restarted'), o),
      },
      {
        op: 'rollout status: ProgressDeadlineExceeded',
        args: ['rollout', 'status', 'deployment/broken', '--timeout=10s'],
        fails: /error: deployment "broken" exceeded its progress deadline/,
      },
      {
        // the initial Table, then the row of a Secret created while the watch is open
        op: 'get -w (watch)',
        args: ['get', 'secrets', '--watch'],
        stopAfterSeconds: 4,
        during: async () => {
          await new Promise((resolve) => setTimeout(resolve, 1500))
          const created = await kubectl(
            ['create', 'secret', 'generic', 'watched', '--from-literal=k=v'],
            sandbox.env,
          )
          must(created.code === 0, created.err)
        },
        check: (o) =>
          must(
            /^NAME\s+TYPE\s+DATA\s+AGE\n/.test(o) &&
              /^db-a\s/m.test(o) &&
              /^watched\s+Opaque\s+1\s/m.test(o),
            o,
          ),
      },
      {
        op: 'auth can-i via ClusterRoleBinding',
        args: ['auth', 'can-i', 'list', 'configmaps', '--all-namespaces'],
        check: (o) => must(o.trim() === 'yes', o),
      },
      {
        op: 'get externalsecrets (Table)',
        args: ['get', 'externalsecrets.external-secrets.io'],
        check: (o) => must(/^NAME\s+STORE\s+REFRESH INTERVAL\s+STATUS\s+AGE\n/.test(o), o),
      },
      {
        op: 'auth can-i (SelfSubjectAccessReview)',
        args: ['auth', 'can-i', 'get', 'secrets'],
        check: (o) => must(o.trim() === 'yes', o),
      },
      {
        op: 'auth can-i denied by RBAC',
        args: ['auth', 'can-i', 'delete', 'secrets'],
        fails: /^no$/m,
      },
      {
        // exit 1 = "differences found"; server dry-run: the Secret must not be created
        op: 'diff (server dry run)',
        args: ['diff', '-f', secretFile],
        fails: /^\+kind: Secret$/m,
      },
      {
        op: 'get after diff: nothing created',
        args: ['get', 'secret', 'from-diff'],
        fails: /\(NotFound\): secrets "from-diff" not found/,
      },
      {
        // kubectl reads /openapi/v3, finds fieldValidation on the PATCH operation and leaves
        // validation to the server (?fieldValidation=Strict) instead of asking for /openapi/v2
        op: 'apply with validation (OpenAPI v3, server-side Strict)',
        args: ['apply', '-f', secretFile],
        check: (o) => must(o.trim() === 'secret/from-diff created', o),
      },
      {
        // stringData is write-only (stored as data), so the three-way patch re-adds it every
        // time: a real API server answers the same way
        op: 'apply again: configured (stringData is write-only)',
        args: ['apply', '-f', secretFile],
        check: (o) => must(o.trim() === 'secret/from-diff configured', o),
      },
      {
        op: 'apply an unknown field: strict decoding error',
        args: ['apply', '-f', unknownFieldFile],
        fails:
          /Error from server \(BadRequest\): error when creating ".*unknown-field\.json": Secret in version "v1" cannot be handled as a Secret: strict decoding error: unknown field "strinData"/,
      },
      {
        op: 'get after a rejected apply: nothing created',
        args: ['get', 'secret', 'typo'],
        fails: /\(NotFound\): secrets "typo" not found/,
      },
      {
        op: 'auth whoami (SelfSubjectReview)',
        args: ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
        check: (o) => must(o === 'system:serviceaccount:floe:floe-cli', o),
      },
    ]
    const results: OperationResult[] = []
    for (const step of steps) {
      const [{ code, out, err }] = await Promise.all([
        kubectl(step.args, sandbox.env, step.stopAfterSeconds),
        step.during?.(),
      ])
      let error: string | undefined
      try {
        if (step.fails)
          must(
            code !== 0 && step.fails.test(out + err),
            `expected failure, got ${code}: ${out}${err}`,
          )
        else {
          must(code === (step.stopAfterSeconds ? 124 : 0), `exit ${code}: ${err}`)
          step.check?.(out)
        }
      } catch (e) {
        error = (e as Error).message
      }
      results.push({
        service: 'kubernetes',
        op: step.op,
        ok: error === undefined,
        ...(error ? { error } : {}),
      })
    }
    const { exercised, failures } = summary('kubectl', results)
    expect(failures).toEqual([])
    expect(exercised).toEqual(exercisedTable(join(src, 'kubernetes', 'README.md'), 'kubernetes'))
  }, 120_000)
})
