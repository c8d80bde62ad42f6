/* eslint-disable @typescript-eslint/no-explicit-any -- tests read into arbitrary emitted YAML */
import { describe, expect, it } from 'vitest'
import { objectProblems } from './object-checks.js'

// the checker itself must catch what it claims to catch
describe('object checks', () => {
  const es = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'db', namespace: 'floe-jobs' },
    spec: {
      secretStoreRef: { name: 's', kind: 'ClusterSecretStore' },
      target: { name: 'db' },
      data: [{ secretKey: 'A', remoteRef: { key: 'k' } }],
    },
  }

  it('accepts a valid ExternalSecret and Deployment', () => {
    expect(objectProblems(es)).toEqual([])
    expect(
      objectProblems({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', annotations: { a: 'b' } },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            spec: { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'db' } }] }] },
          },
        },
      }),
    ).toEqual([])
  })

  it('reports unknown fields, bad names and schema violations', () => {
    const typo = structuredClone(es) as Record<string, any>
    typo.spec.secretStoreref = typo.spec.secretStoreRef
    typo.spec.data[0].remoteRef.propertyy = 'x'
    typo.metadata.name = 'Bad_Name'
    const problems = objectProblems(typo)
    expect(problems).toContain('unknown field spec.secretStoreref')
    expect(problems).toContain('unknown field spec.data[0].remoteRef.propertyy')
    expect(problems.some((p) => p.includes('RFC 1123'))).toBe(true)
    const invalid = structuredClone(es) as Record<string, any>
    invalid.spec.data[0].remoteRef = {}
    expect(objectProblems(invalid).some((p) => p.startsWith('schema:'))).toBe(true)
    expect(
      objectProblems({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, strigData: {} }),
    ).toEqual(['unknown field strigData'])
  })
})
