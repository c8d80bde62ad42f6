import { Flags } from '@oclif/core'
import { MIN_MASKABLE_LENGTH } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import type { ExecResult } from '../../lib/exec-run.js'
import { runExecCommand } from '../../lib/exec-command.js'

export default class SecretsExec extends FloeCommand<ExecResult> {
  static override summary = "Run a command with the manifest's secrets in its environment"
  static override description = `Resolves the manifest's env mapping (explicit env: entries, derived names per env_naming: <SECRET>_<KEY> by default, <KEY> with env_naming: key, <env_prefix>_<KEY>; DBT_ENV_SECRET_* names for dbt) and runs the command with it. The child's stdout/stderr are masked: any resolved value is replaced by [REDACTED] (--no-mask to pass output through untouched). When floe's output is a terminal the child gets a pseudo-terminal (util-linux script), so colours and TUIs keep working while masked. With --json, stdout carries only floe's JSON (the envelope, or --watch events) and the child's stdout goes to stderr. Signals are forwarded; the child's exit code is returned. Dynamic (Vault) leases are renewed while the child runs and revoked when it exits.`
  static override examples = [
    '<%= config.bin %> secrets exec -- dbt run --target prod',
    '<%= config.bin %> secrets exec --only DBT_ENV_SECRET_SNOWFLAKE_PASSWORD -- dbt debug',
    '<%= config.bin %> secrets exec --no-mask -- psql',
    '<%= config.bin %> secrets exec --watch -- node server.js',
    '<%= config.bin %> secrets exec --watch --write-env .env.live --json -- ./worker',
    '<%= config.bin %> secrets exec --json -- ./job.sh 2>job.log | jq .result.exitCode',
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
    const ctx = {
      session: this.session,
      json: this.json,
      progress: (text: string) => this.progress(text),
      printWarning: (message: string) => this.printWarning(message),
      safe: (text: string) => this.safe(text),
    }
    return runExecCommand(ctx, this.argv, flags, argv as string[])
  }
}
