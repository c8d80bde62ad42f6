/**
 * The human report of `floe secrets rotate`: the step lines gathered while rotating, the
 * versions under --verbose, and the closing line that says exactly what changed and how to
 * finish when a step failed after the value changed.
 */
import { ExitCode, type HookStep, type RotationReport } from '@floe/core'
import type { Painter } from './output.js'

export class RotationText {
  private readonly lines: string[]

  constructor(
    private readonly paint: Painter,
    secret: string,
    dryRun: boolean,
  ) {
    this.lines = [`Rotating secret: ${secret}${dryRun ? ' (dry run)' : ''}`]
  }

  /** one line per step, as it happens */
  step = (step: HookStep): void => {
    this.lines.push(`${step.ok ? this.paint.ok('✓') : this.paint.bad('✗')} ${step.message}`)
  }

  /**
   * The whole text once the rotation returned. `where` names the provider, `rerun` is the
   * command that finishes the remaining steps.
   */
  finish(report: RotationReport, options: { where: string; verbose: boolean; rerun: string }) {
    const lines = [...this.lines]
    if (options.verbose && report.version)
      lines.splice(
        2,
        0,
        this.paint.dim(
          `  version ${report.version}${report.previousVersion ? ` (previous ${report.previousVersion})` : ''}`,
        ),
      )
    if (report.dryRun) lines.push('Dry run: nothing was changed.')
    else if (report.complete) lines.push('Rotation complete.')
    else if (report.valueChanged)
      lines.push(
        `Rotation incomplete: the new value IS stored in ${options.where}${report.version ? ` (version ${report.version})` : ''}; the steps marked ✗ did not finish. Re-run: ${options.rerun}`,
      )
    else lines.push('Rotation incomplete: the value was not changed; the steps marked ✗ failed.')
    return {
      result: report,
      human: lines.join('\n'),
      exitCode: report.complete ? ExitCode.OK : ExitCode.CHECK_FAILED,
      status: report.complete ? ('ok' as const) : ('failed' as const),
    }
  }
}
