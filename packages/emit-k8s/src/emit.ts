import {
  ConfigError,
  type EmitterContext,
  type EmitResult,
  type EmittedFile,
  kubernetesSettings,
  type KubernetesSettings,
  type LoadedManifest,
  type Resolver,
  type SecretRef,
} from '@floe/core'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Document } from 'yaml'
import {
  createCommand,
  dbtProfilesConfigMap,
  DEFAULT_DBT_PROFILES_DIR,
  type DbtProfilesMount,
  externalSecretObject,
  placeholderSecretObject,
  rbacObjects,
  secretStoreObject,
  workloadPatch,
} from './objects.js'
import { projectSecret, type SecretProjection } from './projection.js'
import {
  DEFAULT_STORE_NAMES,
  nameStores,
  remoteRefFor,
  storeFor,
  type K8sObject,
  type StoreBinding,
} from './stores.js'

export interface K8sEmitOptions {
  /** 'stream' (default): one multi-document floe-k8s.yaml; 'directory': one file per object */
  layout?: 'stream' | 'directory'
  /** k8s backend only: put real values into the Secrets (needs a resolver; warns) */
  includeValues?: boolean
  /** also emit a ConfigMap with this dbt profiles.yml (from @floe/emit-dbt) */
  dbtProfilesYaml?: string
  /** name of that ConfigMap (default dbt-profiles) */
  dbtConfigMapName?: string
  /** where workloads mount it; DBT_PROFILES_DIR (default /etc/dbt) */
  dbtProfilesDir?: string
}

export interface K8sEmission {
  settings: KubernetesSettings
  /** complete objects, in apply order */
  objects: K8sObject[]
  /** strategic-merge patches for the workloads named in the manifest */
  patches: K8sObject[]
  /** manifest secret name → how it appears in the cluster */
  projections: SecretProjection[]
  /** comments to print above an object (keyed by kind/namespace/name) */
  comments: Map<string, string>
  warnings: string[]
  containsValues: boolean
}

const KIND_ORDER = [
  'ClusterSecretStore',
  'SecretStore',
  'ExternalSecret',
  'Secret',
  'ConfigMap',
  'Role',
  'RoleBinding',
]

