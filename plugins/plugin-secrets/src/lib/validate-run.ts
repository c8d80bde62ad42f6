import { basename } from 'node:path'
import { validateManifest, type ValidationReport } from '@floe/core'
import type { Outcome } from './command-run.js'
import type { Painter } from './output.js'
import type { Progress } from './progress.js'
import type { FloeSession } from './session.js'

export interface ValidateContext {
  session: FloeSession
  paint: Painter
  progress: (text: string) => Progress
}

export interface ValidateOptions {
  offline: boolean
  strict: boolean
  verbose: boolean
}

/**
 * `floe secrets validate` without oclif: commands/secrets/validate.ts runs it, and so does
 * apps/floe's start-up for the common case (apps/floe/src/hot-path.ts).
 */
export async function runValidate(
  { session, paint, progress }: ValidateContext,
  options: ValidateOptions,
): Promise<Outcome<Omit<ValidationReport, 'exitCode'>>> {
  const report = await validateManifest({
    path: session.manifestPath(),
    load: () => session.manifest(),
    offline: options.offline,
    strict: options.strict,
    describe: async (names) => {
      const spinner = progress(`Checking ${names.length} secrets at their providers…`)
      try {
        return await (await session.resolver()).describe(names)
      } finally {
        spinner.stop()
      }
    },
    describeFallbacks: async (names) =>
      (await session.resolver()).describe(names, { fallback: true }),
    emitter: (name) => session.registry.emitter(name),
    logger: session.logger,
    platform: async () => ({
      hooks: await session.registry.hookModules(),
      ctx: await session.providerContext(),
    }),
  })
  const { exitCode, ...result } = report
  return {
    result,
    human: render(report, paint, options.verbose),
    exitCode,
    status: report.errors ? 'failed' : 'ok',
  }
}

function render(report: ValidationReport, p: Painter, verbose: boolean): string {
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
