/* eslint-disable @typescript-eslint/no-explicit-any -- reads arbitrary API JSON */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  esoAwsSource,
  esoMapSource,
  startAwsEmulator,
  startEsoController,
  startKubernetesEmulator,
  type KubernetesEmulator,
} from '../src/index.js'

let kube: KubernetesEmulator

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  token: string | null = kube.token,
) {
  const response = await fetch(`${kube.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

const secretsPath = '/api/v1/namespaces/floe-jobs/secrets'
const esPath = '/apis/external-secrets.io/v1/namespaces/floe-jobs/externalsecrets'

beforeEach(async () => {
  kube = await startKubernetesEmulator({ seed: { namespaces: ['floe-jobs'] } })
})
afterEach(async () => {
  await kube.close()
})

describe('kubernetes emulator: auth and errors', () => {
  it('answers 401 Status without or with a wrong bearer token', async () => {
    for (const token of [null, 'wrong']) {
      const { status, body } = await call('GET', secretsPath, undefined, undefined, token)
      expect(status).toBe(401)
      expect(body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      })
    }
    expect(kube.calls.count()).toBe(0)
  })

  it('answers 404 NotFound Status with details like the API server', async () => {
    const { status, body } = await call('GET', `${secretsPath}/nope`)
    expect(status).toBe(404)
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'secrets "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'secrets' },
      code: 404,
    })
    const es = await call('GET', `${esPath}/nope`)
    expect(es.body.message).toBe('externalsecrets.external-secrets.io "nope" not found')
    expect(es.body.details).toEqual({
      name: 'nope',
      group: 'external-secrets.io',
      kind: 'externalsecrets',
    })
  })

  it('creates (201), rejects a duplicate with 409 AlreadyExists and a missing namespace with 404', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: 'p' },
    }
    const created = await call('POST', secretsPath, secret)
    expect(created.status).toBe(201)
    expect(created.body.metadata.resourceVersion).toMatch(/^\d+$/)
    expect(created.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const again = await call('POST', secretsPath, secret)
    expect(again.status).toBe(409)
    expect(again.body.reason).toBe('AlreadyExists')
    expect(again.body.message).toBe('secrets "db" already exists')
    const elsewhere = await call('POST', '/api/v1/namespaces/ghost/secrets', secret)
    expect(elsewhere.status).toBe(404)
    expect(elsewhere.body.message).toBe('namespaces "ghost" not found')
  })

  it('rejects invalid names (422), bad base64 (400), unknown content types (415) and bad selectors (400)', async () => {
    const bad = await call('POST', secretsPath, { metadata: { name: 'Bad_Name' } })
    expect(bad.status).toBe(422)
    expect(bad.body.reason).toBe('Invalid')
    expect(bad.body.message).toContain('metadata.name: Invalid value: "Bad_Name"')
    const base64 = await call('POST', secretsPath, {
      metadata: { name: 'x' },
      data: { k: 'not base64!' },
    })
    expect(base64.status).toBe(400)
    const yaml = await call('POST', secretsPath, 'metadata: {}', 'application/yaml')
    expect(yaml.status).toBe(415)
    expect(yaml.body.reason).toBe('UnsupportedMediaType')
    const selector = await call('GET', `${secretsPath}?fieldSelector=spec.foo%3Dbar`)
    expect(selector.status).toBe(400)
    expect(selector.body.message).toContain('"spec.foo" is not a known field selector')
  })

  it('answers 403 Forbidden for denied verbs and Status 429 with Retry-After for throttling', async () => {
    kube.seed({ secrets: [{ namespace: 'floe-jobs', name: 'db', stringData: { a: '1' } }] })
    kube.deny({ verb: 'get', resource: 'secrets', name: 'db' })
    const denied = await call('GET', `${secretsPath}/db`)
    expect(denied.status).toBe(403)
    expect(denied.body.reason).toBe('Forbidden')
    expect(denied.body.message).toContain(
      'cannot get resource "secrets" in API group "" in the namespace "floe-jobs"',
    )
    kube.clearDenials()
    kube.faults.add({ operation: 'get secrets', kind: 'throttle', times: 1, retryAfterSeconds: 2 })
    const response = await fetch(`${kube.url}${secretsPath}/db`, {
      headers: { authorization: `Bearer ${kube.token}` },
    })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('2')
    expect((await call('GET', `${secretsPath}/db`)).status).toBe(200)
  })
})

describe('kubernetes emulator: secrets, concurrency and patches', () => {
  it('stores stringData as base64 data and merges it over data on write', async () => {
    const created = await call('POST', secretsPath, {
      metadata: { name: 'db' },
      data: {
        user: Buffer.from('alice').toString('base64'),
        password: Buffer.from('old').toString('base64'),
      },
      stringData: { password: 'new' },
    })
    expect(created.body.stringData).toBeUndefined()
    expect(created.body.type).toBe('Opaque')
    expect(kube.secretData('floe-jobs', 'db')).toEqual({ user: 'alice', password: 'new' })
  })

  it('rejects a stale resourceVersion with 409 Conflict and accepts the current one', async () => {
    const created = await call('POST', secretsPath, {
      metadata: { name: 'db' },
      stringData: { a: '1' },
    })
    const rv = created.body.metadata.resourceVersion
    const first = await call('PUT', `${secretsPath}/db`, {
      metadata: { name: 'db', resourceVersion: rv },
      stringData: { a: '2' },
    })
    expect(first.status).toBe(200)
    expect(first.body.metadata.resourceVersion).not.toBe(rv)
    const stale = await call('PUT', `${secretsPath}/db`, {
      metadata: { name: 'db', resourceVersion: rv },
      stringData: { a: '3' },
    })
    expect(stale.status).toBe(409)
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      code: 409,
      message:
        'Operation cannot be fulfilled on secrets "db": the object has been modified; please apply your changes to the latest version and try again',
    })
    expect(kube.secretData('floe-jobs', 'db')).toEqual({ a: '2' })
  })

  it('applies merge patch and JSON patch, and strategic merge on built-ins (containers merge by name)', async () => {
    kube.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dagster-daemon', namespace: 'floe-jobs' },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'daemon', image: 'a' },
              { name: 'side', image: 'b' },
            ],
          },
        },
      },
    })
    const path = '/apis/apps/v1/namespaces/floe-jobs/deployments/dagster-daemon'
    const merged = await call(
      'PATCH',
      path,
      {
        spec: {
          template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't1' } } },
        },
      },
      'application/merge-patch+json',
    )
    expect(merged.status).toBe(200)
    expect(merged.body.spec.template.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/restartedAt': 't1',
    })
    expect(merged.body.metadata.generation).toBe(2)
    const strategic = await call(
      'PATCH',
      path,
      { spec: { template: { spec: { containers: [{ name: 'daemon', image: 'c' }] } } } },
      'application/strategic-merge-patch+json',
    )
    expect(strategic.body.spec.template.spec.containers).toEqual([
      { name: 'daemon', image: 'c' },
      { name: 'side', image: 'b' },
    ])
    const json = await call(
      'PATCH',
      path,
      [{ op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'd' }],
      'application/json-patch+json',
    )
    expect(json.body.spec.template.spec.containers[1].image).toBe('d')
    const failedTest = await call(
      'PATCH',
      path,
      [{ op: 'test', path: '/spec/template/spec/containers/1/image', value: 'zzz' }],
      'application/json-patch+json',
    )
    expect(failedTest.status).toBe(422)
  })

  it('refuses strategic merge (415) on ExternalSecrets but accepts merge patch; CR updates need resourceVersion', async () => {
    kube.put({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'floe-jobs' },
      spec: { refreshInterval: '1h' },
    })
    const strategic = await call(
      'PATCH',
      `${esPath}/db`,
      { metadata: { annotations: { 'force-sync': '1' } } },
      'application/strategic-merge-patch+json',
    )
    expect(strategic.status).toBe(415)
    expect(strategic.body.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json',
    )
    const merge = await call(
      'PATCH',
      `${esPath}/db`,
      { metadata: { annotations: { 'force-sync': '1' } } },
      'application/merge-patch+json',
    )
    expect(merge.status).toBe(200)
    expect(merge.body.apiVersion).toBe('external-secrets.io/v1')
    const beta = await call(
      'GET',
      '/apis/external-secrets.io/v1beta1/namespaces/floe-jobs/externalsecrets/db',
    )
    expect(beta.body.apiVersion).toBe('external-secrets.io/v1beta1')
    expect(beta.body.metadata.annotations).toEqual({ 'force-sync': '1' })
    const unconditional = await call('PUT', `${esPath}/db`, { metadata: { name: 'db' }, spec: {} })
    expect(unconditional.status).toBe(422)
    expect(unconditional.body.message).toContain('metadata.resourceVersion')
  })

  it('keeps status behind the status subresource', async () => {
    kube.put({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'floe-jobs' },
      spec: { refreshInterval: '1h' },
    })
    const main = await call(
      'PATCH',
      `${esPath}/db`,
      { status: { refreshTime: 'x' } },
      'application/merge-patch+json',
    )
    expect(main.body.status).toBeUndefined()
    const sub = await call(
      'PATCH',
      `${esPath}/db/status`,
      { status: { refreshTime: 'x' }, spec: { refreshInterval: '5m' } },
      'application/merge-patch+json',
    )
    expect(sub.body.status).toEqual({ refreshTime: 'x' })
    expect(sub.body.spec.refreshInterval).toBe('1h')
  })

  it('lists with label and field selectors, sorted, as a typed List', async () => {
    kube.seed({
      namespaces: ['other'],
      secrets: [
        { namespace: 'floe-jobs', name: 'b', labels: { app: 'floe', tier: 'db' } },
        { namespace: 'floe-jobs', name: 'a', labels: { app: 'floe' } },
        { namespace: 'floe-jobs', name: 'c', type: 'kubernetes.io/tls' },
        { namespace: 'other', name: 'z', labels: { app: 'floe' } },
      ],
    })
    const all = await call('GET', secretsPath)
    expect(all.body.kind).toBe('SecretList')
    expect(all.body.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b', 'c'])
    const labelled = await call(
      'GET',
      `${secretsPath}?labelSelector=${encodeURIComponent('app=floe,tier notin (db)')}`,
    )
    expect(labelled.body.items.map((i: any) => i.metadata.name)).toEqual(['a'])
    const typed = await call(
      'GET',
      `${secretsPath}?fieldSelector=${encodeURIComponent('type=kubernetes.io/tls')}`,
    )
    expect(typed.body.items.map((i: any) => i.metadata.name)).toEqual(['c'])
    const everywhere = await call('GET', `/api/v1/secrets?labelSelector=app`)
    expect(
      everywhere.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`),
    ).toEqual(['floe-jobs/a', 'floe-jobs/b', 'other/z'])
  })

  it('serves discovery documents', async () => {
    const groups = await call('GET', '/apis')
    expect(groups.body.groups.map((g: any) => g.name)).toContain('external-secrets.io')
    const resources = await call('GET', '/apis/external-secrets.io/v1beta1')
    expect(resources.body.resources.map((r: any) => r.name)).toContain('clustersecretstores')
  })
})

