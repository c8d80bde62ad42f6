import { Args } from '@oclif/core'
import { ExitCode, secretStatus, type SecretStatusRow } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { declaredSecret } from '../../lib/references.js'
import { useColor } from '../../lib/output.js'
import { renderStatus } from '../../lib/status-table.js'

export type StatusRow = SecretStatusRow

export default class SecretsStatus extends FloeCommand<{ secrets: StatusRow[] }> {
  static override summary =
    'Show whether each secret exists, its version, last change, sync status and lease TTL'
  static override description =
    'Reads metadata only (never values). For secrets synced by External Secrets Operator it shows the store, sync status and last sync; for dynamic Vault secrets the lease TTL. Exit code 1 when any secret is missing or unreadable.'
  static override examples = [
    '<%= config.bin %> secrets status',
    '<%= config.bin %> secrets status snowflake-credentials',
    '<%= config.bin %> secrets status --json',
  ]
  static override args = {
    names: Args.string({ description: 'secrets to check (default: all)', required: false }),
  }
  static override strict = false

  protected async execute(): Promise<Outcome<{ secrets: StatusRow[] }>> {
    const { argv } = await this.parse(SecretsStatus)
    const manifest = await this.session.manifest()
    const names = (argv as string[]).length ? (argv as string[]) : Object.keys(manifest.secrets)
    for (const name of names) declaredSecret(manifest, name)
    const progress = this.progress(
      `Checking ${names.length} secret${names.length === 1 ? '' : 's'}…`,
    )
    let report
    try {
      report = await secretStatus({
        manifest,
        resolver: await this.session.resolver(),
        hooks: () => this.session.registry.hookModules(),
        ctx: () => this.session.providerContext(),
        names,
      })
    } finally {
      progress.stop()
    }
    const { human, warnings } = renderStatus(report.rows, useColor())
    for (const warning of [...report.warnings, ...warnings]) this.warn_(warning)
    return {
      result: { secrets: report.rows },
      human,
      exitCode: report.rows.some((r) => r.exists !== true) ? ExitCode.CHECK_FAILED : ExitCode.OK,
    }
  }
}
