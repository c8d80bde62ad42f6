import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { Role as K8sRole, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import {
  buildAccessModel,
  loadManifestFromString,
  type LoadedManifest,
  type Role,
} from '@floe/core'
import {
  evaluateVaultPolicy,
  parseVaultPolicyHcl,
  startVaultEmulator,
  type VaultEmulator,
} from '@floe/testkit'
import { compileVault, emitter, TARGETS, type CompileInput, type Compiled } from '../src/index.js'
import type { PolicyRule } from '../src/kubernetes.js'
import type { Statement } from '../src/aws.js'

const manifestText = `
environment: prod
secrets:
  snowflake-user: { provider: vault, path: secret/data/scopes/snowflake/user, scope: sf }
  snowflake-password: { provider: vault, path: secret/data/scopes/snowflake/password, scope: sf }
  sf-k8s: { provider: kubernetes, namespace: floe-jobs, secret_name: snowflake-credentials, keys: [user], scope: sf }
  sf-aws: { provider: aws_secrets_manager, secret_id: floe/prod/snowflake, region: us-east-1, scope: sf }
  sf-ssm: { provider: aws_parameter_store, name: /prod/snowflake/password, type: SecureString, scope: sf }
  sf-gcp: { provider: gcp_secret_manager, project: analytics, secret: snowflake, scope: sf }
  sf-azure: { provider: azure_key_vault, vault_url: 'https://floe-kv.vault.azure.net', secret_name: snowflake, scope: sf }
  other: { provider: vault, path: secret/data/other/token }
scopes:
  sf:
    location:
      vault: secret/data/scopes/snowflake
      kubernetes: { namespace: floe-jobs }
      gcp: { prefix: snowflake- }
access:
  - { principal: 'group:sf-admins', role: manager, scope: sf }
  - { principal: 'user:writer@example.com', role: writer, scope: sf }
  - { principal: 'serviceaccount:floe-jobs/runner', role: reader, scope: sf }
  - { principal: 'gcp:serviceAccount:reader@analytics.iam.gserviceaccount.com', role: reader, scope: sf }
  - { principal: 'azure:11111111-2222-3333-4444-555555555555', role: reader, scope: sf }
  - { principal: 'role:arn:aws:iam::123456789012:role/sf-reader', role: reader, scope: sf }
`

let manifest: LoadedManifest
let input: CompileInput
beforeAll(async () => {
  manifest = await loadManifestFromString(manifestText, { file: 'floe.yaml', env: {} })
  input = {
    manifest,
    model: await buildAccessModel(manifest),
    options: { account: '123456789012', region: 'us-east-1' },
  }
})

/** Seed 003's table for the per-secret actions every backend can express. */
const expected: Record<Role, Record<'read' | 'write' | 'manage_grants', boolean>> = {
  reader: { read: true, write: false, manage_grants: false },
  writer: { read: true, write: true, manage_grants: false },
  manager: { read: true, write: true, manage_grants: true },
}
const roles: Role[] = ['reader', 'writer', 'manager']

describe('output is deterministic', () => {
  it('emits identical files twice for every target', async () => {
    for (const target of Object.keys(TARGETS)) {
      const a = await emitter.emit({
        manifest,
        logger: console,
        options: { ...input.options, target },
      })
      const b = await emitter.emit({
        manifest,
        logger: console,
        options: { ...input.options, target },
      })
      expect(a.files.map((f) => f.path).length).toBeGreaterThan(0)
      expect(a).toEqual(b)
    }
  })
})

describe('vault: policies evaluated by the Vault emulator', () => {
  let vault: VaultEmulator
  const tokens: Partial<Record<Role, string>> = {}
  let files: Compiled['files']
  beforeAll(async () => {
    vault = await startVaultEmulator()
    files = (await compileVault(input)).files
    for (const role of roles) {
      const hcl = files.find((f) => f.path === `floe-sf-${role}.hcl`)!.content
      vault.setPolicy(`floe-sf-${role}`, hcl)
      tokens[role] = vault.createToken({ policies: [`floe-sf-${role}`] })
    }
    vault.writeKv('secret/data/scopes/snowflake/password', { value: 'x' })
    vault.writeKv('secret/data/other/token', { value: 'y' })
  })
  afterAll(() => vault.close())

  const call = async (
    role: Role,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<number> => {
    const res = await fetch(`${vault.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': tokens[role]!, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    await res.arrayBuffer()
    return res.status
  }

  for (const role of roles) {
    it(`${role}: read/write/list/delete over the wire match seed 003`, async () => {
      expect((await call(role, 'GET', 'secret/data/scopes/snowflake/password')) === 200).toBe(
        expected[role].read,
      )
      expect(
        (await call(role, 'POST', 'secret/data/scopes/snowflake/password', {
          data: { value: 'z' },
        })) === 200,
      ).toBe(expected[role].write)
      expect((await call(role, 'GET', 'secret/metadata/scopes/snowflake?list=true')) === 200).toBe(
        role !== 'reader',
      )
      expect((await call(role, 'DELETE', 'secret/metadata/scopes/snowflake/user')) === 204).toBe(
        role !== 'reader',
      )
      // Outside the scope: nothing, whatever the role.
      expect(await call(role, 'GET', 'secret/data/other/token')).toBe(403)
    })
    it(`${role}: only managers may edit the scope's policies`, () => {
      const rules = parseVaultPolicyHcl(
        files.find((f) => f.path === `floe-sf-${role}.hcl`)!.content,
      )
      expect(evaluateVaultPolicy(rules, 'sys/policies/acl/floe-sf-reader', 'update')).toBe(
        expected[role].manage_grants,
      )
      expect(evaluateVaultPolicy(rules, 'sys/policies/acl/floe-other-reader', 'update')).toBe(false)
    })
  }

  it('grants the paths the provider reads, also for `mount:` and `kv_version: 1` secrets', async () => {
    const split = await loadManifestFromString(
      `secrets:
  kv2: { provider: vault, mount: secret, path: scopes/snowflake/extra, scope: sf }
  kv1: { provider: vault, mount: legacy, kv_version: 1, path: team/token, scope: sf }
scopes:
  sf: {}
access:
  - { principal: 'group:sf', role: reader, scope: sf }
`,
      { file: 'floe.yaml', env: {} },
    )
    const [reader] = (
      await compileVault({ manifest: split, model: await buildAccessModel(split), options: {} })
    ).files
    const rules = parseVaultPolicyHcl(reader!.content)
    expect(evaluateVaultPolicy(rules, 'secret/data/scopes/snowflake/extra', 'read')).toBe(true)
    expect(evaluateVaultPolicy(rules, 'secret/metadata/scopes/snowflake/extra', 'read')).toBe(true)
    expect(evaluateVaultPolicy(rules, 'legacy/team/token', 'read')).toBe(true)
    expect(evaluateVaultPolicy(rules, 'scopes/snowflake/extra', 'read')).toBe(false)
  })

  it('binds the service-account reader through a Kubernetes auth role', () => {
    const tf = files.find((f) => f.path === 'auth-bindings.tf')!.content
    expect(tf).toMatch(/bound_service_account_names\s+= \["runner"\]/)
    expect(tf).toMatch(/bound_service_account_namespaces = \["floe-jobs"\]/)
    expect(tf).toMatch(/token_policies\s+= \["floe-sf-reader"\]/)
    expect(tf).toMatch(/vault_identity_group[\s\S]*name\s+= "sf-admins"[\s\S]*"floe-sf-manager"/)
  })
})

/** A minimal RBAC evaluator: does any rule allow verb on resource/name? */
function allows(
  rules: PolicyRule[],
  verb: string,
  group: string,
  resource: string,
  name: string,
): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (!r.resourceNames || r.resourceNames.includes(name)),
  )
}

