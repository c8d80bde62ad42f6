import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KubeConfig } from '@kubernetes/client-node'
import {
  fetchAll,
  buildAccessModel,
  loadManifestFromString,
  SecretValue,
  type ProviderContext,
  type Role,
} from '@floe/core'
import { startKubernetesEmulator, type KubernetesEmulator } from '@floe/testkit'
import { provider as kubernetesProvider } from '@floe/provider-kubernetes'
import { compileKubernetesObjects } from '../src/index.js'
import type { PolicyRule } from '../src/kubernetes.js'

/**
 * The emitted RBAC checked against what floe really sends: the Kubernetes provider reads and
 * rotates the scope's Secret through the emulator, and every request in the emulator's call log
 * (verb + resource, on the Secret it addressed) goes through an RBAC evaluator per role.
 */
const manifestText = `
secrets:
  warehouse: { provider: kubernetes, namespace: floe-jobs, secret_name: snowflake-credentials, keys: [password], scope: sf }
scopes:
  sf: { location: { kubernetes: { namespace: floe-jobs } } }
access:
  - { principal: 'group:admins', role: manager, scope: sf }
  - { principal: 'user:w@example.com', role: writer, scope: sf }
  - { principal: 'serviceaccount:floe-jobs/runner', role: reader, scope: sf }
`

let kube: KubernetesEmulator
let rulesByRole: Record<Role, PolicyRule[]>
const ctx: ProviderContext = {
  env: {},
  cwd: process.cwd(),
  logger: { debug() {}, info() {}, warn() {}, error() {} },
}

beforeAll(async () => {
  kube = await startKubernetesEmulator({
    seed: {
      namespaces: ['floe-jobs'],
      secrets: [
        { namespace: 'floe-jobs', name: 'snowflake-credentials', stringData: { password: 'p0' } },
      ],
    },
  })
  const manifest = await loadManifestFromString(manifestText, { env: {} })
  const { objects } = compileKubernetesObjects({
    manifest,
    model: await buildAccessModel(manifest),
    options: {},
  })
  const roleRules = (role: Role) =>
    (
      objects.find(
        (o) => o.kind === 'Role' && (o.metadata as { name: string }).name === `floe-sf-${role}`,
      ) as { rules: PolicyRule[] }
    ).rules
  rulesByRole = {
    reader: roleRules('reader'),
    writer: roleRules('writer'),
    manager: roleRules('manager'),
  }
})
afterAll(() => kube?.close())

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'emulator', server: kube.url, skipTLSVerify: true }],
    users: [{ name: 'floe', token: kube.token }],
    contexts: [{ name: 'floe', cluster: 'emulator', user: 'floe', namespace: 'floe-jobs' }],
    currentContext: 'floe',
  })
  return kc
}

/** The requests the emulator received while `action` ran, as "verb resource" pairs. */
async function requestsOf(
  action: () => Promise<unknown>,
): Promise<{ verb: string; resource: string }[]> {
  const before = kube.calls.records.length
  await action()
  return kube.calls.records
    .slice(before)
    .filter((r) => r.operation !== 'discovery')
    .map((r) => {
      const [verb, resource] = r.operation.split(' ') as [string, string]
      return { verb, resource }
    })
}

const allowed = (rules: PolicyRule[], verb: string, resource: string, name: string) =>
  rules.some(
    (r) =>
      r.apiGroups.includes('') &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (!r.resourceNames || r.resourceNames.includes(name)),
  )

describe("kubernetes RBAC against the provider's real requests", () => {
  const config = {
    namespace: 'floe-jobs',
    secret_name: 'snowflake-credentials',
    keys: ['password'],
  }

  it("reading the scope's secret needs only what every role grants", async () => {
    const p = kubernetesProvider.create({ kubeConfig: kubeConfig() })
    const requests = await requestsOf(() => fetchAll(p, [{ secret: 'warehouse', config }], ctx))
    expect(requests.length).toBeGreaterThan(0)
    for (const role of ['reader', 'writer', 'manager'] as Role[]) {
      expect(
        requests.every((r) =>
          allowed(rulesByRole[role], r.verb, r.resource, 'snowflake-credentials'),
        ),
        role,
      ).toBe(true)
    }
  })

  it('rotating it (compare-and-set write) is allowed to writers and managers only', async () => {
    const p = kubernetesProvider.create({ kubeConfig: kubeConfig() })
    const current = await p.describe!({ secret: 'warehouse', config }, ctx)
    const requests = await requestsOf(() =>
      p.put!(
        {
          secret: 'warehouse',
          config,
          data: { password: new SecretValue('p1') },
          expectedVersion: current.version,
        },
        ctx,
      ),
    )
    expect(requests.some((r) => r.verb === 'update' || r.verb === 'patch')).toBe(true)
    const verdict = (role: Role) =>
      requests.every((r) => allowed(rulesByRole[role], r.verb, r.resource, 'snowflake-credentials'))
    expect(verdict('reader')).toBe(false)
    expect(verdict('writer')).toBe(true)
    expect(verdict('manager')).toBe(true)
  })
})
