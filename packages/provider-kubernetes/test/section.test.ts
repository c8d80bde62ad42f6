import { ConfigError } from '@floe/core'
import { describe, expect, it } from 'vitest'
import { kubernetesSection } from '../src/section.js'

describe('kubernetesSection: the kubernetes: section as the operations read it', () => {
  it('keeps connection fields and a written namespace, and accepts Kubernetes Secret names in workloads', () => {
    const section = kubernetesSection({
      kubernetes: {
        namespace: 'data',
        context: 'kind-floe',
        secrets: { warehouse: { name: 'warehouse-creds' } },
        workloads: [{ kind: 'Deployment', name: 'loader', secrets: ['warehouse', 'legacy-tls'] }],
      },
    })
    expect(section).toEqual({
      namespace: 'data',
      context: 'kind-floe',
      names: { warehouse: 'warehouse-creds' },
      workloads: [{ kind: 'Deployment', name: 'loader', secrets: ['warehouse', 'legacy-tls'] }],
    })
  })

  it('leaves the namespace unset when the section does not name one (the context decides)', () => {
    expect(kubernetesSection({ kubernetes: {} }).namespace).toBeUndefined()
  })

  it('reports what emit k8s would reject, with the field path and the line', () => {
    const locate = (path: readonly (string | number)[]) => ({
      file: 'floe.yaml',
      line: 7 + path.length,
      column: 3,
    })
    let thrown: unknown
    try {
      kubernetesSection({
        kubernetes: { workloads: [{ kind: 'StatefulSet', name: 'loader', secrets: ['a'] }] },
        locate,
      })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).message).toBe(
      'kubernetes: kubernetes.workloads.0.kind: must be Deployment, Job or CronJob',
    )
    expect((thrown as ConfigError).location).toEqual({ file: 'floe.yaml', line: 11, column: 3 })
  })
})