describe('kubernetes: Role + RoleBinding per (scope, role)', () => {
  const docs = () =>
    parseAllDocuments(TARGETS.kubernetes!(input).files[0]!.content).map(
      (d) =>
        d.toJSON() as Record<string, unknown> & {
          kind: string
          metadata: { name: string; namespace: string }
          rules: PolicyRule[]
          subjects: unknown[]
        },
    )

  it('validates with kubernetes-models and uses exact resourceNames', () => {
    const objects = docs()
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Role/floe-sf-reader',
      'RoleBinding/floe-sf-reader',
      'Role/floe-sf-writer',
      'RoleBinding/floe-sf-writer',
      'Role/floe-sf-manager',
      'RoleBinding/floe-sf-manager',
    ])
    for (const o of objects) {
      if (o.kind === 'Role') new K8sRole(o).validate()
      else new RoleBinding(o as unknown as ConstructorParameters<typeof RoleBinding>[0]).validate()
      expect(o.metadata.namespace).toBe('floe-jobs')
    }
    const reader = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'floe-sf-reader')!
    expect(reader.rules[0]?.resourceNames).toEqual([
      'sf-aws',
      'sf-azure',
      'sf-gcp',
      'sf-ssm',
      'snowflake-credentials',
      'snowflake-password',
      'snowflake-user',
    ])
    const binding = objects.find(
      (o) => o.kind === 'RoleBinding' && o.metadata.name === 'floe-sf-reader',
    )!
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'runner', namespace: 'floe-jobs' },
    ])
  })

  for (const role of roles) {
    it(`${role}: requests allowed exactly as seed 003 says`, () => {
      const rules = docs().find(
        (o) => o.kind === 'Role' && o.metadata.name === `floe-sf-${role}`,
      )!.rules
      expect(allows(rules, 'get', '', 'secrets', 'snowflake-credentials')).toBe(expected[role].read)
      expect(allows(rules, 'update', '', 'secrets', 'snowflake-credentials')).toBe(
        expected[role].write,
      )
      expect(allows(rules, 'delete', '', 'secrets', 'snowflake-credentials')).toBe(
        expected[role].write,
      )
      expect(
        allows(rules, 'patch', 'rbac.authorization.k8s.io', 'rolebindings', 'floe-sf-reader'),
      ).toBe(expected[role].manage_grants)
      expect(allows(rules, 'get', '', 'secrets', 'some-other-secret')).toBe(false)
      expect(allows(rules, 'list', '', 'secrets', '')).toBe(false) // never namespace-wide
    })
  }
})

