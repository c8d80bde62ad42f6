import { testManifest } from '@floe/core/testing'
import { describe, expect, it } from 'vitest'
import { hook, isEsoManaged } from '../src/index.js'
import { recordingContext } from './helpers.js'

describe('kubernetes rotation hook', () => {
  it('is discovered as "kubernetes" and stays silent (no connection) for secrets that touch no cluster', async () => {
    expect(hook.name).toBe('kubernetes')
    const manifest = testManifest({ api: { provider: 'env', fields: { variable: 'API_TOKEN' } } })
    const steps = []
    // no kubeconfig anywhere: a connection attempt would yield a ✗ step
    const ctx = recordingContext({ HOME: '/nonexistent', KUBECONFIG: '/nonexistent/config' })
    for await (const step of hook.afterRotate({
      secret: manifest.secrets.api!,
      manifest,
      restartDeployments: true,
      dryRun: false,
      ctx,
    }))
      steps.push(step)
    expect(steps).toEqual([])
  })

  it('reports an unreachable cluster for an ESO-managed secret instead of failing silently', async () => {
    const manifest = {
      ...testManifest({
        db: { provider: 'aws_secrets_manager', fields: { secret_id: 'floe/db' } },
      }),
      plugins: { secrets: { type: 'external-secrets', config: { store: 'aws-secrets-manager' } } },
    }
    expect(isEsoManaged(manifest.secrets.db!, manifest)).toBe(true)
    const steps = []
    const ctx = recordingContext({ HOME: '/nonexistent', KUBECONFIG: '/nonexistent/config' })
    for await (const step of hook.afterRotate({
      secret: manifest.secrets.db!,
      manifest,
      restartDeployments: false,
      dryRun: false,
      ctx,
    }))
      steps.push(step)
    expect(steps).toHaveLength(1)
    expect(steps[0]?.ok).toBe(false)
    expect(steps[0]?.message).toContain('Cannot reach the cluster')
    expect(steps[0]?.message).toContain('The new value is stored at the source')
  })
})
