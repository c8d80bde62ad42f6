import type { EmulatorResponse } from '../emulator/index.js'
import { RESOURCE_TYPES, type ResourceType } from './resources.js'
import { statusFailure } from './status.js'
import type { KubeObject } from './types.js'

export const serverNotFound = (): EmulatorResponse =>
  statusFailure(404, 'NotFound', 'the server could not find the requested resource')

export const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-floe-emulator',
  platform: 'linux/amd64',
}

export const CORE_VERSIONS = {
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [],
}

export function groupList(): KubeObject {
  const groups = [...new Set(RESOURCE_TYPES.filter((r) => r.group).map((r) => r.group))]
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => {
      const versions = (RESOURCE_TYPES.find((r) => r.group === name) as ResourceType).versions
      return {
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      }
    }),
  }
}

export function groupDiscovery(group: string): EmulatorResponse {
  const list = groupList().groups.find((g: KubeObject) => g.name === group)
  return list
    ? { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...list } }
    : serverNotFound()
}

export function resourceList(group: string, version: string): EmulatorResponse {
  const types = RESOURCE_TYPES.filter((r) => r.group === group && r.versions.includes(version))
  if (!types.length) return serverNotFound()
  const resources = types.flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    },
    ...(r.statusSubresource
      ? [
          {
            name: `${r.plural}/status`,
            singularName: '',
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['get', 'patch', 'update'],
          },
        ]
      : []),
    // kubectl scale finds the Scale kind of a resource here (its discovery scale-kind resolver)
    ...(r.scaleSubresource
      ? [
          {
            name: `${r.plural}/scale`,
            singularName: '',
            namespaced: r.namespaced,
            group: 'autoscaling',
            version: 'v1',
            kind: 'Scale',
            verbs: ['get', 'patch', 'update'],
          },
        ]
      : []),
  ])
  return {
    status: 200,
    body: {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    },
  }
}
