import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startKubernetesEmulator, type KubernetesEmulator } from '@floe/testkit'
import { assertBuilt, makeProject, parseJson, runFloe, type FixtureProject } from './helpers.js'

/**
 * `floe secrets rotate --restart-deployments` restarts only the Deployments whose pod
 * templates read a changed key, one at a time, each waited for (the emulator's simulated
 * deployment controller), and stops with an exact report on the first failure.
 */
const manifestText = `
secrets:
  app-db:
    provider: kubernetes
    namespace: floe-jobs
    secret_name: app-db
    keys: [user, password]
`

const ROTATED = `canary-rotated-${Date.now().toString(36)}`
const NS = 'floe-jobs'

let kube: KubernetesEmulator
let project: FixtureProject
let env: Record<string, string>

type Container = Record<string, unknown>
const deployment = (name: string, container: Container, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'busybox:1', ...container }], ...extra },
    },
  },
})

function seedWorkloads(): void {
  for (const d of kube.list('apps/v1', 'Deployment', NS))
    kube.remove('apps/v1', 'Deployment', NS, d.metadata.name)
  kube.seed({
    secrets: [
      {
        namespace: NS,
        name: 'app-db',
        stringData: { user: 'reader-account-1', password: 'old-password-1' },
      },
    ],
  })
  // a: all keys (envFrom); b: the password key; c: only the unchanged user key; d: a volume of
  // the password item, in an init container; e: does not read the Secret at all
  kube.put(deployment('a', { envFrom: [{ secretRef: { name: 'app-db' } }] }))
  kube.put(
    deployment('b', {
      env: [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-db', key: 'password' } } },
      ],
    }),
  )
  kube.put(
    deployment('c', {
      env: [{ name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'app-db', key: 'user' } } }],
    }),
  )
  kube.put(
    deployment(
      'd',
      {},
      {
        initContainers: [
          {
            name: 'migrate',
            image: 'busybox:1',
            volumeMounts: [{ name: 'creds', mountPath: '/c' }],
          },
        ],
        volumes: [
          {
            name: 'creds',
            secret: { secretName: 'app-db', items: [{ key: 'password', path: 'pw' }] },
          },
        ],
      },
    ),
  )
  kube.put(deployment('e', {}))
  kube.clearRolloutFailures()
}

const restartedAt = (name: string): string | undefined =>
  kube.get('apps/v1', 'Deployment', NS, name)?.spec.template.metadata.annotations?.[
    'kubectl.kubernetes.io/restartedAt'
  ]

/** Deployment changes in order, as `name:generation` (spec) and `name:observed` (rollout done) */
async function recordRollouts(): Promise<{ events: string[]; stop: () => void }> {
  const controller = new AbortController()
  const response = await fetch(`${kube.url}/apis/apps/v1/namespaces/${NS}/deployments?watch=1`, {
    headers: { authorization: `Bearer ${kube.token}` },
    signal: controller.signal,
  })
  const events: string[] = []
  void (async () => {
    let buffer = ''
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString('utf8')
        let i: number
        while ((i = buffer.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffer.slice(0, i)) as {
            type: string
            object: {
              metadata: { name: string; generation: number }
              status?: { observedGeneration?: number; updatedReplicas?: number }
            }
          }
          buffer = buffer.slice(i + 1)
          const { metadata, status } = event.object
          if (event.type !== 'MODIFIED' || metadata.generation < 2) continue
          events.push(
            status?.observedGeneration === metadata.generation
              ? `${metadata.name}:rolled-out`
              : `${metadata.name}:restarted`,
          )
        }
      }
    } catch {
      // stopped
    }
  })()
  return { events, stop: () => controller.abort() }
}

beforeAll(async () => {
  assertBuilt()
  kube = await startKubernetesEmulator({ seed: { namespaces: [NS] }, rolloutDelayMs: 40 })
  project = makeProject({
    '@floe/cli': 'apps/floe',
    '@floe/provider-kubernetes': 'packages/provider-kubernetes',
  })
  project.write('manifest.yaml', manifestText)
  project.write('new-password.txt', ROTATED, 0o600)
  const dir = mkdtempSync(join(project.dir, 'kube-'))
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, kube.kubeconfig({ namespace: NS, context: 'floe' }), { mode: 0o600 })
  env = { KUBECONFIG: kubeconfig }
})
afterAll(async () => {
  await kube?.close()
})
beforeEach(() => seedWorkloads())

const floe = (args: string[]) => runFloe(args, { cwd: project.dir, env, timeoutMs: 60_000 })
const rotate = (...extra: string[]) =>
  floe([
    'secrets',
    'rotate',
    'app-db',
    '--key',
    'password',
    '--value-file',
    'new-password.txt',
    '--restart-deployments',
    ...extra,
  ])

interface Restarts {
  namespace: string
  secret: string
  changedKeys: string[] | 'all'
  workloads: { name: string; state: string; reasons: string[]; failure?: string; error?: string }[]
  unaffected: { name: string; why: string }[]
}
const restartsOf = (stdout: string): Restarts => {
  const json = parseJson<{
    result: { complete: boolean; steps: { ok: boolean; details?: { restarts?: Restarts } }[] }
  }>(stdout)
  const step = json.result.steps.find((s) => s.details?.restarts)
  if (!step) throw new Error(`no restarts in ${stdout}`)
  return step.details!.restarts!
}

const noLeak = (text: string) => {
  expect(text).not.toContain(ROTATED)
  expect(text).not.toContain(Buffer.from(ROTATED).toString('base64'))
}

