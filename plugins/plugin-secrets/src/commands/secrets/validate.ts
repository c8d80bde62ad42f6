import { basename } from 'node:path'
import { Flags } from '@oclif/core'
import { validateManifest, type ValidationReport } from '@floe/core'
import { FloeCommand, type Outcome } from '../../lib/base-command.js'

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
    const report = await validateManifest({
      path: this.session.manifestPath(),
      load: () => this.session.manifest(),
      offline: Boolean(flags.offline),
      strict: Boolean(flags.strict),
      describe: async (names) => {
        const progress = this.progress(`Checking ${names.length} secrets at their providers…`)
        try {
          return await (await this.session.resolver()).describe(names)
        } finally {
          progress.stop()
        }
      },
      describeFallbacks: async (names) =>
        (await this.session.resolver()).describe(names, { fallback: true }),
      emitter: (name) => this.session.registry.emitter(name),
      logger: this.session.logger,
      platform: async () => ({
        hooks: await this.session.registry.hookModules(),
        ctx: await this.session.providerContext(),
      }),
    })
    const { exitCode, ...result } = report
    return {
      result,
      human: this.render(report, Boolean(flags.verbose)),
      exitCode,
      status: report.errors ? 'failed' : 'ok',
    }
  }

  private render(report: ValidationReport, verbose: boolean): string {
    const p = this.paint
    const lines = [
      `Validating secret references in ${basename(report.manifest)}${report.offline ? ' (offline)' : ''}...`,
    ]
    for (const c of report.checks) {
      const mark = !c.ok ? p.bad('✗') : c.severity === 'warning' ? p.warn('!') : p.ok('✓')
      const where = c.location ? p.dim(` (${c.location.line}:${c.location.column})`) : ''
      lines.push(`${mark} ${c.subject}: ${c.message}${c.subject === 'manifest' ? '' : where}`)
      if (verbose) for (const detail of c.details ?? []) lines.push(p.dim(`    ${detail}`))
    }
    lines.push('')
    if (report.errors === 0) {
      const w = report.warnings
      lines.push(p.ok(`No errors found${w ? ` (${w} warning${w === 1 ? '' : 's'})` : ''}.`))
      return lines.join('\n')
    }
    const fixes = [
      ...new Set(report.checks.filter((c) => !c.ok && c.fix).map((c) => c.fix as string)),
    ]
    const fixText =
      fixes.length === 1
        ? ` Run '${fixes[0]}' to fix.`
        : fixes.length > 1
          ? ` To fix, run:\n${fixes.map((f) => `  ${f}`).join('\n')}`
          : ''
    lines.push(`${report.errors} error${report.errors === 1 ? '' : 's'} found.${fixText}`)
    return lines.join('\n')
  }
}
