import { Args, Flags } from '@oclif/core'
import { ExitCode, verifyAuditLog, type AuditVerification } from '@floe/core'
import { auditVerifyInput } from '../../../lib/audit-verify-input.js'
import { auditVerifyText } from '../../../lib/audit-verify-text.js'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'

/** The library's report, with the record count instead of the records. */
type VerifyResult = Omit<AuditVerification, 'records'> & { file: string; records: number }

export default class SecretsAuditVerify extends FloeCommand<VerifyResult> {
  static override summary = 'Check the audit log: keyed hash chain and checkpoint'
  static override description = `Each record carries an HMAC-SHA256 of the previous record's hash and its own content, with a key kept outside the log (secrets._config.audit.key, key_file, or <log>.key); a MAC'd checkpoint (<log>.checkpoint: record count, size, head hash) catches removed tails, an emptied file and appended records. The output says what was proven and what could not be (without the key, edits with a recomputed chain cannot be told apart).

Exit codes: 0 nothing wrong found (status authenticated, unauthenticated or unkeyed); 1 tampering or damage found (status broken), or with --strict anything but authenticated; 2 usage (no log given or found).`
  static override examples = [
    '<%= config.bin %> secrets audit verify',
    '<%= config.bin %> secrets audit verify /var/log/floe/audit.jsonl --key-file /etc/floe/audit.key',
    '<%= config.bin %> secrets audit verify --strict --json',
  ]
  static override args = {
    file: Args.string({
      description: 'audit log (default: secrets._config.audit.path of the manifest)',
    }),
  }
  static override flags = {
    'key-file': Flags.string({
      description:
        "the chain's key file (default: the manifest's audit.key / key_file, else <log>.key)",
    }),
    strict: Flags.boolean({
      description: 'exit 1 unless the log is authenticated with its key (for CI and cron checks)',
    }),
  }

  protected async execute(): Promise<Outcome<VerifyResult>> {
    const { args, flags } = await this.parse(SecretsAuditVerify)
    const { file, key, keyFile } = await auditVerifyInput(
      this.session,
      args.file,
      flags['key-file'],
    )
    const report: AuditVerification = verifyAuditLog(file, { key, keyFile })
    const failed = !report.ok || (flags.strict && report.status !== 'authenticated')
    return {
      result: { file, ...report, records: report.records.length },
      human: auditVerifyText(this.paint, file, report),
      exitCode: failed ? ExitCode.CHECK_FAILED : ExitCode.OK,
      status: failed ? 'failed' : 'ok',
    }
  }
}
