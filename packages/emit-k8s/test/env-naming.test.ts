/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into arbitrary emitted YAML */
/**
 * env_naming (core's one naming rule) decides the synced Secret's keys: the ExternalSecret
 * `secretKey`, so `envFrom` gives the pod the names `floe secrets exec` sets and the dbt profile
 * reads, with no hand-written `env:` map. Objects validate with kubernetes-models and the
 * emitted directory builds with the real `kubectl kustomize`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildKubernetesObjects, emitter, type K8sObject } from '../src/index.js'
import { kustomizeEmitted } from './kustomize-build.js'
import { load } from './manifests.js'
import { objectProblems } from './object-checks.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const root = mkdtempSync(join(tmpdir(), 'floe-emit-k8s-naming-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** seed 004's secrets and workloads, with `head` on top and `override` on snowflake-credentials */
function manifest(head: string, override = '', keys = 'account, user, password'): string {
  return `${head}
plugins:
  secrets:
    type: external-secrets
    config: { store: aws-secrets-manager, refresh_interval: 1h }
secrets:
  snowflake-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/snowflake
    region: us-east-1
${override}    keys: [${keys}]
  catalog-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/catalog
    region: us-east-1
    keys: [client_id, client_secret]
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          account: secret://snowflake-credentials/${keys.split(', ')[0]}
          user: dbt_user
          password: secret://snowflake-credentials/${keys.split(', ')[2]}
          database: ANALYTICS
          schema: dbt_prod
kubernetes:
  namespace: floe-jobs
  workloads:
    - kind: Deployment
      name: dagster-daemon
      containers: [daemon]
      secrets: [snowflake-credentials, catalog-credentials]
`
}

async function build(text: string) {
  const emission = await buildKubernetesObjects(await load(text))
  for (const o of emission.objects)
    expect(objectProblems(o), `${o.kind} ${String(o.metadata.name)}`).toEqual([])
  const secretKeys = (name: string) =>
    (
      emission.objects.find(
        (o: K8sObject) => o.kind === 'ExternalSecret' && o.metadata.name === name,
      ) as any
    ).spec.data.map((d: any) => `${d.secretKey}<-${d.remoteRef.property}`)
  const daemon = emission.patches.find((p) => p.metadata.name === 'dagster-daemon') as any
  const container = daemon.spec.template.spec.containers[0]
  return { emission, secretKeys, container }
}

describe('ExternalSecret keys follow env_naming', () => {
  it('default (secret_key): <SECRET>_<KEY>, dbt names added as secretKeyRef env', async () => {
    const { secretKeys, container } = await build(manifest(''))
    expect(secretKeys('snowflake-credentials')).toEqual([
      'SNOWFLAKE_CREDENTIALS_ACCOUNT<-account',
      'SNOWFLAKE_CREDENTIALS_USER<-user',
      'SNOWFLAKE_CREDENTIALS_PASSWORD<-password',
    ])
    expect(container.env).toContainEqual({
      name: 'DBT_ENV_SECRET_SNOWFLAKE_CREDENTIALS_ACCOUNT',
      valueFrom: {
        secretKeyRef: { name: 'snowflake-credentials', key: 'SNOWFLAKE_CREDENTIALS_ACCOUNT' },
      },
    })
  })

  it('secret_key does not double a key that repeats the secret name', async () => {
    const { secretKeys } = await build(
      manifest('', '', 'snowflake_account, snowflake_user, snowflake_password'),
    )
    expect(secretKeys('snowflake-credentials')).toEqual([
      'SNOWFLAKE_CREDENTIALS_ACCOUNT<-snowflake_account',
      'SNOWFLAKE_CREDENTIALS_USER<-snowflake_user',
      'SNOWFLAKE_CREDENTIALS_PASSWORD<-snowflake_password',
    ])
  })

  it('key: the key itself, when the remote keys already carry the name', async () => {
    const { secretKeys } = await build(
      manifest(
        'env_naming: key',
        '',
        'SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_PASSWORD',
      ).replace(
        'keys: [client_id, client_secret]',
        'keys: [client_id, client_secret]\n    env_naming: secret_key',
      ),
    )
    expect(secretKeys('snowflake-credentials')).toEqual([
      'SNOWFLAKE_ACCOUNT<-SNOWFLAKE_ACCOUNT',
      'SNOWFLAKE_USER<-SNOWFLAKE_USER',
      'SNOWFLAKE_PASSWORD<-SNOWFLAKE_PASSWORD',
    ])
    // the per-secret override keeps catalog's keys apart from any other client_id
    expect(secretKeys('catalog-credentials')).toEqual([
      'CATALOG_CREDENTIALS_CLIENT_ID<-client_id',
      'CATALOG_CREDENTIALS_CLIENT_SECRET<-client_secret',
    ])
  })

  it("seed 004: env_prefix + dbt_prefix '' give the ADR's secretKey SNOWFLAKE_ACCOUNT (property account), envFrom alone", async () => {
    const text = manifest('env_naming: { dbt_prefix: "" }', '    env_prefix: SNOWFLAKE\n')
    const { secretKeys, container } = await build(text)
    expect(secretKeys('snowflake-credentials')).toEqual([
      'SNOWFLAKE_ACCOUNT<-account',
      'SNOWFLAKE_USER<-user',
      'SNOWFLAKE_PASSWORD<-password',
    ])
    expect(container.envFrom).toEqual([
      { secretRef: { name: 'snowflake-credentials' } },
      { secretRef: { name: 'catalog-credentials' } },
    ])
    // the dbt profile reads the envFrom names: no extra secretKeyRef entries are needed
    expect(container.env ?? []).toEqual([])

    const { files } = await emitter.emit({
      manifest: await load(text),
      logger: silent,
      options: {},
    })
    const objects = kustomizeEmitted(files, join(root, 'adr'))
    const external = objects.find(
      (o) => o.kind === 'ExternalSecret' && o.metadata.name === 'snowflake-credentials',
    )
    expect(external.spec.data[0]).toEqual({
      secretKey: 'SNOWFLAKE_ACCOUNT',
      remoteRef: { key: 'floe/prod/snowflake', property: 'account' },
    })
  })

  it('a collision under key naming is a located error naming both secrets', async () => {
    const text = manifest('env_naming: key', '', 'client_id, user, password')
    await expect(load(text)).rejects.toThrow(
      /environment variable CLIENT_ID would hold two different secrets: secret:\/\/snowflake-credentials\/client_id \(secrets\.snowflake-credentials, line 7\) and secret:\/\/catalog-credentials\/client_id \(secrets\.catalog-credentials, line 12\)/,
    )
  })
})