describe('rotate --restart-deployments: staged restarts of the workloads that read a changed key', () => {
  it('restarts a, b and d one at a time, each rolled out before the next; not c (unchanged key) nor e', async () => {
    const recorder = await recordRollouts()
    const result = await rotate()
    recorder.stop()
    noLeak(result.stdout + result.stderr)
    expect(result.code).toBe(0)
    expect(kube.secretData(NS, 'app-db')?.password).toBe(ROTATED)
    expect(recorder.events).toEqual([
      'a:restarted',
      'a:rolled-out',
      'b:restarted',
      'b:rolled-out',
      'd:restarted',
      'd:rolled-out',
    ])
    expect(restartedAt('c')).toBeUndefined()
    expect(restartedAt('e')).toBeUndefined()
    const lines = result.stdout.trim().split('\n')
    // stdout: the ADR's one line; each rollout with its time and reason is progress on stderr
    expect(lines).toContain(
      '✓ Restarting deployments: a, b, d; not restarted (read only unchanged keys): c',
    )
    expect(lines.filter((l) => l.includes('deploy/'))).toEqual([])
    expect(result.stderr).toMatch(
      /^… deploy\/a rolled out in [\d.]+s \(envFrom in app \(password\)\)$/m,
    )
    expect(result.stderr).toMatch(
      /^… deploy\/b rolled out in [\d.]+s \(env DB_PASSWORD in app \(password\)\)$/m,
    )
    expect(result.stderr).toMatch(
      /^… deploy\/d rolled out in [\d.]+s \(volume creds in migrate \(password\)\)$/m,
    )
    expect(lines.at(-1)).toBe('Rotation complete.')
    // piped: progress on stderr
    expect(result.stderr).toMatch(/^… restarting deploy\/a \(1\/3\)$/m)
  })

  it('stops at the first failed rollout (ProgressDeadlineExceeded) and reports restarted / failed / not attempted, in --json too', async () => {
    kube.failRollout(NS, 'b')
    const result = await rotate()
    noLeak(result.stdout + result.stderr)
    expect(result.code).not.toBe(0)
    expect(result.stdout).toMatch(
      /^✗ deploy\/b \(2\/3\) did not roll out: ProgressDeadlineExceeded — deployment "b" exceeded its progress deadline/m,
    )
    expect(result.stdout).toMatch(
      /^✗ Staged restart stopped at deploy\/b \(ProgressDeadlineExceeded: .*\); restarted: a; not attempted: d\. .*kubectl -n floe-jobs rollout restart deployment b d$/m,
    )
    expect(result.stdout).toMatch(/Rotation incomplete: the new value IS stored/)
    expect(restartedAt('d')).toBeUndefined()

    seedWorkloads()
    kube.failRollout(NS, 'b')
    const json = await rotate('--json')
    noLeak(json.stdout + json.stderr)
    expect(json.code).not.toBe(0)
    const restarts = restartsOf(json.stdout)
    expect(restarts).toMatchObject({ namespace: NS, secret: 'app-db', changedKeys: ['password'] })
    expect(
      restarts.workloads.map((w) => `${w.name}:${w.state}${w.failure ? `:${w.failure}` : ''}`),
    ).toEqual(['a:restarted', 'b:failed:ProgressDeadlineExceeded', 'd:not-attempted'])
    expect(restarts.unaffected).toEqual([
      { name: 'c', why: 'reads only unchanged keys of Secret app-db' },
    ])
  })

  it('--timeout bounds each rollout: a rollout that never completes fails as timeout', async () => {
    kube.failRollout(NS, 'a', 'hang')
    const result = await rotate('--timeout', '1s', '--json')
    noLeak(result.stdout + result.stderr)
    expect(result.code).not.toBe(0)
    const restarts = restartsOf(result.stdout)
    expect(restarts.workloads.map((w) => `${w.name}:${w.state}`)).toEqual([
      'a:failed',
      'b:not-attempted',
      'd:not-attempted',
    ])
    expect(restarts.workloads[0]).toMatchObject({ failure: 'timeout' })
    expect(restarts.workloads[0]?.error).toMatch(
      /deploy\/a did not roll out within 1s \(\d of 2 new replicas updated\)/,
    )
    expect(restartedAt('b')).toBeUndefined()
  })

  it('--dry-run lists what would restart and why, and changes nothing', async () => {
    const result = await rotate('--dry-run')
    noLeak(result.stdout + result.stderr)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      '✓ Would restart one at a time: deploy/a (envFrom in app (password)), deploy/b (env DB_PASSWORD in app (password)), deploy/d (volume creds in migrate (password)); not restarted (read only unchanged keys): c',
    )
    for (const name of ['a', 'b', 'c', 'd', 'e']) expect(restartedAt(name)).toBeUndefined()
    expect(kube.secretData(NS, 'app-db')?.password).toBe('old-password-1')
  })

  it('a forbidden restart stops the sequence and says so', async () => {
    kube.deny({ verb: 'patch', resource: 'deployments', name: 'a' })
    try {
      const result = await rotate('--json')
      expect(result.code).not.toBe(0)
      const restarts = restartsOf(result.stdout)
      expect(restarts.workloads[0]).toMatchObject({
        name: 'a',
        state: 'failed',
        failure: 'forbidden',
      })
      expect(restarts.workloads.slice(1).map((w) => w.state)).toEqual([
        'not-attempted',
        'not-attempted',
      ])
    } finally {
      kube.clearDenials()
    }
  })
})
