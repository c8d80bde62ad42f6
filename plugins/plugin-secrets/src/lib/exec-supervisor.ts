import type { ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import {
  resolveEnvWithDuals,
  watchSecrets,
  type AuditLog,
  type DualSecret,
  type EnvBinding,
  type LeaseRefreshEvent,
  type LoadedManifest,
  type Resolver,
  type SecretChangedEvent,
  type SecretValue,
  type SecretWatcher,
  type WatchableResolver,
  type WatchEvent,
} from '@floe/core'
import { writePrivateFile } from './files.js'

// node:child_process (and the net, dgram… it loads) at first use: `floe secrets validate`
// shares this bundle and starts no process (issue 17)
const childProcesses = () => process.getBuiltinModule('node:child_process')

export type RotationAction = 'restart' | 'reconnect' | 'alert'

/** One line of `exec --watch --json` (and the facts behind its human stderr lines). */
export type ExecEvent =
  | { event: 'started'; pid: number; variables: string[] }
  | {
      event: 'changed'
      secret: string
      provider: string
      reason: 'version' | 'lease'
      version?: string
      previousVersion?: string
      /** the child's variables whose value changed (empty: nothing the child uses changed) */
      variables: string[]
      action: RotationAction | 'none'
    }
  | { event: 'restarted'; pid: number; previousPid: number; secrets: string[]; killed: boolean }
  | { event: 'reconnected'; pid: number; signal: string; file?: string; secrets: string[] }
  | { event: 'alerted'; secret: string; version?: string; hook?: string; hookExitCode?: number }
  | { event: 'renewed'; secret: string; lease: string; ttlSeconds: number }
  | { event: 'failed'; secret: string; phase: string; code: string; message: string }
  | { event: 'exited'; exitCode: number; signal?: string }

export interface SupervisorOptions {
  manifest: Pick<LoadedManifest, 'secrets' | 'config'>
  resolver: Resolver & WatchableResolver
  bindings: readonly EnvBinding[]
  /** dual-secret pairs: a missing primary falls back to its secondary on re-resolve too */
  duals?: readonly DualSecret[]
  /** the resolved values the first child starts with */
  initial: Record<string, SecretValue>
  /** starts one child with this environment (exec.ts: masking, stdio) */
  spawnChild(env: NodeJS.ProcessEnv): ChildProcess
  /**
   * signals the child receives itself because it shares floe's process group with a terminal
   * (Ctrl-C): floe reacts to them but does not send them again
   */
  groupSignals?: readonly NodeJS.Signals[]
  /** everything but the secrets (the parent's environment, as plain exec passes it) */
  baseEnv: NodeJS.ProcessEnv
  emit(event: ExecEvent): void
  /** reconnect: rewritten (atomically, 0600) with the secret variables on every change */
  envFile?: string
  /** reconnect signal when the definition sets none (SIGHUP) */
  reloadSignal?: string
  audit?: AuditLog
  /** a burst of changes within this window gives one action (default: half the shortest interval, ≤ 1 s) */
  debounceMs?: number
  /** floor of the watch intervals (tests use a short one) */
  floorMs?: number
}

export interface Supervisor {
  /** feed the resolver's onLeaseRefresh here */
  leaseRefreshed(event: LeaseRefreshEvent): void
  /** starts the watch and the child; resolves with floe's exit code once the child is gone */
  run(): Promise<number>
}

const DEFAULT_GRACE_MS = 10_000
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']

/** Renders the secret variables as a dotenv file (double quotes; \\ " $ and newlines escaped). */
export function formatEnvFile(values: Record<string, SecretValue>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const escaped = value
        .reveal()
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        .replace(/\$/g, '\\$')
        .replace(/\r/g, '\\r')
        .replace(/\n/g, '\\n')
      return `${name}="${escaped}"\n`
    })
    .join('')
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)
}