export const objectId = (o: K8sObject): string =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`

function sortObjects(objects: K8sObject[]): K8sObject[] {
  const rank = (o: K8sObject): number => {
    const i = KIND_ORDER.indexOf(o.kind)
    return i < 0 ? KIND_ORDER.length : i
  }
  return [...objects].sort((a, b) => rank(a) - rank(b) || objectId(a).localeCompare(objectId(b)))
}

/**
 * Everything `floe secrets emit k8s` produces, as objects: stores and ExternalSecrets
 * (external-secrets / vault backends) or value-less Secrets (k8s backend), workload patches,
 * least-privilege RBAC and the optional dbt ConfigMap. Deterministic: same manifest, same output.
 */
export async function buildKubernetesObjects(
  manifest: LoadedManifest,
  options: K8sEmitOptions = {},
  resolver?: Resolver,
): Promise<K8sEmission> {
  const settings = kubernetesSettings(manifest)
  const warnings: string[] = []
  const comments = new Map<string, string>()
  const objects: K8sObject[] = []
  const definitions = Object.values(manifest.secrets).sort((a, b) => a.name.localeCompare(b.name))
  const projections = definitions.map((d) => projectSecret(d, manifest, settings))
  const byName = new Map(projections.map((p) => [p.definition.name, p]))
  const eso = settings.backend !== 'k8s'
  let containsValues = false

  if (eso) {
    if (options.includeValues)
      warnings.push(
        `k8s: --include-values has no effect with the ${settings.backend} backend: ESO syncs the values into the cluster`,
      )
    const planned: { projection: SecretProjection; binding: Omit<StoreBinding, 'name'> }[] = []
    for (const projection of projections) {
      if (projection.native) continue
      const binding = storeFor(projection.definition, settings)
      if (typeof binding === 'string') {
        warnings.push(`k8s: no ExternalSecret for "${projection.definition.name}": it ${binding}`)
        continue
      }
      planned.push({ projection, binding })
    }
    const kinds = new Set(planned.map((p) => p.binding.provider))
    const configured = settings.externalSecrets.store
    if (configured && kinds.size > 1 && !Object.values(DEFAULT_STORE_NAMES).includes(configured))
      warnings.push(
        `k8s: store "${configured}" names one store but ${kinds.size} providers are synced (${[...kinds].sort().join(', ')}): name each in kubernetes.external_secrets.stores; using default names`,
      )
    const stores = nameStores(
      planned.map((p) => p.binding),
      settings,
    )
    if (settings.externalSecrets.emitStores)
      for (const store of stores.values()) objects.push(secretStoreObject(store, settings))
    for (const { projection, binding } of planned) {
      const store = stores.get(`${binding.provider}|${binding.identity}`) as StoreBinding
      const refs = projection.keys.map((k) =>
        remoteRefFor(projection.definition, k.sourceKey, settings),
      )
      objects.push(externalSecretObject(projection, store, refs, settings))
    }
  } else {
    if (options.includeValues && !resolver)
      throw new ConfigError(
        'emit k8s --include-values needs the resolver (the CLI passes it when the flag is set)',
      )
    for (const projection of projections) {
      let values: Record<string, string> | undefined
      if (options.includeValues && resolver) {
        const refs: SecretRef[] = projection.keys.map((k) => ({
          name: projection.definition.name,
          ...(k.sourceKey ? { key: k.sourceKey } : {}),
        }))
        const report = await resolver.resolve(refs)
        const failure = report.failures[0]
        if (failure) throw failure.error
        values = Object.fromEntries(
          projection.keys.map((k, i) => [
            k.secretKey,
            (report.valueOf(refs[i] as SecretRef) as { reveal(): string }).reveal(),
          ]),
        )
        containsValues = true
      }
      const secret = placeholderSecretObject(projection, values)
      objects.push(secret)
      if (!values)
        comments.set(
          objectId(secret),
          ` Values are not in this file. Fill them with:\n   ${createCommand(projection)}\n Re-applying this placeholder over a filled Secret empties it: apply it once, or exclude it.`,
        )
    }
    if (containsValues)
      warnings.push('k8s: Secrets include VALUES (--include-values): never commit these files')
  }

  let dbtMount: DbtProfilesMount | undefined
  if (options.dbtProfilesYaml !== undefined) {
    dbtMount = {
      configMap: options.dbtConfigMapName ?? 'dbt-profiles',
      mountPath: options.dbtProfilesDir ?? DEFAULT_DBT_PROFILES_DIR,
    }
    objects.push(
      dbtProfilesConfigMap(dbtMount.configMap, settings.namespace, options.dbtProfilesYaml),
    )
  }

  const patches = settings.workloads.map((w) => {
    // a pod mounts only ConfigMaps of its own namespace
    const mountsDbt = dbtMount !== undefined && w.namespace === settings.namespace
    if (dbtMount && !mountsDbt)
      warnings.push(
        `k8s: ${w.kind} ${w.namespace}/${w.name} does not mount the dbt profiles: ConfigMap ${dbtMount.configMap} is in namespace ${settings.namespace}`,
      )
    return workloadPatch(
      w,
      w.secrets.map((s) => byName.get(s) as SecretProjection),
      settings,
      mountsDbt ? dbtMount : undefined,
    )
  })

  if (settings.rbac) {
    // (service account, its namespace, secret namespace) → secret names it reads
    const grants = new Map<
      string,
      { sa: { name: string; namespace: string }; namespace: string; names: string[] }
    >()
    const grant = (
      sa: { name: string; namespace: string },
      namespace: string,
      name: string,
    ): void => {
      const id = `${sa.namespace}/${sa.name}@${namespace}`
      const entry = grants.get(id) ?? { sa, namespace, names: [] }
      entry.names.push(name)
      grants.set(id, entry)
    }
    for (const w of settings.workloads) {
      if (!w.serviceAccount) continue
      for (const s of w.secrets) {
        const p = byName.get(s) as SecretProjection
        grant({ name: w.serviceAccount, namespace: w.namespace }, p.namespace, p.name)
      }
    }
    for (const p of projections) {
      const sa = p.definition.fields.service_account
      if (p.native && typeof sa === 'string')
        grant({ name: sa, namespace: settings.namespace }, p.namespace, p.name)
    }
    for (const { sa, namespace, names } of [...grants.values()].sort((a, b) =>
      (a.sa.name + a.namespace).localeCompare(b.sa.name + b.namespace),
    ))
      objects.push(...rbacObjects(sa, namespace, names))
  }

  return {
    settings,
    objects: sortObjects(objects),
    patches,
    projections,
    comments,
    warnings,
    containsValues,
  }
}

function yamlDocument(object: K8sObject, comment?: string): string {
  const doc = new Document(object)
  if (comment) doc.commentBefore = comment
  return doc.toString({ lineWidth: 0 })
}

/** Objects as one multi-document YAML stream. */
export function toYamlStream(
  objects: readonly K8sObject[],
  comments: Map<string, string> = new Map(),
): string {
  return objects.map((o) => yamlDocument(o, comments.get(objectId(o)))).join('---\n')
}

const fileName = (o: K8sObject): string =>
  `${o.kind.toLowerCase()}-${o.metadata.namespace ? `${o.metadata.namespace}-` : ''}${o.metadata.name}.yaml`

/** Directory (relative to the output) of the kustomize Component holding the workload patches. */
export const WORKLOADS_COMPONENT = 'workloads'

const KUSTOMIZE_API = 'kustomize.config.k8s.io'

function kustomizeFile(body: Record<string, unknown>, comment?: string): string {
  const doc = new Document(body)
  if (comment) doc.commentBefore = comment
  return doc.toString({ lineWidth: 0 })
}

/**
 * The files of an emission (paths relative to the output directory). `kustomization.yaml`
 * holds floe's own objects and builds on its own (`kubectl apply -k DIR`). The workload
 * patches target Deployments/Jobs the user owns, so they are a kustomize Component in
 * `workloads/`: the user's kustomization that lists those workloads adds
 * `components: [DIR/workloads]` and the patches apply to them.
 */
export function emissionFiles(
  emission: K8sEmission,
  layout: 'stream' | 'directory' = 'stream',
): EmittedFile[] {
  const files: EmittedFile[] = []
  const flag = emission.containsValues ? { containsValues: true, mode: 0o600 } : {}
  const resources: string[] = []
  if (layout === 'stream') {
    if (emission.objects.length) {
      files.push({
        path: 'floe-k8s.yaml',
        content: toYamlStream(emission.objects, emission.comments),
        ...flag,
      })
      resources.push('floe-k8s.yaml')
    }
  } else {
    emission.objects.forEach((o, i) => {
      const path = `${String(i + 1).padStart(2, '0')}-${fileName(o)}`
      files.push({
        path,
        content: yamlDocument(o, emission.comments.get(objectId(o))),
        ...(o.kind === 'Secret' ? flag : {}),
      })
      resources.push(path)
    })
  }
  const patches = emission.patches.map((p) => {
    const path = fileName(p)
    files.push({ path: `${WORKLOADS_COMPONENT}/${path}`, content: yamlDocument(p) })
    return path
  })
  if (patches.length)
    files.push({
      path: `${WORKLOADS_COMPONENT}/kustomization.yaml`,
      content: kustomizeFile(
        {
          apiVersion: `${KUSTOMIZE_API}/v1alpha1`,
          kind: 'Component',
          patches: patches.map((path) => ({ path })),
        },
        ` Patches for workloads you own (${workloadList(emission.patches)}).\n Add this directory to the kustomization that lists them:\n   components: [<path to this directory>]`,
      ),
    })
  files.push({
    path: 'kustomization.yaml',
    content: kustomizeFile(
      {
        apiVersion: `${KUSTOMIZE_API}/v1beta1`,
        kind: 'Kustomization',
        ...(resources.length ? { resources } : {}),
      },
      patches.length
        ? ` floe's objects. The workload patches are the component in ${WORKLOADS_COMPONENT}/:\n add components: [<this directory>/${WORKLOADS_COMPONENT}] where your workloads are listed.`
        : undefined,
    ),
  })
  return files
}

