/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into arbitrary built YAML */
/**
 * The emitted output deploys: stdout is one stream `kubectl apply -f -` takes, and `-o DIR`
 * builds with the real `kubectl kustomize` (kustomize 5.5 inside kubectl 1.32), its workload
 * component patching the user's own Deployment/Job/CronJob.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseAllDocuments, stringify } from 'yaml'
import { emitter } from '../src/index.js'
import { ESO_MANIFEST, load } from './manifests.js'
import { objectProblems } from './object-checks.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const root = mkdtempSync(join(tmpdir(), 'floe-emit-k8s-kustomize-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
}

function kustomize(dir: string): any[] {
  const built = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })
  expect(built.stderr).toBe('')
  expect(built.status).toBe(0)
  return parseAllDocuments(built.stdout).map((d) => d.toJS())
}

const pod = (container: string) => ({
  metadata: { labels: { app: container } },
  spec: { restartPolicy: 'Never', containers: [{ name: container, image: 'example/app:1' }] },
})

/** the user's own workloads, as a platform repo has them */
const USER_BASE = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'dagster-daemon', namespace: 'floe-jobs' },
    spec: {
      selector: { matchLabels: { app: 'daemon' } },
      template: { ...pod('daemon'), spec: { containers: pod('daemon').spec.containers } },
    },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'dbt-run', namespace: 'floe-jobs' },
    spec: { template: pod('dbt') },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'bigquery-export', namespace: 'floe-jobs' },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: pod('export') } } },
  },
]

async function emit(options: Record<string, unknown> = {}) {
  return emitter.emit({ manifest: await load(ESO_MANIFEST), logger: silent, options })
}

describe('emit k8s output that deploys', () => {
  it('stdout is one multi-document stream of complete objects (no Kustomization, no partial patches)', async () => {
    const { stdout } = await emit()
    const docs = parseAllDocuments(stdout as string)
    expect(docs.flatMap((d) => d.errors)).toEqual([])
    const objects = docs.map((d) => d.toJS())
    expect(objects.length).toBeGreaterThan(3)
    expect(objects.map((o) => o.kind)).not.toContain('Kustomization')
    expect(objects.map((o) => o.kind)).not.toContain('Deployment')
    for (const o of objects) expect(objectProblems(o), `${o.kind} ${o.metadata.name}`).toEqual([])
    expect(stdout).toMatch(/^# Workload patches \(Deployment floe-jobs\/dagster-daemon, /)
    // kubectl's own parser splits it into the same objects (client side, no server)
    const dir = join(root, 'stdout')
    write(join(dir, 'stream.yaml'), stdout as string)
    write(join(dir, 'kustomization.yaml'), stringify({ resources: ['stream.yaml'] }))
    expect(
      kustomize(dir)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort())
  })

  it('-o DIR builds alone, and its workloads component patches the user base; dbt profiles mounted', async () => {
    const { files } = await emit({ dbtProfilesYaml: 'floe:\n  target: prod\n' })
    const out = join(root, 'deploy', 'floe')
    for (const f of files) write(join(out, f.path), f.content)
    const own = kustomize(out)
    expect(own.map((o) => o.kind)).toContain('ExternalSecret')
    expect(own.map((o) => o.kind)).toContain('ConfigMap')

    write(
      join(root, 'deploy', 'base', 'workloads.yaml'),
      USER_BASE.map((o) => stringify(o)).join('---\n'),
    )
    write(
      join(root, 'deploy', 'base', 'kustomization.yaml'),
      stringify({ resources: ['workloads.yaml'] }),
    )
    // the README's example overlay
    write(
      join(root, 'deploy', 'prod', 'kustomization.yaml'),
      stringify({ resources: ['../base', '../floe'], components: ['../floe/workloads'] }),
    )
    const built = kustomize(join(root, 'deploy', 'prod'))
    const get = (kind: string, name: string) =>
      built.find((o) => o.kind === kind && o.metadata.name === name)
    const daemon = get('Deployment', 'dagster-daemon')
    expect(daemon.spec.selector).toEqual({ matchLabels: { app: 'daemon' } })
    const container = daemon.spec.template.spec.containers[0]
    expect(container.image).toBe('example/app:1')
    expect(container.envFrom).toEqual([{ secretRef: { name: 'snowflake-credentials' } }])
    expect(container.env).toContainEqual({ name: 'DBT_PROFILES_DIR', value: '/etc/dbt' })
    expect(container.volumeMounts).toEqual([
      { name: 'dbt-profiles', mountPath: '/etc/dbt', readOnly: true },
    ])
    expect(daemon.spec.template.spec.volumes).toEqual([
      { name: 'dbt-profiles', configMap: { name: 'dbt-profiles' } },
    ])
    expect(daemon.spec.template.spec.serviceAccountName).toBe('dagster')
    const dbt = get('Job', 'dbt-run').spec.template.spec
    expect(dbt.containers[0].image).toBe('example/app:1')
    expect(dbt.containers[0].envFrom.map((e: any) => e.secretRef.name).sort()).toEqual([
      'catalog-credentials',
      'snowflake-credentials',
    ])
    const cron = get('CronJob', 'bigquery-export').spec
    expect(cron.schedule).toBe('0 * * * *')
    expect(cron.jobTemplate.spec.template.spec.volumes[0].configMap.name).toBe('dbt-profiles')
    for (const o of built) expect(objectProblems(o), `${o.kind} ${o.metadata.name}`).toEqual([])
  })

  it('a workload patch naming a Deployment the base lacks fails the build, naming it', async () => {
    const dir = join(root, 'missing')
    const { files } = await emit()
    for (const f of files) write(join(dir, 'floe', f.path), f.content)
    write(
      join(dir, 'kustomization.yaml'),
      stringify({ resources: ['floe'], components: ['floe/workloads'] }),
    )
    const built = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })
    expect(built.status).not.toBe(0)
    expect(built.stderr).toContain('dagster-daemon')
  })
})
