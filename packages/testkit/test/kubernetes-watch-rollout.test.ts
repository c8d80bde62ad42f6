/* eslint-disable @typescript-eslint/no-explicit-any -- reads arbitrary API JSON */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startKubernetesEmulator, type KubernetesEmulator } from '../src/index.js'

// Watches, the simulated deployment controller, the scale subresource and ClusterRole RBAC:
// the parts of the API server that `kubectl rollout status`, `get -w`, `scale` and
// `auth can-i` (and floe's staged restarts) depend on.

let kube: KubernetesEmulator

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
) {
  const response = await fetch(`${kube.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${kube.token}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** An open watch: `next(n)` waits for n more events; `done` resolves when the server ends it. */
async function openWatch(path: string, accept = 'application/json') {
  const controller = new AbortController()
  const response = await fetch(`${kube.url}${path}`, {
    headers: { authorization: `Bearer ${kube.token}`, accept },
    signal: controller.signal,
  })
  const events: any[] = []
  const waiters: (() => void)[] = []
  let buffer = ''
  const done = (async () => {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let newline: number
        while ((newline = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, newline)))
          buffer = buffer.slice(newline + 1)
          for (const wake of waiters.splice(0)) wake()
        }
      }
    } catch {
      // aborted by the test
    }
    for (const wake of waiters.splice(0)) wake()
  })()
  let seen = 0
  return {
    status: response.status,
    headers: response.headers,
    events,
    done,
    async next(n = 1): Promise<any[]> {
      while (events.length < seen + n) {
        const ended = await Promise.race([
          new Promise<boolean>((resolve) => waiters.push(() => resolve(false))),
          done.then(() => true),
        ])
        if (ended && events.length < seen + n)
          throw new Error(`watch ended after ${events.length} events`)
      }
      const batch = events.slice(seen, seen + n)
      seen += n
      return batch
    },
    close: () => controller.abort(),
  }
}

const secrets = '/api/v1/namespaces/floe-jobs/secrets'
const deployments = '/apis/apps/v1/namespaces/floe-jobs/deployments'

const deployment = (name: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'floe-jobs' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'busybox:1' }] },
    },
  },
})

const restartPatch = (at: string) => ({
  spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
})

beforeEach(async () => {
  kube = await startKubernetesEmulator({ seed: { namespaces: ['floe-jobs'] }, rolloutDelayMs: 30 })
})
afterEach(async () => {
  await kube.close()
})

describe('kubernetes emulator: watch', () => {
  it('streams ADDED, MODIFIED and DELETED as JSON lines, filtered by label selector', async () => {
    const watch = await openWatch(`${secrets}?watch=true&labelSelector=app%3Dfloe`)
    expect(watch.status).toBe(200)
    expect(watch.headers.get('transfer-encoding')).toBe('chunked')
    await call('POST', secrets, { metadata: { name: 'other' }, stringData: { k: 'v' } })
    await call('POST', secrets, {
      metadata: { name: 'db', labels: { app: 'floe' } },
      stringData: { k: 'v' },
    })
    await call('PATCH', `${secrets}/db`, { stringData: { k: 'w' } }, 'application/merge-patch+json')
    await call('DELETE', `${secrets}/db`)
    const events = await watch.next(3)
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED db',
      'MODIFIED db',
      'DELETED db',
    ])
    expect(events[0].object).toMatchObject({ apiVersion: 'v1', kind: 'Secret' })
    const versions = events.map((e) => Number(e.object.metadata.resourceVersion))
    expect([...versions].sort((a, b) => a - b)).toEqual(versions)
    expect(new Set(versions).size).toBe(3)
    watch.close()
  })

  it('starts with ADDED for what exists, or after a resourceVersion with only later changes', async () => {
    kube.seed({ secrets: [{ namespace: 'floe-jobs', name: 'a', stringData: { k: '1' } }] })
    const listed = await call('GET', secrets)
    await call('POST', secrets, { metadata: { name: 'b' }, stringData: { k: '2' } })

    const fromNow = await openWatch(`${secrets}?watch=1`)
    expect((await fromNow.next(2)).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED a',
      'ADDED b',
    ])
    fromNow.close()

    const resumed = await openWatch(
      `${secrets}?watch=1&resourceVersion=${listed.body.metadata.resourceVersion}`,
    )
    expect((await resumed.next(1)).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED b',
    ])
    await call('DELETE', `${secrets}/a`)
    expect((await resumed.next(1))[0]).toMatchObject({
      type: 'DELETED',
      object: { metadata: { name: 'a' } },
    })
    resumed.close()
  })

  it('ends the stream after timeoutSeconds and refuses a bad selector with 400', async () => {
    const watch = await openWatch(`${secrets}?watch=true&timeoutSeconds=1`)
    await watch.done
    expect(watch.events).toEqual([])
    const bad = await call(
      'GET',
      `${secrets}?watch=true&labelSelector=${encodeURIComponent('a in b')}`,
    )
    expect(bad.status).toBe(400)
  })

  it('watches custom resources in every served version and Table rows when asked', async () => {
    const es = await openWatch(
      '/apis/external-secrets.io/v1beta1/namespaces/floe-jobs/externalsecrets?watch=true',
    )
    kube.put({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'floe-jobs' },
      spec: { refreshInterval: '1h', secretStoreRef: { name: 'vault' } },
    })
    const [added] = await es.next(1)
    expect(added).toMatchObject({
      type: 'ADDED',
      object: { apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret' },
    })
    es.close()
    const rows = await openWatch(
      `${secrets}?watch=true`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    )
    kube.seed({
      secrets: [{ namespace: 'floe-jobs', name: 'tls', stringData: { a: '1', b: '2' } }],
    })
    const [row] = await rows.next(1)
    expect(row.object.kind).toBe('Table')
    expect(row.object.rows[0].cells.slice(0, 3)).toEqual(['tls', 'Opaque', 2])
    rows.close()
  })
})

describe('kubernetes emulator: deployment rollouts', () => {
  it('rolls a new generation out after the delay: the fields kubectl rollout status reads', async () => {
    const created = await call('POST', deployments, deployment('web', 3))
    expect(created.body.metadata.generation).toBe(1)
    expect(created.body.status).toBeUndefined()
    const watch = await openWatch(
      `${deployments}?watch=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${created.body.metadata.resourceVersion}`,
    )
    const [observed] = await watch.next(1)
    expect(observed.type).toBe('MODIFIED')
    expect(observed.object.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    })
    const progressing = observed.object.status.conditions.find((c: any) => c.type === 'Progressing')
    expect(progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' })

    const restarted = await call(
      'PATCH',
      `${deployments}/web`,
      restartPatch('2026-01-01T00:00:00Z'),
      'application/strategic-merge-patch+json',
    )
    expect(restarted.body.metadata.generation).toBe(2)
    expect(restarted.body.status.observedGeneration).toBe(1)
    const [patched, rolled] = await watch.next(2)
    expect(patched.object.metadata.generation).toBe(2)
    expect(rolled.object.status.observedGeneration).toBe(2)
    watch.close()
  })

  it('failRollout: ProgressDeadlineExceeded, or a rollout that never completes', async () => {
    kube.put(deployment('api'))
    kube.put(deployment('worker'))
    expect(kube.get('apps/v1', 'Deployment', 'floe-jobs', 'api')?.status.observedGeneration).toBe(1)
    kube.failRollout('floe-jobs', 'api')
    kube.failRollout('floe-jobs', 'worker', 'hang')
    const watch = await openWatch(`${deployments}?watch=true&resourceVersion=0`)
    await watch.next(2) // ADDED api, worker
    for (const name of ['api', 'worker'])
      await call(
        'PATCH',
        `${deployments}/${name}`,
        restartPatch('x'),
        'application/merge-patch+json',
      )
    const after = (await watch.next(4)).filter((e) => e.object.status.observedGeneration === 2)
    const byName = Object.fromEntries(after.map((e) => [e.object.metadata.name, e.object.status]))
    expect(byName.api.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    })
    expect(byName.worker.updatedReplicas).toBeLessThan(2)
    expect(byName.worker.conditions.find((c: any) => c.type === 'Progressing').reason).toBe(
      'ReplicaSetUpdated',
    )
    kube.clearRolloutFailures()
    const watchAgain = await openWatch(
      `${deployments}?watch=true&fieldSelector=metadata.name%3Dapi`,
    )
    await watchAgain.next(1)
    await call('PATCH', `${deployments}/api`, restartPatch('y'), 'application/merge-patch+json')
    const [, done] = await watchAgain.next(2)
    expect(done.object.status.updatedReplicas).toBe(2)
    watch.close()
    watchAgain.close()
  })
})

describe('kubernetes emulator: scale subresource', () => {
  it('serves autoscaling/v1 Scale over spec.replicas (get, merge patch, put) and validates it', async () => {
    kube.put(deployment('web', 1))
    const got = await call('GET', `${deployments}/web/scale`)
    expect(got.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 1 },
      status: { replicas: 1, selector: 'app=web' },
    })
    const patched = await call(
      'PATCH',
      `${deployments}/web/scale`,
      { spec: { replicas: 4 } },
      'application/merge-patch+json',
    )
    expect(patched.body.spec.replicas).toBe(4)
    expect(kube.get('apps/v1', 'Deployment', 'floe-jobs', 'web')?.spec.replicas).toBe(4)
    const put = await call('PUT', `${deployments}/web/scale`, {
      ...patched.body,
      spec: { replicas: 2 },
    })
    expect(put.body.spec.replicas).toBe(2)
    const stale = await call('PUT', `${deployments}/web/scale`, patched.body)
    expect(stale.status).toBe(409)
    const negative = await call(
      'PATCH',
      `${deployments}/web/scale`,
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    )
    expect(negative.status).toBe(422)
    const discovery = await call('GET', '/apis/apps/v1')
    expect(discovery.body.resources.find((r: any) => r.name === 'deployments/scale')).toMatchObject(
      {
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
      },
    )
    expect((await call('GET', '/api/v1/namespaces/floe-jobs/secrets/x/scale')).status).toBe(404)
  })
})

describe('kubernetes emulator: SelfSubjectAccessReview with ClusterRoles', () => {
  const review = (verb: string, resource: string, namespace?: string) =>
    call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      spec: {
        resourceAttributes: { verb, resource, group: '', ...(namespace ? { namespace } : {}) },
      },
    })
  const rbac = 'rbac.authorization.k8s.io/v1'
  const subjects = [{ kind: 'ServiceAccount', name: 'floe-cli', namespace: 'floe' }]

  it('evaluates ClusterRoleBindings everywhere and RoleBindings to a ClusterRole in their namespace', async () => {
    kube.seed({
      namespaces: ['other'],
      objects: [
        {
          apiVersion: rbac,
          kind: 'ClusterRole',
          metadata: { name: 'secret-reader' },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
        },
        {
          apiVersion: rbac,
          kind: 'ClusterRole',
          metadata: { name: 'configmap-editor' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }],
        },
        {
          apiVersion: rbac,
          kind: 'ClusterRoleBinding',
          metadata: { name: 'read-secrets' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'secret-reader',
          },
          subjects,
        },
        {
          apiVersion: rbac,
          kind: 'RoleBinding',
          metadata: { name: 'edit-configmaps', namespace: 'floe-jobs' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'configmap-editor',
          },
          subjects,
        },
      ],
    })
    const allowed = async (verb: string, resource: string, namespace?: string) =>
      (await review(verb, resource, namespace)).body.status.allowed
    expect(await allowed('get', 'secrets', 'other')).toBe(true)
    expect(await allowed('list', 'secrets')).toBe(true)
    expect(await allowed('delete', 'secrets', 'floe-jobs')).toBe(false)
    expect(await allowed('update', 'configmaps', 'floe-jobs')).toBe(true)
    expect(await allowed('update', 'configmaps', 'other')).toBe(false)
    expect((await review('get', 'secrets', 'other')).body.status.reason).toContain(
      'ClusterRoleBinding "read-secrets"',
    )
  })
})
