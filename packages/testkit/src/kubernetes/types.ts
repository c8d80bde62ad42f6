import type { ResourceType } from './resources.js'

/** an API object as JSON; loosely typed on purpose — the emulator serves arbitrary kinds */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>

/** Read access to the emulator's stored objects, for the modules that only look (RBAC, rollouts). */
export interface ObjectView {
  /** stored objects of one type (all namespaces), without apiVersion/kind */
  all(type: ResourceType): KubeObject[]
  one(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined
}
