import { Args, Flags } from '@oclif/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { runGet, type GetResult } from '../../lib/get-run.js'

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
    const ctx = { session: this.session, json: this.json, warnings: this.warnings }
    return runGet(ctx, args.ref, Boolean(flags.reveal))
  }
}
