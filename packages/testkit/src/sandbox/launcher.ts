import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import * as registry from './services/index.js'
import {
  startEsoController,
  type EsoController,
  type EsoSource,
} from '../kubernetes/eso-controller.js'
import type { RunningService, SandboxService } from './types.js'

/** Every emulator the sandbox knows, by name. */
export function sandboxServices(): SandboxService[] {
  return Object.values(registry as Record<string, SandboxService>)
}

export interface SandboxOptions {
  /** service name → port; services absent here are started only when the seed names them */
  ports?: Record<string, number>
  /** parsed seed document: `{ aws: {...}, vault: {...} }` */
  seed?: Record<string, unknown>
}

export interface Sandbox {
  services: (RunningService & { name: string })[]
  /** the merged environment of every service */
  env: Record<string, string>
  close(): Promise<void>
}

/** Reads a seed YAML file: a map of service name → that service's seed. */
export async function loadSandboxSeed(path: string): Promise<Record<string, unknown>> {
  const doc: unknown = parse(await readFile(path, 'utf8'))
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${path}: the seed file must be a map of service → seed`)
  return doc as Record<string, unknown>
}

/**
 * Starts the chosen emulators on 127.0.0.1: those given a port, else those the seed has a
 * section for, else all of them on their default ports.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const known = new Map(sandboxServices().map((s) => [s.name, s]))
  const seed = options.seed ?? {}
  for (const name of [...Object.keys(options.ports ?? {}), ...Object.keys(seed)]) {
    if (!known.has(name)) {
      throw new Error(
        `unknown sandbox service "${name}" (available: ${[...known.keys()].join(', ')})`,
      )
    }
  }
  let chosen = Object.keys(options.ports ?? {})
  if (chosen.length === 0) chosen = Object.keys(seed)
  if (chosen.length === 0) chosen = [...known.keys()]
  const started: (RunningService & { name: string })[] = []
  try {
    for (const name of chosen) {
      const service = known.get(name) as SandboxService
      const port = options.ports?.[name] ?? service.defaultPort
      started.push({ name, ...(await service.start(seed[name], port)) })
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.close()))
    throw error
  }
  let eso: EsoController | undefined
  try {
    eso = startLinkedEso(started)
  } catch (error) {
    await Promise.all(started.map((s) => s.close()))
    throw error
  }
  return {
    services: started,
    env: Object.assign({}, ...started.map((s) => s.env)) as Record<string, string>,
    close: async () => {
      await eso?.close()
      await Promise.all(started.map((s) => s.close()))
    },
  }
}

/**
 * `kubernetes.eso: true`: plays External Secrets Operator between the Kubernetes emulator and
 * the sandbox's source (aws), so ExternalSecrets turn `Ready`/`SecretSynced` and their target
 * Secrets follow rotations, as with a real ESO install.
 */
function startLinkedEso(started: (RunningService & { name: string })[]): EsoController | undefined {
  const kube = started.find((s) => s.links?.kube?.eso)
  if (!kube?.links?.kube?.eso) return undefined
  const sources = started.filter((s) => s.links?.esoSource)
  if (!sources.length)
    throw new Error(
      'kubernetes.eso needs a source of values in the same sandbox: add an `aws:` section (or --aws)',
    )
  const { url, token, eso } = kube.links.kube
  const source = sources[0]?.links?.esoSource as EsoSource
  kube.notes.push(
    `ESO test controller: syncs ExternalSecrets from ${sources[0]?.name} every ${eso.intervalMs} ms (kubectl get externalsecrets -A shows Synced)`,
  )
  return startEsoController({ kube: { url, token }, sources: source, intervalMs: eso.intervalMs })
}