describe('ESO test controller', () => {
  const store = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'aws-secrets-manager' },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
  }
  const externalSecret = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'snowflake-credentials', namespace: 'floe-jobs' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
      target: { name: 'snowflake-credentials', creationPolicy: 'Owner' },
      data: [
        {
          secretKey: 'SNOWFLAKE_USER',
          remoteRef: { key: 'floe/prod/snowflake', property: 'user' },
        },
        {
          secretKey: 'SNOWFLAKE_PASSWORD',
          remoteRef: { key: 'floe/prod/snowflake', property: 'password' },
        },
      ],
    },
  }

  it('syncs the target Secret, sets Ready/SecretSynced and re-syncs when force-sync changes', async () => {
    const remote = new Map<string, string>([
      ['floe/prod/snowflake', JSON.stringify({ user: 'dbt', password: 'one' })],
    ])
    kube.put(store)
    kube.put(externalSecret)
    const eso = startEsoController({
      kube,
      sources: { 'aws-secrets-manager': esoMapSource(remote) },
      intervalMs: 20,
    })
    try {
      await eso.reconcileNow()
      expect(kube.secretData('floe-jobs', 'snowflake-credentials')).toEqual({
        SNOWFLAKE_USER: 'dbt',
        SNOWFLAKE_PASSWORD: 'one',
      })
      const es = kube.get(
        'external-secrets.io/v1',
        'ExternalSecret',
        'floe-jobs',
        'snowflake-credentials',
      )
      expect(es?.status.conditions[0]).toMatchObject({
        type: 'Ready',
        status: 'True',
        reason: 'SecretSynced',
      })
      expect(es?.status.refreshTime).toMatch(/Z$/)
      const secret = kube.get('v1', 'Secret', 'floe-jobs', 'snowflake-credentials')
      expect(secret?.metadata.ownerReferences[0]).toMatchObject({
        kind: 'ExternalSecret',
        name: 'snowflake-credentials',
        controller: true,
      })

      remote.set('floe/prod/snowflake', JSON.stringify({ user: 'dbt', password: 'two' }))
      await eso.reconcileNow()
      expect(kube.secretData('floe-jobs', 'snowflake-credentials')?.SNOWFLAKE_PASSWORD).toBe('one') // not due yet (1h)
      await call(
        'PATCH',
        `${esPath}/snowflake-credentials`,
        { metadata: { annotations: { 'force-sync': String(Date.now()) } } },
        'application/merge-patch+json',
      )
      await eso.reconcileNow()
      expect(kube.secretData('floe-jobs', 'snowflake-credentials')?.SNOWFLAKE_PASSWORD).toBe('two')

      // owner GC: deleting the ExternalSecret removes the Secret it owns
      await call('DELETE', `${esPath}/snowflake-credentials`)
      expect(kube.get('v1', 'Secret', 'floe-jobs', 'snowflake-credentials')).toBeUndefined()
    } finally {
      await eso.close()
    }
  })

  it('reports SecretSyncedError when a remote property is missing', async () => {
    kube.put(store)
    kube.put(externalSecret)
    const eso = startEsoController({
      kube,
      sources: esoMapSource(new Map([['floe/prod/snowflake', { user: 'dbt' }]])),
    })
    try {
      await eso.reconcileNow()
      const es = kube.get(
        'external-secrets.io/v1',
        'ExternalSecret',
        'floe-jobs',
        'snowflake-credentials',
      )
      expect(es?.status.conditions[0]).toMatchObject({
        type: 'Ready',
        status: 'False',
        reason: 'SecretSyncedError',
      })
      expect(es?.status.conditions[0].message).toContain('no property password')
      expect(kube.get('v1', 'Secret', 'floe-jobs', 'snowflake-credentials')).toBeUndefined()
    } finally {
      await eso.close()
    }
  })
})

