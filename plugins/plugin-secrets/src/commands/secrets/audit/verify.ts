import { resolve } from 'node:path'
import { Args, Flags } from '@oclif/core'
import {
  auditKeyFromValue,
  auditLogFile,
  ExitCode,
  readAuditKeyFile,
  UsageError,
  verifyAuditLog,
  type AuditKey,
  type AuditVerification,
  type AuditVerificationStatus,
} from '@floe/core'
import { FloeCommand, type Outcome } from '../../../lib/base-command.js'

/** The library's report, with the record count instead of the records. */
type VerifyResult = Omit<AuditVerification, 'records'> & { file: string; records: number }

const HEADLINES: Record<AuditVerificationStatus, string> = {
  authenticated: 'chain and checkpoint authenticated with the key',
  unauthenticated: 'chain consistent, NOT authenticated (key unavailable)',
  unkeyed: 'unkeyed log: chain consistent, tampering cannot be ruled out',
  broken: 'tampering or damage found',
}

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

  private async keyFor(
    file: string,
    keyFile: string | undefined,
    fromManifest: boolean,
  ): Promise<{ key?: AuditKey; keyFile?: string }> {
    if (keyFile) {
      const path = resolve(keyFile)
      const key = readAuditKeyFile(path)
      if (!key) throw new UsageError(`audit key file ${path} does not exist`)
      return { key }
    }
    if (!fromManifest) return {}
    const manifest = await this.session.manifest()
    const settings = manifest.config.audit
    if (settings?.key) {
      return {
        key: auditKeyFromValue(await this.session.resolveAuditKey(settings.key), settings.key),
      }
    }
    if (settings?.keyFile) return { keyFile: resolve(manifest.dir, settings.keyFile) }
    return { keyFile: `${file}.key` }
  }

  protected async execute(): Promise<Outcome<VerifyResult>> {
    const { args, flags } = await this.parse(SecretsAuditVerify)
    let file = args.file && resolve(args.file)
    if (!file) {
      const manifest = await this.session.manifest()
      file = auditLogFile(manifest.config.audit, manifest.dir)
      if (!file)
        throw new UsageError(
          'no audit log given and the manifest sets no secrets._config.audit.path',
          { hint: 'pass the log file: floe secrets audit verify FILE' },
        )
    }
    const { key, keyFile } = await this.keyFor(file, flags['key-file'], !args.file)
    const report: AuditVerification = verifyAuditLog(file, { key, keyFile })
    const result: VerifyResult = { file, ...report, records: report.records.length }
    const failed = !report.ok || (flags.strict && report.status !== 'authenticated')
    const mark =
      report.status === 'authenticated'
        ? this.paint.ok('✓')
        : report.ok
          ? this.paint.warn('!')
          : this.paint.bad('✗')
    const lines = [
      `${mark} ${file}: ${report.records.length} records — ${HEADLINES[report.status]}`,
      ...(report.firstBroken
        ? [`  first problem at line ${report.firstBroken.line}: ${report.firstBroken.reason}`]
        : []),
      'Proven:',
      ...report.proven.map((line) => `  ✓ ${line}`),
      'Not proven:',
      ...report.unproven.map((line) => `  ? ${line}`),
    ]
    return {
      result,
      human: lines.join('\n'),
      exitCode: failed ? ExitCode.CHECK_FAILED : ExitCode.OK,
      status: failed ? 'failed' : 'ok',
    }
  }
}
