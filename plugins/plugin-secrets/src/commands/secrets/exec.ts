import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { Flags } from '@oclif/core'
import {
  ExitCode,
  findDualSecrets,
  formatSecretRef,
  MIN_MASKABLE_LENGTH,
  resolveEnvWithDuals,
  UsageError,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { createEventPrinter } from '../../lib/exec-events.js'
import { createSupervisor } from '../../lib/exec-supervisor.js'
import { childBaseEnv } from '../../lib/exec-env.js'
import { pipeMasked } from '../../lib/exec-output.js'
import { withDeathSignal } from '../../lib/exec-death-signal.js'

/** What a terminal sends to its whole foreground process group (Ctrl-C, Ctrl-\\). */
const TERMINAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT']

/**
 * With a terminal on any of floe's stdio the child stays in floe's process group, so job
 * control works and Ctrl-C reaches it directly from the terminal: floe must not send it again.
 * Without one the child gets its own group and floe forwards every signal exactly once.
 */
function terminalInPlay(): boolean {
  return Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY)
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
]

interface ExecResult {
  command: string
  exitCode: number
  injected: string[]
}

export default class SecretsExec extends FloeCommand<ExecResult> {
  static override summary = "Run a command with the manifest's secrets in its environment"
  static override description = `Resolves the manifest's env mapping (explicit env: entries, <SECRET>_<KEY> names, DBT_ENV_SECRET_* names for dbt) and runs the command with it. The child's stdout/stderr are masked: any resolved value is replaced by [REDACTED] (--no-mask to pass output through untouched, e.g. for interactive programs). Signals are forwarded; the child's exit code is returned. Dynamic (Vault) leases are renewed while the child runs and revoked when it exits.`
  static override examples = [
    '<%= config.bin %> secrets exec -- dbt run --target prod',
    '<%= config.bin %> secrets exec --only DBT_ENV_SECRET_SNOWFLAKE_PASSWORD -- dbt debug',
    '<%= config.bin %> secrets exec --no-mask -- psql',
    '<%= config.bin %> secrets exec --watch -- node server.js',
    '<%= config.bin %> secrets exec --watch --write-env .env.live --json -- ./worker',
  ]
  static override strict = false
  static override flags = {
    mask: Flags.boolean({
      description: "mask resolved values in the child's output",
      default: true,
      allowNo: true,
    }),
    only: Flags.string({ description: 'inject only these variables (repeatable)', multiple: true }),
    watch: Flags.boolean({
      description:
        "keep running: watch the secrets the command uses (describe versions at rotation.refresh_interval) and apply each one's on_rotation (restart | reconnect | alert); --json streams one event per line",
    }),
    'strict-mask': Flags.boolean({
      description: `refuse to run (exit 2) when a value is too short to be masked (under ${MIN_MASKABLE_LENGTH} characters) instead of warning`,
    }),
    'pass-env': Flags.string({
      description:
        "keep this variable of floe's own back-end credentials (VAULT_TOKEN, AWS_*, GOOGLE_*, AZURE_* …) in the child's environment (repeatable); they are removed otherwise",
      multiple: true,
    }),
    'write-env': Flags.string({
      description:
        'with --watch: also write the variables to this dotenv file (0600, atomically), rewritten on every change (what on_rotation: reconnect programs re-read)',
    }),
    'reload-signal': Flags.string({
      description:
        'with --watch: signal sent for on_rotation: reconnect when the secret sets none (default SIGHUP)',
    }),
  }

