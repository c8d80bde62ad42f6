import { fileURLToPath } from 'node:url'
import { runWithoutOclif, type FastCommand } from '@floe/plugin-secrets/fast-run'
import { fastPathLoadOptions, oclifDataDir } from './built-in-fast-path.js'
import { findProjectRoot } from './project-root.js'

const FAST_COMMANDS = new Map<string, FastCommand>([
  ['secrets:validate', 'validate'],
  ['secrets:exec', 'exec'],
  ['secrets:get', 'get'],
  ['secrets:list', 'list'],
])

/**
 * `floe secrets validate`, `exec`, `get` and `list` without loading oclif, whose code and start-up are most of
 * theirs: only when oclif would run the built-in command anyway (no third-party command plugin,
 * src/built-in-fast-path.ts), oclif would print no debug output, and the command line is one
 * @floe/plugin-secrets' fast-run parses exactly as oclif does. Resolves to the exit code, or to
 * undefined when bin/run.cjs must start oclif (src/main.ts) instead.
 */
export async function fastStart(binUrl: string): Promise<number | undefined> {
  if (process.env.FLOE_DEBUG || process.env.DEBUG || process.env.FLOE_NO_FAST_START)
    return undefined
  const argv = process.argv.slice(2)
  const root = fileURLToPath(new URL('..', binUrl))
  let cwd: string
  try {
    cwd = process.cwd()
  } catch {
    return undefined // a deleted working directory: oclif says so before failing
  }
  if (fastPathLoadOptions(root, argv, findProjectRoot(cwd)) === undefined) return undefined
  const [first, second] = argv
  const id = first?.includes(':') ? first : `${first}:${second}`
  const command = FAST_COMMANDS.get(id)
  if (command === undefined) return undefined
  // as @oclif/core's lib/command.js does on import: a reader that closed stdout early
  // (`floe secrets validate | head -1`) is not an error
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return
    throw error
  })
  const run = runWithoutOclif(command, argv.slice(first?.includes(':') ? 1 : 2), {
    root,
    dataDir: oclifDataDir(),
  })
  return run === undefined ? undefined : await run
}