describe('ESO test controller reading the AWS emulator', () => {
  it('syncs Secrets Manager (AWSCURRENT) and Parameter Store values, and follows a new version', async () => {
    const aws = await startAwsEmulator()
    try {
      aws.putSecret('floe/prod/snowflake', { user: 'dbt', password: 'one' })
      aws.putParameter('/prod/db/password', 'pw1')
      kube.put({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'sm' },
        spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
      })
      kube.put({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'ps' },
        spec: { provider: { aws: { service: 'ParameterStore', region: 'us-east-1' } } },
      })
      kube.put({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'creds', namespace: 'floe-jobs' },
        spec: {
          secretStoreRef: { name: 'sm', kind: 'ClusterSecretStore' },
          target: { name: 'creds' },
          data: [
            {
              secretKey: 'PASSWORD',
              remoteRef: { key: 'floe/prod/snowflake', property: 'password' },
            },
          ],
        },
      })
      kube.put({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: 'floe-jobs' },
        spec: {
          secretStoreRef: { name: 'ps', kind: 'ClusterSecretStore' },
          target: { name: 'db' },
          data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: '/prod/db/password' } }],
        },
      })
      const eso = startEsoController({ kube, sources: esoAwsSource(aws) })
      try {
        await eso.reconcileNow()
        expect(kube.secretData('floe-jobs', 'creds')).toEqual({ PASSWORD: 'one' })
        expect(kube.secretData('floe-jobs', 'db')).toEqual({ DB_PASSWORD: 'pw1' })
        aws.putSecret('floe/prod/snowflake', { user: 'dbt', password: 'two' })
        await call(
          'PATCH',
          `${esPath}/creds`,
          { metadata: { annotations: { 'force-sync': '2' } } },
          'application/merge-patch+json',
        )
        await eso.reconcileNow()
        expect(kube.secretData('floe-jobs', 'creds')).toEqual({ PASSWORD: 'two' })
      } finally {
        await eso.close()
      }
    } finally {
      await aws.close()
    }
  })
})

