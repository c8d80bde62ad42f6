import { constants } from 'node:os'
import type { ChildProcess } from 'node:child_process'
import {
  ExitCode,
  findDualSecrets,
  formatSecretRef,
  MIN_MASKABLE_LENGTH,
  resolveEnvWithDuals,
  UsageError,
  type EnvBinding,
  type SecretValue,
} from '@floe/core'
import type { FloeSession } from './session.js'
import type { Progress } from './progress.js'
import { createEventPrinter } from './exec-events.js'
import { createSupervisor } from './exec-supervisor.js'
import { childBaseEnv } from './exec-env.js'
import { createChildSpawner } from './exec-spawn.js'

/** What a terminal sends to its whole foreground process group (Ctrl-C, Ctrl-\\). */
const TERMINAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT']

const FORWARDED_SIGNALS: NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
]

/**
 * With a terminal on any of floe's stdio the child stays in floe's process group, so job
 * control works and Ctrl-C reaches it directly from the terminal: floe must not send it again.
 * Without one the child gets its own group and floe forwards every signal exactly once.
 */
function terminalInPlay(): boolean {
  // isatty, not process.stdin.isTTY: the child inherits stdin, and creating floe's own stream
  // for it costs ≈ 1.5 ms of every exec (node:tty on first use: it loads node:net)
  const { isatty } = process.getBuiltinModule('node:tty')
  return isatty(0) || isatty(1) || isatty(2)
}

export interface ExecOptions {
  command: string[]
  mask: boolean
  only?: string[]
  watch: boolean
  strictMask: boolean
  passEnv?: string[]
  writeEnv?: string
  reloadSignal?: string
}

/** What exec needs of its command: the session and floe's own output. */
export interface ExecContext {
  session: FloeSession
  json: boolean
  verbose: boolean
  progress: (text: string) => Progress
  warn: (message: string) => void
  /** the session redactor's last pass over a line floe prints */
  safe: (text: string) => string
}

export interface ExecResult {
  command: string
  exitCode: number
  injected: string[]
}

/** A spawn's ENOENT as what it means to the user. */
const explainSpawnError = (file: string, error: NodeJS.ErrnoException): Error =>
  error.code === 'ENOENT'
    ? new UsageError(`command not found: ${file}`, { hint: 'check the command name and PATH' })
    : error

/** The bindings exec injects: all of the manifest's env mapping, or the --only names. */
function selectBindings(env: readonly EnvBinding[], only: string[] | undefined): EnvBinding[] {
  if (!only?.length) return [...env]
  const unknown = only.filter((n) => !env.some((b) => b.name === n))
  if (unknown.length)
    throw new UsageError(`not in the manifest's env mapping: ${unknown.join(', ')}`)
  return env.filter((b) => only.includes(b.name))
}

/**
 * Registers every value with the session redactor; names (never values) of those too short to
 * be masked are a warning, or with --strict-mask a usage error (exit 2).
 */
function registerForMasking(
  context: ExecContext,
  options: ExecOptions,
  bindings: readonly EnvBinding[],
  env: Record<string, SecretValue>,
): void {
  const unmaskable: string[] = []
  for (const [name, value] of Object.entries(env)) {
    if (context.session.redactor.add(value) || value.reveal().length === 0) continue
    const ref = bindings.find((b) => b.name === name)?.ref
    unmaskable.push(ref ? `${name} (${formatSecretRef(ref)})` : name)
  }
  if (!options.mask || !unmaskable.length) return
  const what = `values shorter than ${MIN_MASKABLE_LENGTH} characters, so the child's output cannot be masked for ${unmaskable.length === 1 ? 'it' : 'them'}: ${unmaskable.join(', ')}`
  if (options.strictMask)
    throw new UsageError(what, {
      hint: 'use longer values, or drop --strict-mask to run with a warning',
    })
  context.warn(what)
}

/** Runs the child once; its exit code (128 + signal number when a signal ended it). */
async function runOnce(child: ChildProcess, file: string, ownGroup: boolean): Promise<number> {
  const forward = (signal: NodeJS.Signals) => () => {
    if (!ownGroup && TERMINAL_SIGNALS.includes(signal)) return // the terminal sent it already
    child.kill(signal)
  }
  const handlers = FORWARDED_SIGNALS.map((s) => [s, forward(s)] as const)
  for (const [s, h] of handlers) process.on(s, h)
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(explainSpawnError(file, error)))
      child.once('close', (exit, signal) => {
        resolve(exit ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1))
      })
    })
  } finally {
    for (const [s, h] of handlers) process.off(s, h)
  }
}

/**
 * `floe secrets exec`: resolves the env mapping, registers the values for masking, scrubs floe's
 * own credentials from the inherited environment and runs the command once — or supervised
 * (--watch). Leases are revoked by session.close() whatever the exit code: a failed job must
 * not leave live credentials behind.
 */
export async function runExec(
  context: ExecContext,
  options: ExecOptions,
): Promise<{ result: ExecResult; exitCode: ExitCode }> {
  const [file, ...args] = options.command
  if (!file)
    throw new UsageError('no command given', { hint: 'floe secrets exec -- COMMAND [ARGS…]' })
  if (!options.watch && (options.writeEnv || options.reloadSignal))
    throw new UsageError('--write-env and --reload-signal need --watch')
  const { session } = context
  const manifest = await session.manifest()
  const bindings = selectBindings(manifest.env, options.only)
  const resolver = await session.resolver('long-running')
  const progress = context.progress(`Resolving ${bindings.length} variables…`)
  let resolved
  try {
    // dual secrets: a primary that is missing or unavailable gives way to its secondary
    resolved = await resolveEnvWithDuals(resolver, bindings, findDualSecrets(manifest))
  } finally {
    progress.stop()
  }
  for (const w of resolved.report.warnings) context.warn(w)
  registerForMasking(context, options, bindings, resolved.env)
  // floe's own back-end credentials stay with floe unless mapped or passed explicitly
  const keep = new Set([...bindings.map((b) => b.name), ...(options.passEnv ?? [])])
  const baseEnv = childBaseEnv(process.env, keep).env
  const ownGroup = !terminalInPlay()
  const spawnChild = createChildSpawner({
    command: [file, ...args],
    mask: options.mask,
    json: context.json,
    redactor: session.redactor,
    ownGroup,
  })
  const result = (exitCode: number) => ({
    result: { command: options.command.join(' '), exitCode, injected: Object.keys(resolved.env) },
    exitCode: exitCode as ExitCode,
  })
  if (!options.watch) {
    const childEnv: NodeJS.ProcessEnv = { ...baseEnv }
    for (const [name, value] of Object.entries(resolved.env)) {
      childEnv[name] = value.reveal() // the sanctioned sink: the child's environment
    }
    return result(await runOnce(spawnChild(childEnv), file, ownGroup))
  }
  const supervisor = createSupervisor({
    manifest,
    resolver,
    bindings,
    duals: findDualSecrets(manifest),
    initial: resolved.env,
    spawnChild,
    baseEnv,
    ...(ownGroup ? {} : { groupSignals: TERMINAL_SIGNALS }),
    emit: createEventPrinter({ json: context.json, verbose: context.verbose, safe: context.safe }),
    audit: await session.audit(),
    ...(options.writeEnv ? { envFile: options.writeEnv } : {}),
    ...(options.reloadSignal ? { reloadSignal: options.reloadSignal } : {}),
  })
  session.onLeaseRefresh = (event) => supervisor.leaseRefreshed(event)
  const code = await supervisor.run().catch((error: NodeJS.ErrnoException) => {
    throw explainSpawnError(file, error)
  })
  return result(code)
}
