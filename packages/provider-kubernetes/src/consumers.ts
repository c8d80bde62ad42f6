import type { KubeObject } from './client.js'

/** Why a workload must restart: one place in its pod template that reads a changed key. */
export interface SecretUse {
  container: string
  /** `envFrom`, `env NAME`, `volume NAME` */
  via: string
  /** the changed keys this place reads; undefined = the whole Secret */
  keys?: string[]
}

const list = (value: unknown): KubeObject[] => (Array.isArray(value) ? (value as KubeObject[]) : [])

/**
 * Where a pod template reads Secret `secret` and, of `changed` keys (undefined: every key
 * changed), which it reads: `envFrom[].secretRef` (every key), `env[].valueFrom.secretKeyRef`
 * of a changed key, and a volume of the Secret (whole, or `items` with a changed key) mounted
 * by the container — in containers and initContainers. An empty answer: no restart needed.
 */
export function secretUses(
  template: KubeObject | undefined,
  secret: string,
  changed?: readonly string[],
): SecretUse[] {
  const spec = (template?.spec ?? {}) as KubeObject
  const isChanged = (key: string): boolean => changed === undefined || changed.includes(key)
  const volumes = new Map<string, string[] | undefined>()
  for (const volume of list(spec.volumes)) {
    const direct = volume.secret?.secretName === secret ? volume.secret : undefined
    const projected = list(volume.projected?.sources)
      .map((s) => s.secret)
      .filter((s: KubeObject | undefined) => s?.name === secret)
    for (const source of [...(direct ? [direct] : []), ...projected]) {
      const items = list(source.items)
      const keys = items.length ? items.map((i) => String(i.key)).filter(isChanged) : undefined
      if (!items.length || keys?.length) volumes.set(String(volume.name), keys)
    }
  }
  const uses: SecretUse[] = []
  for (const container of [...list(spec.initContainers), ...list(spec.containers)]) {
    const name = String(container.name)
    if (list(container.envFrom).some((e) => e.secretRef?.name === secret))
      uses.push({ container: name, via: 'envFrom', ...(changed ? { keys: [...changed] } : {}) })
    for (const env of list(container.env)) {
      const ref = env.valueFrom?.secretKeyRef as KubeObject | undefined
      if (ref?.name === secret && isChanged(String(ref.key)))
        uses.push({ container: name, via: `env ${String(env.name)}`, keys: [String(ref.key)] })
    }
    for (const mount of list(container.volumeMounts)) {
      const volume = String(mount.name)
      if (!volumes.has(volume)) continue
      const keys = volumes.get(volume) ?? (changed ? [...changed] : undefined)
      uses.push({ container: name, via: `volume ${volume}`, ...(keys ? { keys } : {}) })
    }
  }
  return uses
}

/** `env DB_PASSWORD ← password` / `envFrom` — for reasons in progress lines and reports */
export const describeUse = (use: SecretUse): string =>
  `${use.via} in ${use.container}${use.keys?.length ? ` (${use.keys.join(', ')})` : ''}`
