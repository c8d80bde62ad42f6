import { describe, expect, it } from 'vitest'
import { describeUse, secretUses } from '../src/consumers.js'
import { rolloutState } from '../src/rollout-wait.js'

const template = {
  spec: {
    initContainers: [{ name: 'init', volumeMounts: [{ name: 'projected', mountPath: '/p' }] }],
    containers: [
      {
        name: 'app',
        envFrom: [{ secretRef: { name: 'other' } }],
        env: [
          { name: 'USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
          { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
          { name: 'PLAIN', value: 'x' },
        ],
        volumeMounts: [{ name: 'whole', mountPath: '/w' }],
      },
      { name: 'side', envFrom: [{ secretRef: { name: 'db' } }] },
    ],
    volumes: [
      { name: 'whole', secret: { secretName: 'tls' } },
      {
        name: 'projected',
        projected: { sources: [{ secret: { name: 'db', items: [{ key: 'user', path: 'u' }] } }] },
      },
    ],
  },
}

describe('secretUses: which places of a pod template read a changed key', () => {
  it('finds secretKeyRef of a changed key, envFrom of the Secret, and volumes with a changed item', () => {
    expect(secretUses(template, 'db', ['password']).map(describeUse)).toEqual([
      'env PASS in app (password)',
      'envFrom in side (password)',
    ])
    expect(secretUses(template, 'db', ['user']).map(describeUse)).toEqual([
      'volume projected in init (user)',
      'env USER in app (user)',
      'envFrom in side (user)',
    ])
  })

  it('unknown changed keys mean every key; a Secret nobody reads gives nothing', () => {
    expect(secretUses(template, 'db').map(describeUse)).toEqual([
      'volume projected in init (user)',
      'env USER in app (user)',
      'env PASS in app (password)',
      'envFrom in side',
    ])
    expect(secretUses(template, 'tls', ['crt']).map(describeUse)).toEqual([
      'volume whole in app (crt)',
    ])
    expect(secretUses(template, 'unused', ['k'])).toEqual([])
    expect(secretUses(undefined, 'db', ['k'])).toEqual([])
  })
})

describe("rolloutState: kubectl's rollout status rule", () => {
  const d = (generation: number, status: Record<string, unknown>, replicas = 2) => ({
    metadata: { name: 'web', generation },
    spec: { replicas },
    status,
  })
  it('waits for the generation to be observed, then for updated, old and available replicas', () => {
    expect(rolloutState(d(2, { observedGeneration: 1 })).done).toBe(false)
    expect(rolloutState(d(2, { observedGeneration: 2, updatedReplicas: 1, replicas: 2 }))).toEqual({
      done: false,
      message: '1 of 2 new replicas updated',
    })
    expect(
      rolloutState(d(2, { observedGeneration: 2, updatedReplicas: 2, replicas: 3 })),
    ).toMatchObject({ message: '1 old replicas pending termination' })
    expect(
      rolloutState(
        d(2, { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
      ),
    ).toMatchObject({ message: '1 of 2 updated replicas available' })
    expect(
      rolloutState(
        d(2, { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }),
      ),
    ).toEqual({ done: true })
  })
  it('reports ProgressDeadlineExceeded as a failure', () => {
    const state = rolloutState(
      d(3, {
        observedGeneration: 3,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      }),
    )
    expect(state).toMatchObject({ done: false, failed: 'ProgressDeadlineExceeded' })
  })
})