describe('kubernetes emulator: OpenAPI v3 and server-side field validation', () => {
  const typo = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'typo', labelz: { a: 'b' } },
    strinData: { k: 'v' },
  }

  it('indexes one document per group-version, each naming fieldValidation on its PATCH', async () => {
    const index = await call('GET', '/openapi/v3')
    expect(index.status).toBe(200)
    const paths = index.body.paths as Record<string, { serverRelativeURL: string }>
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/external-secrets.io/v1']),
    )
    const url = paths['api/v1']?.serverRelativeURL as string
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/)
    const document = await call('GET', url)
    const patch = document.body.paths['/api/v1/namespaces/{namespace}/secrets/{name}'].patch
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: '',
      version: 'v1',
      kind: 'Secret',
    })
    expect(patch.parameters).toContainEqual(
      expect.objectContaining({ name: 'fieldValidation', in: 'query' }),
    )
    expect((await call('GET', '/openapi/v3/apis/no.such.group/v1')).status).toBe(404)
  })

  it('Strict rejects unknown top-level and metadata fields, naming each; nothing is stored', async () => {
    const { status, body } = await call('POST', `${secretsPath}?fieldValidation=Strict`, typo)
    expect(status).toBe(400)
    expect(body.message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: strict decoding error: unknown field "strinData", unknown field "metadata.labelz"',
    )
    expect(kube.get('v1', 'Secret', 'floe-jobs', 'typo')).toBeUndefined()
  })

  it('without fieldValidation (the server default, Warn) stores the object and sends one Warning per unknown field', async () => {
    const response = await fetch(`${kube.url}${secretsPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(typo),
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('warning')).toBe(
      '299 - "unknown field \\"strinData\\"", 299 - "unknown field \\"metadata.labelz\\""',
    )
    expect(kube.get('v1', 'Secret', 'floe-jobs', 'typo')).toBeDefined()
  })

  it('Ignore accepts silently; an unknown directive is a 400 naming the three', async () => {
    const ignored = await call('POST', `${secretsPath}?fieldValidation=Ignore`, typo)
    expect(ignored.status).toBe(201)
    const wrong = await call('POST', `${secretsPath}?fieldValidation=Loud`, {
      ...typo,
      metadata: { name: 'b' },
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body.message).toMatch(/must be one of "Ignore", "Warn", or "Strict"/)
  })
})
