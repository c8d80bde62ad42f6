/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into arbitrary emitted YAML */
/**
 * examples/platform (seed 004's manifest) emits the ADR's ExternalSecret as written —
 * `secretKey: SNOWFLAKE_ACCOUNT`, `property: account` — from its env_naming settings alone, with
 * no hand-written `env:` map; every object validates and the directory builds with kubectl.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildKubernetesObjects, emitter } from '../src/index.js'
import { kustomizeEmitted } from './kustomize-build.js'
import { ADR_SNOWFLAKE_EXTERNAL_SECRET_SPEC, load } from './manifests.js'
import { objectProblems } from './object-checks.js'

const example = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'examples', 'platform', 'manifest.yaml'),
  'utf8',
)
const root = mkdtempSync(join(tmpdir(), 'floe-emit-k8s-adr-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const silent = { debug() {}, info() {}, warn() {}, error() {} }

describe('examples/platform emits the ADR names', () => {
  it('has no env: map and gives the ADR ExternalSecret data', async () => {
    const manifest = await load(example)
    expect(manifest.document.env).toBeUndefined()
    const { objects, patches } = await buildKubernetesObjects(manifest)
    for (const o of objects) expect(objectProblems(o), `${o.kind} ${o.metadata.name}`).toEqual([])
    const snowflake = objects.find(
      (o) => o.kind === 'ExternalSecret' && o.metadata.name === 'snowflake-credentials',
    ) as any
    expect(snowflake.spec).toEqual(ADR_SNOWFLAKE_EXTERNAL_SECRET_SPEC)
    // the keys the sandbox's cluster already holds (examples/platform/sandbox.yaml)
    const catalog = objects.find(
      (o) => o.kind === 'ExternalSecret' && o.metadata.name === 'catalog-credentials',
    ) as any
    expect(catalog.spec.data.map((d: any) => d.secretKey)).toEqual([
      'POLARIS_CLIENT_ID',
      'POLARIS_CLIENT_SECRET',
    ])
    // the pod gets exactly the profile's names through envFrom: no extra env entries
    const daemon = patches.find((p) => p.metadata.name === 'dagster-daemon') as any
    const container = daemon.spec.template.spec.containers[0]
    expect(container.envFrom).toEqual([{ secretRef: { name: 'snowflake-credentials' } }])
    expect(container.env ?? []).toEqual([])
    // exec sets the same names
    expect(
      manifest.env.filter((b) => b.ref.name === 'snowflake-credentials').map((b) => b.name),
    ).toEqual(['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_PASSWORD'])
  })

  it('-o DIR builds with kubectl kustomize', async () => {
    const { files } = await emitter.emit({
      manifest: await load(example),
      logger: silent,
      options: {},
    })
    const names = kustomizeEmitted(files, root)
      .filter((o) => o.kind === 'ExternalSecret')
      .map((o) => `${o.metadata.name}:${o.spec.data.map((d: any) => d.secretKey).join(',')}`)
      .sort()
    expect(names).toEqual([
      'catalog-credentials:POLARIS_CLIENT_ID,POLARIS_CLIENT_SECRET',
      'salesforce-credentials:SALESFORCE_CREDENTIALS_CLIENT_ID,SALESFORCE_CREDENTIALS_CLIENT_SECRET',
      'snowflake-credentials:SNOWFLAKE_ACCOUNT,SNOWFLAKE_USER,SNOWFLAKE_PASSWORD',
    ])
  })
})