/** IAM evaluation for Allow statements: action and resource glob match. */
function iamAllows(statements: Statement[], action: string, resource: string): boolean {
  const glob = (p: string) =>
    new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    )
  return statements.some(
    (s) =>
      s.Action.some((a) => glob(a).test(action)) &&
      [s.Resource].flat().some((r) => glob(r).test(resource)),
  )
}

describe('kubernetes: the namespace of a scope without location.kubernetes', () => {
  const compile = async (text: string) => {
    const m = await loadManifestFromString(text, { file: 'floe.yaml', env: {} })
    const out = TARGETS.kubernetes!({ manifest: m, model: await buildAccessModel(m), options: {} })
    const objects = parseAllDocuments(out.files[0]?.content ?? '').map(
      (d) => d.toJSON() as { kind: string; metadata: { namespace: string } } | null,
    )
    return { objects: objects.filter((o) => o !== null), warnings: out.warnings ?? [] }
  }
  const grants = `
access:
  - { principal: 'serviceaccount:floe-jobs/runner', role: reader, scope: k }
`

  it("is taken from the scope's Kubernetes secrets when they share one namespace", async () => {
    const { objects, warnings } = await compile(`
secrets:
  a: { provider: kubernetes, namespace: floe-jobs, secret_name: a, scope: k }
  b: { provider: kubernetes, namespace: floe-jobs, secret_name: b, scope: k }
scopes:
  k: {}
${grants}`)
    expect(warnings).toEqual([])
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}`)).toEqual([
      'Role floe-jobs',
      'RoleBinding floe-jobs',
    ])
  })

  it('secrets in several namespaces: skipped with a warning naming them', async () => {
    const { objects, warnings } = await compile(`
secrets:
  a: { provider: kubernetes, namespace: ns-a, secret_name: a, scope: k }
  b: { provider: kubernetes, namespace: ns-b, secret_name: b, scope: k }
scopes:
  k: {}
${grants}`)
    expect(objects).toEqual([])
    expect(warnings).toEqual([expect.stringContaining('ns-a, ns-b')])
  })
})

describe('aws: IAM policy documents', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:floe/prod/snowflake-AbCdEf'
  const param = 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/snowflake/password'
  for (const role of roles) {
    it(`${role}: grants exactly the seed 003 actions`, () => {
      const doc = JSON.parse(
        TARGETS.aws!(input).files.find((f) => f.path === `floe-sf-${role}.json`)!.content,
      ) as { Statement: Statement[] }
      expect(iamAllows(doc.Statement, 'secretsmanager:GetSecretValue', arn)).toBe(
        expected[role].read,
      )
      expect(iamAllows(doc.Statement, 'ssm:GetParameters', param)).toBe(expected[role].read)
      expect(iamAllows(doc.Statement, 'secretsmanager:PutSecretValue', arn)).toBe(
        expected[role].write,
      )
      expect(iamAllows(doc.Statement, 'ssm:PutParameter', param)).toBe(expected[role].write)
      expect(iamAllows(doc.Statement, 'secretsmanager:ListSecrets', '*')).toBe(role !== 'reader')
      expect(iamAllows(doc.Statement, 'secretsmanager:PutResourcePolicy', arn)).toBe(
        expected[role].manage_grants,
      )
      expect(
        iamAllows(
          doc.Statement,
          'secretsmanager:GetSecretValue',
          arn.replace('snowflake', 'billing'),
        ),
      ).toBe(false)
      expect(
        iamAllows(doc.Statement, 'kms:Decrypt', 'arn:aws:kms:us-east-1:123456789012:key/abc'),
      ).toBe(true)
    })
  }
  it('uses the floe:scope tag condition for tag-located scopes', () => {
    const tagged = {
      ...input,
      model: {
        ...input.model,
        scopes: new Map(
          [...input.model.scopes].map(([k, s]) => [k, { ...s, location: { aws: { tag: 'sf' } } }]),
        ),
      },
    }
    const doc = JSON.parse(
      TARGETS.aws!(tagged).files.find((f) => f.path === 'floe-sf-reader.json')!.content,
    ) as { Statement: Statement[] }
    expect(doc.Statement[0]).toMatchObject({
      Resource: '*',
      Condition: { StringEquals: { 'secretsmanager:ResourceTag/floe:scope': 'sf' } },
    })
  })
  it('attaches policies to role principals', () => {
    const attachments = JSON.parse(
      TARGETS.aws!(input).files.find((f) => f.path === 'attachments.json')!.content,
    )
    expect(attachments).toEqual({ 'arn:aws:iam::123456789012:role/sf-reader': ['floe-sf-reader'] })
  })
})

describe('gcp and azure', () => {
  it('gcp: per-secret bindings and a prefix condition', () => {
    const files = TARGETS.gcp!(input).files
    const bindings = JSON.parse(files[0]!.content) as Record<
      string,
      { bindings: { role: string; members: string[] }[] }
    >
    const roleMembers = Object.fromEntries(
      bindings['projects/analytics/secrets/snowflake']!.bindings.map((b) => [b.role, b.members]),
    )
    expect(roleMembers['roles/secretmanager.secretAccessor']).toEqual(
      expect.arrayContaining([
        'serviceAccount:reader@analytics.iam.gserviceaccount.com',
        'user:writer@example.com',
        'serviceAccount:analytics.svc.id.goog[floe-jobs/runner]',
      ]),
    )
    expect(roleMembers['roles/secretmanager.secretVersionAdder']).toEqual([
      'user:writer@example.com',
    ])
    expect(roleMembers['roles/secretmanager.admin']).toEqual(['group:sf-admins'])
    const conditional = JSON.parse(files[1]!.content) as {
      bindings: { condition: { expression: string } }[]
    }
    expect(conditional.bindings[0]!.condition.expression).toBe(
      'resource.name.startsWith("projects/analytics/secrets/snowflake-")',
    )
  })
  it('azure: role assignments at secret scope for object-id principals', () => {
    const assignments = JSON.parse(TARGETS.azure!(input).files[0]!.content) as {
      scope: string
      roleDefinitionName: string
      principalId: string
    }[]
    expect(assignments).toEqual([
      expect.objectContaining({
        roleDefinitionName: 'Key Vault Secrets User',
        principalId: '11111111-2222-3333-4444-555555555555',
        scope: expect.stringMatching(/vaults\/floe-kv\/secrets\/snowflake$/),
      }),
    ])
  })
})

describe('emitter', () => {
  it('rejects unknown targets and manifests without scopes', async () => {
    await expect(
      emitter.emit({ manifest, logger: console, options: { target: 'ldap' } }),
    ).rejects.toThrow(/unknown access target "ldap"/)
    const bare = await loadManifestFromString('secrets: {}\n', { env: {} })
    await expect(
      emitter.emit({ manifest: bare, logger: console, options: { target: 'vault' } }),
    ).rejects.toThrow(/no scopes/)
  })
})
