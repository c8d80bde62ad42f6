import type { EsoSource } from '../kubernetes/eso-controller.js'

/** What one running service offers the others (wired by the launcher, e.g. the ESO controller). */
export interface ServiceLinks {
  /** the Kubernetes API and the seed's `eso` switch */
  kube?: { url: string; token: string; eso?: { intervalMs: number } }
  /** remote values an External Secrets controller can read */
  esoSource?: EsoSource
}

/** A running emulator of the sandbox. */
export interface RunningService {
  /** base URL the emulator listens on */
  url: string
  /** environment that points floe and the usual clients at the emulator */
  env: Record<string, string>
  /** human hints printed by floe-sandbox (example commands, what was seeded) */
  notes: string[]
  links?: ServiceLinks
  close(): Promise<void>
}

/**
 * One emulator floe-sandbox can start. To add one: write `services/<name>.ts` exporting a
 * `SandboxService` and add one `export { <name> } from './<name>.js'` line to
 * `services/index.ts`.
 */
export interface SandboxService {
  /** flag and seed-file section name, e.g. 'aws' → `--aws PORT`, `aws:` */
  name: string
  description: string
  /** port used when the service is chosen without one (0 = any free port) */
  defaultPort: number
  /** start on 127.0.0.1:port and load `seed` (the service's section of the seed file) */
  start(seed: unknown, port: number): Promise<RunningService>
}