const workloadList = (patches: readonly K8sObject[]): string =>
  patches.map((p) => `${p.kind} ${p.metadata.namespace ?? ''}/${p.metadata.name}`).join(', ')

/**
 * The emission as one stream for stdout (`emit k8s | kubectl apply -f -`): floe's objects
 * only. Workload patches are partial objects that cannot be applied alone; a comment at the
 * top says how to get them.
 */
export function stdoutStream(emission: K8sEmission): string {
  const header = emission.patches.length
    ? `# Workload patches (${workloadList(emission.patches)}) are not in this stream:\n# emit with -o DIR and add DIR/${WORKLOADS_COMPONENT} to your kustomization's components.\n`
    : ''
  return header + toYamlStream(emission.objects, emission.comments)
}

/** The EmitterModule's emit(): `floe secrets emit k8s [-o DIR] [--include-values]`. */
export async function emitKubernetes(ctx: EmitterContext): Promise<EmitResult> {
  // `--option dbt_profiles=PATH` (relative to the manifest) adds the dbt profiles ConfigMap
  const profilesPath =
    typeof ctx.options.dbt_profiles === 'string'
      ? resolve(ctx.manifest.dir, ctx.options.dbt_profiles)
      : undefined
  let dbtProfilesYaml =
    typeof ctx.options.dbtProfilesYaml === 'string' ? ctx.options.dbtProfilesYaml : undefined
  if (profilesPath) {
    try {
      dbtProfilesYaml = await readFile(profilesPath, 'utf8')
    } catch (error) {
      throw new ConfigError(
        `emit k8s: cannot read dbt_profiles ${profilesPath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      )
    }
  }
  const options: K8sEmitOptions = {
    ...(ctx.options.layout === 'directory' ? { layout: 'directory' } : {}),
    ...(ctx.options.includeValues === true || ctx.options['include-values'] === true
      ? { includeValues: true }
      : {}),
    ...(dbtProfilesYaml !== undefined ? { dbtProfilesYaml } : {}),
    ...(typeof ctx.options.dbt_configmap === 'string'
      ? { dbtConfigMapName: ctx.options.dbt_configmap }
      : {}),
    ...(typeof ctx.options.dbt_profiles_dir === 'string'
      ? { dbtProfilesDir: ctx.options.dbt_profiles_dir }
      : {}),
  }
  const emission = await buildKubernetesObjects(ctx.manifest, options, ctx.resolver)
  for (const warning of emission.warnings) ctx.logger.warn(warning)
  return {
    files: emissionFiles(emission, options.layout),
    warnings: emission.warnings,
    ...(emission.containsValues ? {} : { stdout: stdoutStream(emission) }),
  }
}
