import type { EmulatorResponse } from '../emulator/index.js'
import type { ResourceType } from './resources.js'
import type { KubeObject } from './types.js'

function age(timestamp: unknown): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(String(timestamp))) / 1000))
  if (!Number.isFinite(seconds)) return '<unknown>'
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}

/** the columns `kubectl get` shows for a kind (server-side printing) */
function tableColumns(type: ResourceType): { name: string; cell(o: KubeObject): unknown }[] {
  const name = { name: 'Name', cell: (o: KubeObject) => o.metadata?.name }
  const created = { name: 'Age', cell: (o: KubeObject) => age(o.metadata?.creationTimestamp) }
  switch (type.plural) {
    case 'secrets':
      return [
        name,
        { name: 'Type', cell: (o) => o.type ?? 'Opaque' },
        { name: 'Data', cell: (o) => Object.keys(o.data ?? {}).length },
        created,
      ]
    case 'deployments':
      return [
        name,
        { name: 'Ready', cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}` },
        { name: 'Up-to-date', cell: (o) => o.status?.updatedReplicas ?? 0 },
        { name: 'Available', cell: (o) => o.status?.availableReplicas ?? 0 },
        created,
      ]
    case 'externalsecrets':
      return [
        name,
        { name: 'Store', cell: (o) => o.spec?.secretStoreRef?.name ?? '' },
        { name: 'Refresh Interval', cell: (o) => o.spec?.refreshInterval ?? '' },
        {
          name: 'Status',
          cell: (o) =>
            ((o.status?.conditions ?? []) as KubeObject[]).find((c) => c.type === 'Ready')
              ?.reason ?? '',
        },
        created,
      ]
    case 'namespaces':
      return [name, { name: 'Status', cell: (o) => o.status?.phase ?? '' }, created]
    default:
      return [name, created]
  }
}

/** whether the client asked for server-side printing (kubectl get) */
export const wantsTable = (accept: string | undefined): boolean =>
  Boolean(accept?.includes('as=Table'))

/** A `meta.k8s.io/v1` Table of objects (a list's items, or one object). */
export function tableOf(
  type: ResourceType,
  rows: KubeObject[],
  metadata: { resourceVersion: string; continue?: string },
): KubeObject {
  const columns = tableColumns(type)
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      resourceVersion: metadata.resourceVersion,
      ...(metadata.continue ? { continue: metadata.continue } : {}),
    },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.name === 'Data' ? 'integer' : 'string',
      format: c.name === 'Name' ? 'name' : '',
      description: c.name,
      priority: 0,
    })),
    rows: rows.map((o) => ({
      cells: columns.map((c) => c.cell(o)),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: o.metadata,
      },
    })),
  }
}

/** `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get): server-side columns */
export function table(
  type: ResourceType,
  answer: EmulatorResponse,
  resourceVersion: string,
): EmulatorResponse {
  if (answer.status !== 200) return answer
  const body = answer.body as KubeObject
  return {
    status: 200,
    body: tableOf(type, body.items ?? [body], {
      resourceVersion: String(body.metadata?.resourceVersion ?? resourceVersion),
      ...(body.metadata?.continue ? { continue: String(body.metadata.continue) } : {}),
    }),
  }
}