/**
 * `floe secrets exec --watch`: keeps one child running with the current values of the secrets
 * its environment uses. The watch (core watchSecrets) reports version changes and lease
 * re-issues; a burst is debounced into one pass that re-resolves only the changed secrets,
 * compares the child's variables, and applies each secret's `on_rotation`: restart (SIGTERM,
 * grace, SIGKILL, start again), reconnect (rewrite the env file, signal the child) or alert
 * (stderr, audit, hook). A change that leaves every variable the child uses equal does nothing.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { manifest, resolver, bindings } = options
  const current: Record<string, SecretValue> = { ...options.initial }
  const secrets = [...new Set(bindings.map((b) => b.ref.name))]
  const pending = new Map<string, SecretChangedEvent>()
  let child: ChildProcess | undefined
  let restarting = false
  let stopping = false
  let flushing: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let watcher: SecretWatcher | undefined
  let finish: (code: number) => void = () => {}
  const done = new Promise<number>((r) => (finish = r))

  const policyOf = (secret: string) =>
    manifest.secrets[secret]?.rotation?.onRotation ?? manifest.config.rotation?.onRotation
  const actionOf = (secret: string): RotationAction => policyOf(secret)?.action ?? 'restart'

  function onWatchEvent(event: WatchEvent): void {
    if (event.event === 'changed') {
      pending.set(event.secret, event)
      schedule()
    } else if (event.event === 'renewed') {
      options.emit({
        event: 'renewed',
        secret: event.secret,
        lease: event.lease,
        ttlSeconds: event.ttlSeconds,
      })
    } else {
      const { secret, phase, code, message } = event
      options.emit({ event: 'failed', secret, phase, code, message })
    }
  }

  function debounceMs(): number {
    if (options.debounceMs !== undefined) return options.debounceMs
    const shortest = Math.min(...(watcher ? [...watcher.intervals().values()] : []), 2_000)
    return Math.min(1_000, Math.round(shortest / 2))
  }

  function schedule(): void {
    if (stopping) return
    clearTimeout(timer)
    timer = setTimeout(() => void flush(), debounceMs())
  }

  async function flush(): Promise<void> {
    if (flushing) {
      await flushing
      if (pending.size) schedule()
      return
    }
    flushing = (async () => {
      // A burst that straddled a poll: look once more at what changed before acting.
      const versioned = [...pending.values()].filter((e) => e.reason === 'version')
      if (versioned.length) await watcher?.check(versioned.map((e) => e.secret))
      const batch = [...pending.values()]
      pending.clear()
      await apply(batch)
    })()
    try {
      await flushing
    } catch (error) {
      options.emit({
        event: 'failed',
        secret: '',
        phase: 'apply',
        code: (error as { code?: string }).code ?? 'INVALID',
        message: (error as Error).message,
      })
    } finally {
      flushing = undefined
    }
    if (pending.size) schedule()
  }

  async function apply(batch: SecretChangedEvent[]): Promise<void> {
    const restart: string[] = []
    const reconnect: string[] = []
    const alerts: SecretChangedEvent[] = []
    for (const change of batch) {
      const own = bindings.filter((b) => b.ref.name === change.secret)
      const { env, report } = await resolveEnvWithDuals(resolver, own, options.duals ?? [], {
        allowPartial: true,
      })
      for (const failure of report.failures) {
        options.emit({
          event: 'failed',
          secret: change.secret,
          phase: 'resolve',
          code: failure.error.code,
          message: failure.error.message,
        })
      }
      const variables = own
        .map((b) => b.name)
        .filter((name) => env[name] !== undefined && env[name].reveal() !== current[name]?.reveal())
      for (const name of variables) current[name] = env[name] as SecretValue
      const action = variables.length ? actionOf(change.secret) : 'none'
      options.emit({
        event: 'changed',
        secret: change.secret,
        provider: change.provider,
        reason: change.reason,
        ...(change.version !== undefined ? { version: change.version } : {}),
        ...(change.previousVersion !== undefined
          ? { previousVersion: change.previousVersion }
          : {}),
        variables,
        action,
      })
      if (action === 'restart') restart.push(change.secret)
      else if (action === 'reconnect') reconnect.push(change.secret)
      else if (action === 'alert') alerts.push(change)
    }
    for (const change of alerts) await alert(change)
    if (restart.length) {
      await restartChild(
        [...restart, ...reconnect],
        Math.max(...restart.map((s) => policyOf(s)?.gracePeriodMs ?? DEFAULT_GRACE_MS)),
      )
    } else if (reconnect.length) {
      await reconnectChild(reconnect)
    }
  }

  async function alert(change: SecretChangedEvent): Promise<void> {
    options.audit?.append({
      action: 'rotation-alert',
      secret: change.secret,
      provider: change.provider,
      outcome: 'ok',
      ...(change.version !== undefined ? { detail: `version ${change.version}` } : {}),
    })
    const hook = policyOf(change.secret)?.command
    let hookExitCode: number | undefined
    if (hook) {
      hookExitCode = await new Promise<number>((resolveHook) => {
        const run = childProcesses().spawn(hook, {
          shell: true,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: {
            ...options.baseEnv,
            FLOE_ROTATED_SECRET: change.secret,
            FLOE_ROTATED_VERSION: change.version ?? '',
          },
        })
        run.once('error', () => resolveHook(127))
        run.once('close', (code, signal) => resolveHook(exitCodeOf(code, signal)))
      })
    }
    options.emit({
      event: 'alerted',
      secret: change.secret,
      ...(change.version !== undefined ? { version: change.version } : {}),
      ...(hook ? { hook, hookExitCode } : {}),
    })
  }

  function childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...options.baseEnv }
    for (const [name, value] of Object.entries(current)) env[name] = value.reveal()
    return env
  }

  async function writeEnvFile(): Promise<void> {
    if (options.envFile) await writePrivateFile(options.envFile, formatEnvFile(current))
  }

  function start(): Promise<ChildProcess> {
    return new Promise((resolveStart, reject) => {
      const started = options.spawnChild(childEnv())
      started.once('error', (error: NodeJS.ErrnoException) => {
        if (!started.pid) reject(error)
      })
      started.once('spawn', () => {
        child = started
        started.once('exit', (code, signal) => {
          if (child !== started || restarting) return
          const exitCode = exitCodeOf(code, signal)
          options.emit({ event: 'exited', exitCode, ...(signal ? { signal } : {}) })
          finish(exitCode)
        })
        resolveStart(started)
      })
    })
  }

  /** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves whether it had to kill. */
  function stopChild(target: ChildProcess, graceMs: number): Promise<boolean> {
    if (target.exitCode !== null || target.signalCode !== null) return Promise.resolve(false)
    return new Promise((resolveStop) => {
      let killed = false
      const kill = setTimeout(() => {
        killed = true
        target.kill('SIGKILL')
      }, graceMs)
      target.once('exit', () => {
        clearTimeout(kill)
        resolveStop(killed)
      })
      target.kill('SIGTERM')
    })
  }

  async function restartChild(changed: string[], graceMs: number): Promise<void> {
    const previous = child
    if (!previous || stopping) return
    restarting = true
    try {
      const killed = await stopChild(previous, graceMs)
      if (stopping) {
        // floe was told to stop while the old child was going down: its exit is floe's
        const exitCode = exitCodeOf(previous.exitCode, previous.signalCode)
        options.emit({ event: 'exited', exitCode })
        finish(exitCode)
        return
      }
      await writeEnvFile()
      const next = await start().catch((error: Error) => {
        options.emit({
          event: 'failed',
          secret: changed.join(','),
          phase: 'restart',
          code: (error as NodeJS.ErrnoException).code ?? 'INVALID',
          message: error.message,
        })
        finish(127)
        throw error
      })
      options.emit({
        event: 'restarted',
        pid: next.pid ?? 0,
        previousPid: previous.pid ?? 0,
        secrets: changed,
        killed,
      })
    } finally {
      restarting = false
    }
  }

  async function reconnectChild(changed: string[]): Promise<void> {
    await writeEnvFile()
    const signal = (policyOf(changed[0] as string)?.signal ??
      options.reloadSignal ??
      'SIGHUP') as NodeJS.Signals
    child?.kill(signal)
    options.emit({
      event: 'reconnected',
      pid: child?.pid ?? 0,
      signal,
      ...(options.envFile ? { file: options.envFile } : {}),
      secrets: changed,
    })
  }

  return {
    leaseRefreshed: (event) => watcher?.leaseRefreshed(event),
    async run() {
      watcher = watchSecrets({
        resolver,
        manifest,
        secrets,
        onEvent: onWatchEvent,
        ...(options.floorMs !== undefined ? { floorMs: options.floorMs } : {}),
      })
      await watcher.ready
      await writeEnvFile()
      const first = await start()
      options.emit({ event: 'started', pid: first.pid ?? 0, variables: Object.keys(current) })
      const forward = (signal: NodeJS.Signals) => () => {
        if (signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGQUIT') stopping = true
        if (!options.groupSignals?.includes(signal)) child?.kill(signal)
      }
      const handlers = FORWARDED.map((s) => [s, forward(s)] as const)
      for (const [s, h] of handlers) process.on(s, h)
      try {
        return await done
      } finally {
        stopping = true
        clearTimeout(timer)
        watcher.stop()
        for (const [s, h] of handlers) process.off(s, h)
      }
    },
  }
}
