/* eslint-disable @typescript-eslint/no-explicit-any -- reads arbitrary API JSON */
import { readFileSync, statSync } from 'node:fs'
import { request } from 'node:https'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { kubernetes } from '../src/sandbox/services/kubernetes.js'

/** GET with what the printed kubeconfig says: server, CA data and bearer token (as kubectl does) */
function get(
  kubeconfig: Record<string, any>,
  path: string,
): Promise<{ status: number; body: any }> {
  const cluster = kubeconfig.clusters[0].cluster
  const token = kubeconfig.users[0].user.token as string
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, cluster.server as string),
      {
        headers: { authorization: `Bearer ${token}` },
        ca: Buffer.from(cluster['certificate-authority-data'] as string, 'base64'),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('floe-sandbox kubernetes service', () => {
  it('starts from a seed section and prints a KUBECONFIG that reaches it over TLS', async () => {
    const running = await kubernetes.start(
      {
        token: 'sandbox-token',
        namespace: 'floe-jobs',
        secrets: {
          'floe-jobs': {
            'snowflake-credentials': { SNOWFLAKE_USER: 'dbt_user', SNOWFLAKE_PASSWORD: 'pw' },
          },
        },
        objects: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'dagster-daemon', namespace: 'floe-jobs' },
            spec: {},
          },
        ],
      },
      0,
    )
    try {
      const file = running.env.KUBECONFIG as string
      expect(statSync(file).mode & 0o777).toBe(0o600)
      const kubeconfig = parse(readFileSync(file, 'utf8')) as Record<string, any>
      expect(kubeconfig['current-context']).toBe('floe-sandbox')
      expect(kubeconfig.contexts[0].context.namespace).toBe('floe-jobs')
      const secret = await get(
        kubeconfig,
        '/api/v1/namespaces/floe-jobs/secrets/snowflake-credentials',
      )
      expect(secret.status).toBe(200)
      expect(Buffer.from(secret.body.data.SNOWFLAKE_USER as string, 'base64').toString()).toBe(
        'dbt_user',
      )
      const deployments = await get(kubeconfig, '/apis/apps/v1/namespaces/floe-jobs/deployments')
      expect(deployments.body.items.map((d: any) => d.metadata.name)).toEqual(['dagster-daemon'])
      expect(running.notes.join('\n')).toContain('kubectl get secrets -n floe-jobs')
    } finally {
      await running.close()
    }
  })

  it('rejects a malformed seed naming the path', async () => {
    await expect(
      kubernetes.start({ secrets: { 'floe-jobs': { db: 'not-a-map' } } }, 0),
    ).rejects.toThrow('kubernetes.secrets["floe-jobs"]["db"] must be a map')
  })
})

describe('floe-sandbox with kubernetes.eso', () => {
  it('runs the ESO test controller: ExternalSecrets sync from the aws service', async () => {
    const { startSandbox } = await import('../src/sandbox/index.js')
    const sandbox = await startSandbox({
      ports: { aws: 0, kubernetes: 0 },
      seed: {
        aws: { secrets: { 'prod/db': { password: 'sandbox-pw' } } },
        kubernetes: {
          namespace: 'floe-jobs',
          eso: { interval_ms: 20 },
          objects: [
            {
              apiVersion: 'external-secrets.io/v1',
              kind: 'ClusterSecretStore',
              metadata: { name: 'aws-secrets-manager' },
              spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
            },
            {
              apiVersion: 'external-secrets.io/v1',
              kind: 'ExternalSecret',
              metadata: { name: 'db', namespace: 'floe-jobs' },
              spec: {
                refreshInterval: '1h',
                secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
                target: { name: 'db' },
                data: [
                  { secretKey: 'password', remoteRef: { key: 'prod/db', property: 'password' } },
                ],
              },
            },
          ],
        },
      },
    })
    try {
      const kube = sandbox.services.find((s) => s.name === 'kubernetes')!
      expect(kube.notes.join('\n')).toMatch(/ESO test controller: syncs ExternalSecrets from aws/)
      const config = parse(readFileSync(sandbox.env.KUBECONFIG!, 'utf8')) as Record<string, any>
      let es: any
      for (let i = 0; i < 400; i++) {
        es = (
          await get(config, '/apis/external-secrets.io/v1/namespaces/floe-jobs/externalsecrets/db')
        ).body
        if (es.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))
          break
        await new Promise((r) => setTimeout(r, 25))
      }
      expect(es.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({
        status: 'True',
        reason: 'SecretSynced',
      })
      const secret = (await get(config, '/api/v1/namespaces/floe-jobs/secrets/db')).body
      expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('sandbox-pw')
    } finally {
      await sandbox.close()
    }
  })

  it('refuses kubernetes.eso without a source service', async () => {
    const { startSandbox } = await import('../src/sandbox/index.js')
    await expect(
      startSandbox({ ports: { kubernetes: 0 }, seed: { kubernetes: { eso: true } } }),
    ).rejects.toThrow(/kubernetes.eso needs a source of values/)
  })
})