  protected async execute(): Promise<Outcome<ExecResult>> {
    const { flags, argv } = await this.parse(SecretsExec)
    const command = argv as string[]
    if (!command.length) {
      throw new UsageError('no command given', { hint: 'floe secrets exec -- COMMAND [ARGS…]' })
    }
    const manifest = await this.session.manifest()
    const bindings = flags.only?.length
      ? manifest.env.filter((b) => flags.only!.includes(b.name))
      : manifest.env
    if (flags.only?.length) {
      const unknown = flags.only.filter((n) => !manifest.env.some((b) => b.name === n))
      if (unknown.length)
        throw new UsageError(`not in the manifest's env mapping: ${unknown.join(', ')}`)
    }
    const resolver = await this.session.resolver('long-running')
    const progress = this.progress(`Resolving ${bindings.length} variables…`)
    let resolved
    try {
      // dual secrets: a primary that is missing or unavailable gives way to its secondary
      resolved = await resolveEnvWithDuals(resolver, bindings, findDualSecrets(manifest))
    } finally {
      progress.stop()
    }
    for (const w of resolved.report.warnings) this.printWarning(w)
    const mask = flags.mask
    const unmaskable: string[] = []
    for (const [name, value] of Object.entries(resolved.env)) {
      const masked = this.session.redactor.add(value)
      if (!masked && value.reveal().length > 0) {
        const ref = bindings.find((b) => b.name === name)?.ref
        unmaskable.push(ref ? `${name} (${formatSecretRef(ref)})` : name)
      }
    }
    if (mask && unmaskable.length) {
      const what = `shorter than ${MIN_MASKABLE_LENGTH} characters, so the child's output cannot be masked for ${unmaskable.length === 1 ? 'it' : 'them'}: ${unmaskable.join(', ')}`
      if (flags['strict-mask'])
        throw new UsageError(`values ${what}`, {
          hint: 'use longer values, or drop --strict-mask to run with a warning',
        })
      this.printWarning(`values ${what}`)
    }
    // floe's own back-end credentials stay with floe unless mapped or passed explicitly
    const keep = new Set([...bindings.map((b) => b.name), ...(flags['pass-env'] ?? [])])
    const baseEnv = childBaseEnv(process.env, keep).env
    const childEnv: NodeJS.ProcessEnv = { ...baseEnv }
    for (const [name, value] of Object.entries(resolved.env)) {
      childEnv[name] = value.reveal() // the sanctioned sink: the child's environment
    }
    const ownGroup = !terminalInPlay()

    const [file, ...args] = command as [string, ...string[]]
    const spawnChild = (env: NodeJS.ProcessEnv) => {
      const target = withDeathSignal(file, args, env)
      const started = spawn(target.file, target.args, {
        env,
        stdio: mask ? ['inherit', 'pipe', 'pipe'] : 'inherit',
        detached: ownGroup,
      })
      if (mask) {
        const readerGone = () => {
          if (started.exitCode === null && started.signalCode === null) started.kill('SIGPIPE')
        }
        pipeMasked(started.stdout!, process.stdout, this.session.redactor, readerGone)
        pipeMasked(started.stderr!, process.stderr, this.session.redactor, readerGone)
      }
      return started
    }
    if (flags.watch) {
      const supervisor = createSupervisor({
        manifest,
        resolver,
        bindings,
        duals: findDualSecrets(manifest),
        initial: resolved.env,
        spawnChild,
        baseEnv,
        ...(ownGroup ? {} : { groupSignals: TERMINAL_SIGNALS }),
        emit: createEventPrinter({
          json: this.json,
          verbose: this.argv.includes('--verbose'),
          safe: (text) => this.safe(text),
        }),
        audit: await this.session.audit(),
        ...(flags['write-env'] ? { envFile: flags['write-env'] } : {}),
        ...(flags['reload-signal'] ? { reloadSignal: flags['reload-signal'] } : {}),
      })
      this.session.onLeaseRefresh = (event) => supervisor.leaseRefreshed(event)
      const watchedCode = await supervisor.run().catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT'
          ? new UsageError(`command not found: ${file}`, {
              hint: 'check the command name and PATH',
            })
          : error
      })
      return {
        result: {
          command: command.join(' '),
          exitCode: watchedCode,
          injected: Object.keys(resolved.env),
        },
        silent: true,
        exitCode: watchedCode as ExitCode,
      }
    }
    if (flags['write-env'] || flags['reload-signal']) {
      throw new UsageError('--write-env and --reload-signal need --watch')
    }
    const child = spawnChild(childEnv)
    const forward = (signal: NodeJS.Signals) => () => {
      if (!ownGroup && TERMINAL_SIGNALS.includes(signal)) return // the terminal sent it already
      child.kill(signal)
    }
    const handlers = FORWARDED_SIGNALS.map((s) => [s, forward(s)] as const)
    for (const [s, h] of handlers) process.on(s, h)
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new UsageError(`command not found: ${file}`, {
                hint: 'check the command name and PATH',
              })
            : error,
        ),
      )
      child.once('close', (exit, signal) => {
        resolve(exit ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1))
      })
    }).finally(() => {
      for (const [s, h] of handlers) process.off(s, h)
    })
    // Leases are revoked by session.close() (resolver.dispose) whatever the exit code: a failed
    // job must not leave live credentials behind (no credential outlives the job).
    if (this.json) {
      return {
        result: { command: command.join(' '), exitCode: code, injected: Object.keys(resolved.env) },
        exitCode: code === 0 ? ExitCode.OK : (code as ExitCode),
      }
    }
    return {
      result: { command: command.join(' '), exitCode: code, injected: Object.keys(resolved.env) },
      silent: true,
      exitCode: code as ExitCode,
    }
  }
}
