/**
 * Least-privilege Vault policy (HCL) for the `provider: vault` secrets of a manifest: exact
 * paths, the capabilities floe uses on them, nothing else. `floe secrets emit vault-policy`.
 */
import type {
  EmitterContext,
  EmitResult,
  EmitterModule,
  LoadedManifest,
  SecretDefinition,
} from '@floe/core'
import { settingsSchema, resolveTarget, type VaultTarget } from './validate.js'

export interface VaultPolicyOptions {
  /** also grant create/update on KV v2 data paths (for `floe secrets rotate` / `create`) */
  write?: boolean
  /** grant list on the metadata folders of the declared secrets (for `list --remote`) */
  list?: boolean
}

interface Grant {
  path: string
  capabilities: Set<string>
  comments: Set<string>
}

/**
 * The HCL policy document: one `path` block per path, capabilities merged and in Vault's
 * order, each block commented with why floe needs it. `@floe/emit-access` writes its scope
 * policies with it too.
 */
export class VaultPolicyBuilder {
  private readonly grants = new Map<string, Grant>()

  add(path: string, capabilities: string[], comment: string): void {
    const grant = this.grants.get(path) ?? { path, capabilities: new Set(), comments: new Set() }
    for (const c of capabilities) grant.capabilities.add(c)
    grant.comments.add(comment)
    this.grants.set(path, grant)
  }

  render(header: string[]): string {
    const order = ['create', 'read', 'update', 'patch', 'delete', 'list']
    const blocks = [...this.grants.values()]
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((g) => {
        const caps = [...g.capabilities].sort((a, b) => order.indexOf(a) - order.indexOf(b))
        return `# ${[...g.comments].sort().join(', ')}\npath "${g.path}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(', ')}]\n}\n`
      })
    return `${header.map((l) => `# ${l}`).join('\n')}\n\n${blocks.join('\n')}`
  }

  get size(): number {
    return this.grants.size
  }
}

/**
 * The paths a policy must name for one Vault secret: its data path, and for KV v2 the
 * metadata, delete and undelete paths of the same key. The same rule the provider reads by
 * (`resolveTarget`), so a policy never grants a path floe does not use.
 */
export interface VaultPolicyPaths {
  target: VaultTarget
  data: string
  metadata?: string
  delete?: string
  undelete?: string
}

export function vaultPolicyPaths(
  fields: Record<string, unknown>,
  label: string,
): VaultPolicyPaths | { error: string } {
  const parsed = settingsSchema.safeParse(fields)
  if (!parsed.success) return { error: `secret "${label}": vault settings are invalid` }
  if (!parsed.data.path) return { error: `secret "${label}" has no Vault path` }
  const target = resolveTarget(parsed.data, label)
  if (target.kind !== 'kv2') return { target, data: target.dataPath }
  return {
    target,
    data: target.dataPath,
    metadata: target.metadataPath,
    delete: `${target.mount}/delete/${target.path}`,
    undelete: `${target.mount}/undelete/${target.path}`,
  }
}

function isVault(definition: SecretDefinition): boolean {
  return definition.provider === 'vault'
}

