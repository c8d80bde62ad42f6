import { formatSecretRef } from '@floe/core'
import type { Outcome } from './command-run.js'
import { refFromArgument } from './references.js'
import type { FloeSession } from './session.js'

export interface GetResult {
  ref: string
  found: boolean
  length?: number
  value?: string
}

export interface GetContext {
  session: FloeSession
  json: boolean
  /** warnings of this run so far (the --reveal --json envelope carries them) */
  warnings: string[]
}

/**
 * `floe secrets get REF [--reveal]` past its parse: commands/secrets/get.ts runs it, and so does
 * apps/floe's start-up without oclif (fast-run.ts).
 */
export async function runGet(
  ctx: GetContext,
  refArgument: string,
  reveal: boolean,
): Promise<Outcome<GetResult>> {
  const manifest = await ctx.session.manifest()
  const ref = refFromArgument(refArgument, manifest)
  const resolver = await ctx.session.resolver()
  const report = await resolver.resolve([ref])
  ctx.warnings.push(...report.warnings)
  const failure = report.failures[0]
  if (failure) throw failure.error
  const value = report.valueOf(ref)
  const id = formatSecretRef(ref)
  if (!value) return { result: { ref: id, found: false }, human: `${id}: not set` }
  if (reveal) {
    // The one sanctioned sink (ARCHITECTURE.md, "Masking"): written raw, outside the redacting output path.
    if (ctx.json) {
      process.stdout.write(
        JSON.stringify(
          {
            status: 'ok',
            result: { ref: id, found: true, length: value.length, value: value.reveal() },
            warnings: ctx.warnings,
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
  ctx.session.redactor.add(value)
  return {
    result: { ref: id, found: true, length: value.length },
    human: `${id}: ${'•'.repeat(8)} (${value.length} characters; use --reveal to print it)`,
  }
}
