import { Args, Flags } from '@oclif/core'
import { formatSecretRef } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { refFromArgument } from '../../lib/references.js'

interface GetResult {
  ref: string
  found: boolean
  length?: number
  value?: string
}

export default class SecretsGet extends FloeCommand<GetResult> {
  static override summary = 'Resolve one reference (masked unless --reveal)'
  static override description =
    'Resolves a secret:// reference through the manifest (cache, retries, fallback, defaults) and prints it masked. --reveal prints the plain value on stdout — the one command besides exec that shows a value.'
  static override examples = [
    '<%= config.bin %> secrets get kafka_credentials/password',
    '<%= config.bin %> secrets get secret://api_key?version=2',
    'PGPASSWORD="$(<%= config.bin %> secrets get db/password --reveal)" psql …',
  ]
  static override args = {
    ref: Args.string({ description: 'secret://name/key, name/key or name', required: true }),
  }
  static override flags = {
    reveal: Flags.boolean({ description: 'print the plain value (only on stdout)' }),
  }

  protected async execute(): Promise<Outcome<GetResult>> {
    const { args, flags } = await this.parse(SecretsGet)
    const manifest = await this.session.manifest()
    const ref = refFromArgument(args.ref, manifest)
    const resolver = await this.session.resolver()
    const report = await resolver.resolve([ref])
    for (const w of report.warnings) this.warn_(w)
    const failure = report.failures[0]
    if (failure) throw failure.error
    const value = report.valueOf(ref)
    const id = formatSecretRef(ref)
    if (!value) return { result: { ref: id, found: false }, human: `${id}: not set` }
    if (flags.reveal) {
      // The one sanctioned sink (ARCHITECTURE.md, "Masking"): written raw, outside the redacting output path.
      if (this.json) {
        process.stdout.write(
          JSON.stringify(
            {
              status: 'ok',
              result: { ref: id, found: true, length: value.length, value: value.reveal() },
              warnings: this.warnings,
            },
            null,
            2,
          ) + '\n',
        )
      } else {
        process.stdout.write(value.reveal() + '\n')
      }
      return { result: { ref: id, found: true }, silent: true }
    }
    this.session.redactor.add(value)
    return {
      result: { ref: id, found: true, length: value.length },
      human: `${id}: ${'•'.repeat(8)} (${value.length} characters; use --reveal to print it)`,
    }
  }
}
