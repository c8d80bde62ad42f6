import { Flags } from '@oclif/core'
import type { ValidationReport } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'
import { runValidate } from '../../lib/validate-run.js'

export default class SecretsValidate extends FloeCommand<Omit<ValidationReport, 'exitCode'>> {
  static override summary =
    'Check the manifest, then check every secret exists with the keys its consumers need'
  static override description = `Static checks first: schema, references, groups, env-name collisions, plaintext credentials, secrets shared across environments. Then live metadata checks at each provider (exists, expected keys present) — values are never read. When the manifest runs through a cluster, each secret's Kubernetes Secret is checked too and folded into the secret's line (one line per declared secret; --verbose shows the folded checks). The error count is the number of ✗ lines, and every fix printed is a command that works as printed.

Exit codes: 0 all good · 1 a check failed · 2 the manifest cannot be loaded · 3 a provider is unreachable · 4 access denied.`
  static override examples = [
    '<%= config.bin %> secrets validate',
    '<%= config.bin %> secrets validate --offline',
    '<%= config.bin %> secrets validate -m deploy/prod/floe.yaml --json',
  ]
  static override flags = {
    offline: Flags.boolean({ description: 'static checks only: no provider is contacted' }),
    strict: Flags.boolean({ description: 'treat warnings as errors' }),
  }

  protected async execute(): Promise<Outcome<Omit<ValidationReport, 'exitCode'>>> {
    const { flags } = await this.parse(SecretsValidate)
    return runValidate(
      { session: this.session, paint: this.paint, progress: (text) => this.progress(text) },
      {
        offline: Boolean(flags.offline),
        strict: Boolean(flags.strict),
        verbose: Boolean(flags.verbose),
      },
    )
  }
}