/** One policy per Vault namespace (a policy lives in one namespace). Key '' = root/none. */
export function buildVaultPolicies(
  manifest: Pick<LoadedManifest, 'secrets'>,
  options: VaultPolicyOptions = {},
): { policies: Map<string, string>; warnings: string[] } {
  const builders = new Map<string, VaultPolicyBuilder>()
  const warnings: string[] = []
  const dynamic = new Set<string>()
  for (const definition of Object.values(manifest.secrets)) {
    const sources: { fields: Record<string, unknown>; label: string }[] = []
    if (isVault(definition)) sources.push({ fields: definition.fields, label: definition.name })
    if (definition.fallback?.provider === 'vault') {
      sources.push({ fields: definition.fallback.fields, label: `${definition.name} (fallback)` })
    }
    for (const { fields, label } of sources) {
      const parsed = settingsSchema.safeParse(fields)
      if (!parsed.success) {
        warnings.push(`secret "${label}": vault settings are invalid; no policy emitted for it`)
        continue
      }
      if (!parsed.data.path) {
        warnings.push(`secret "${label}" has no Vault path; no policy emitted for it`)
        continue
      }
      const namespace = (parsed.data.vault?.namespace ?? '').replace(/^\/+|\/+$/g, '')
      const builder = builders.get(namespace) ?? new VaultPolicyBuilder()
      builders.set(namespace, builder)
      const target = resolveTarget(parsed.data, label)
      if (target.kind === 'kv2') {
        builder.add(target.dataPath, ['read'], label)
        builder.add(target.metadataPath, ['read'], `${label}: describe/status`)
        if (options.write) builder.add(target.dataPath, ['create', 'update'], `${label}: rotate`)
        if (options.list) {
          const folder = target.path.includes('/')
            ? target.path.slice(0, target.path.lastIndexOf('/'))
            : ''
          builder.add(
            `${target.mount}/metadata/${folder ? `${folder}/` : ''}`,
            ['list'],
            `${label}: list --remote`,
          )
        }
      } else if (target.kind === 'kv1') {
        builder.add(target.dataPath, ['read'], label)
        const parent = target.dataPath.slice(0, target.dataPath.lastIndexOf('/'))
        if (parent) builder.add(`${parent}/`, ['list'], `${label}: describe/status`)
        if (options.write) builder.add(target.dataPath, ['create', 'update'], `${label}: rotate`)
      } else {
        builder.add(target.dataPath, ['read'], label)
        const isDynamic = target.dynamic || definition.kind === 'dynamic'
        if (isDynamic) {
          const rolePath = target.dataPath.replace(/(^|\/)creds\/([^/]+)$/, '$1roles/$2')
          if (rolePath !== target.dataPath)
            builder.add(rolePath, ['read'], `${label}: describe/status`)
          dynamic.add(namespace)
        } else {
          // KV v1 without a hint: describe lists the parent folder
          const parent = target.dataPath.slice(0, target.dataPath.lastIndexOf('/'))
          if (parent) builder.add(`${parent}/`, ['list'], `${label}: describe/status`)
        }
      }
    }
  }
  for (const namespace of dynamic) {
    const builder = builders.get(namespace)!
    builder.add('sys/leases/renew', ['update'], 'renew leases of dynamic secrets')
    builder.add('sys/leases/revoke', ['update'], 'revoke leases on exit or failure')
  }
  const policies = new Map<string, string>()
  for (const [namespace, builder] of [...builders].sort(([a], [b]) => a.localeCompare(b))) {
    policies.set(
      namespace,
      builder.render([
        'Vault policy generated by floe (floe secrets emit vault-policy) — least privilege.',
        namespace
          ? `Load it in namespace "${namespace}": vault policy write -namespace=${namespace} floe <file>`
          : 'Load it with: vault policy write floe vault-policy.hcl',
        'Token self-lookup/renewal are granted by Vault\'s built-in "default" policy.',
      ]),
    )
  }
  return { policies, warnings }
}

/** The HCL policy of the manifest's root-namespace secrets (all namespaces concatenated when several). */
export function emitVaultPolicy(
  manifest: Pick<LoadedManifest, 'secrets'>,
  options: VaultPolicyOptions = {},
): string {
  const { policies } = buildVaultPolicies(manifest, options)
  return [...policies.values()].join('\n')
}

export const emitter: EmitterModule = {
  name: 'vault-policy',
  packageName: '@floe/provider-vault',
  options: {
    write: '`true`: also grant create/update on each secret',
    list: '`true`: also grant list on the metadata paths',
  },
  async emit(ctx: EmitterContext): Promise<EmitResult> {
    const options: VaultPolicyOptions = {
      write: ctx.options.write === true,
      list: ctx.options.list === true,
    }
    const { policies, warnings } = buildVaultPolicies(ctx.manifest, options)
    if (!policies.size) warnings.push('the manifest has no vault secrets: no policy emitted')
    const files = [...policies].map(([namespace, content]) => ({
      path: namespace ? `vault-policy.${namespace.replace(/\//g, '_')}.hcl` : 'vault-policy.hcl',
      content,
    }))
    return { files, warnings }
  },
}
