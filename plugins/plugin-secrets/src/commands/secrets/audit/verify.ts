import { resolve } from 'node:path'
import { Args } from '@oclif/core'
import { ExitCode, UsageError, verifyAuditLog } from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'

interface VerifyResult {
  file: string
  ok: boolean
  records: number
  firstBroken?: { line: number; reason: string }
}

export default class SecretsAuditVerify extends FloeCommand<VerifyResult> {
  static override summary = "Check the audit log's hash chain"
  static override description =
    'Each audit record carries the hash of the previous one; an edited, removed or reordered record breaks the chain. Reports the first broken record; exit 1 when the chain is broken.'
  static override examples = [
    '<%= config.bin %> secrets audit verify',
    '<%= config.bin %> secrets audit verify /var/log/floe/audit.jsonl',
  ]
  static override args = {
    file: Args.string({
      description: 'audit log (default: secrets._config.audit.path of the manifest)',
    }),
  }

  protected async execute(): Promise<Outcome<VerifyResult>> {
    const { args } = await this.parse(SecretsAuditVerify)
    let file = args.file
    if (!file) {
      const manifest = await this.session.manifest()
      const path = manifest.config.audit?.path
      if (!path)
        throw new UsageError(
          'no audit log given and the manifest sets no secrets._config.audit.path',
        )
      file = resolve(manifest.dir, path)
    }
    const report = verifyAuditLog(file)
    const result: VerifyResult = {
      file,
      ok: report.ok,
      records: report.records.length,
      ...(report.firstBroken ? { firstBroken: report.firstBroken } : {}),
    }
    const human = report.ok
      ? `${this.paint.ok('✓')} ${file}: ${report.records.length} records, chain intact.`
      : `${this.paint.bad('✗')} ${file}: chain broken at line ${report.firstBroken?.line}: ${report.firstBroken?.reason}`
    return {
      result,
      human,
      exitCode: report.ok ? ExitCode.OK : ExitCode.CHECK_FAILED,
      status: report.ok ? 'ok' : 'failed',
    }
  }
}
