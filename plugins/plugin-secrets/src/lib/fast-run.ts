import type { ExitCode } from '@floe/core'
import { CommandRun } from './command-run.js'
import { runExecCommand, type ExecFlags } from './exec-command.js'
import { runGet } from './get-run.js'
import { runList, type ListFlags } from './list-run.js'
import { painter, useColor } from './output.js'
import { FloeSession } from './session.js'
import { runValidate } from './validate-run.js'
import { ownArgv } from './own-argv.js'

/** The CLI installation oclif would report: its root (config.root) and data directory. */
export interface CliDirs {
  root: string
  dataDir: string
}

type Parsed = Record<string, string | boolean | string[]>

interface FlagSpec {
  kind: 'boolean' | 'string' | 'multiple'
  allowNo?: boolean
}

/** The commands apps/floe can start without oclif. */
export type FastCommand = 'validate' | 'exec' | 'get' | 'list'

// The flags of commands/secrets/validate.ts, exec.ts, get.ts and list.ts and their FloeCommand base
// (base-command.ts); apps/floe/test/fast-start.test.ts checks these against the command classes.
const BASE_FLAGS: Record<string, FlagSpec> = {
  manifest: { kind: 'string' },
  json: { kind: 'boolean' },
  verbose: { kind: 'boolean' },
  as: { kind: 'string' },
}
export const FAST_FLAGS: Record<FastCommand, Record<string, FlagSpec>> = {
  validate: { ...BASE_FLAGS, offline: { kind: 'boolean' }, strict: { kind: 'boolean' } },
  exec: {
    ...BASE_FLAGS,
    mask: { kind: 'boolean', allowNo: true },
    only: { kind: 'multiple' },
    watch: { kind: 'boolean' },
    'strict-mask': { kind: 'boolean' },
    'pass-env': { kind: 'multiple' },
    'write-env': { kind: 'string' },
    'reload-signal': { kind: 'string' },
  },
  get: { ...BASE_FLAGS, reveal: { kind: 'boolean' } },
  list: {
    ...BASE_FLAGS,
    remote: { kind: 'boolean' },
    provider: { kind: 'string' },
    namespace: { kind: 'string' },
    prefix: { kind: 'string' },
  },
}

/**
 * Parses the plainest spellings of a validate, exec, get or list command line: `--flag`, `--no-flag`,
 * `--flag value`, `--flag=value`, `-m value`, for exec `-- command…` and for get one reference. Anything else (help,
 * a flag given twice, a value that starts with `-`, an argument oclif would reject or read
 * differently) is undefined, and the caller starts oclif, whose parser then decides. On what it
 * accepts, the result is what oclif's parser gives (test/fast-run.test.ts compares them).
 */
export function parseFastArgv(
  command: FastCommand,
  argv: readonly string[],
): { flags: Parsed; argv: string[] } | undefined {
  const specs = FAST_FLAGS[command]
  const flags: Parsed = {}
  const positional: string[] = []
  let i = 0
  for (; i < argv.length; i += 1) {
    const arg = argv[i] as string
    if (arg === '--') break
    let name: string
    let inline: string | undefined
    if (arg === '-m') name = 'manifest'
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      inline = eq === -1 ? undefined : arg.slice(eq + 1)
    } else if (command === 'get' && positional.length === 0 && arg !== '' && !arg.startsWith('-')) {
      positional.push(arg)
      continue
    } else return undefined
    let spec = specs[name]
    let value: string | boolean = true
    if (spec === undefined && name.startsWith('no-')) {
      spec = specs[name.slice(3)]
      if (!spec?.allowNo) return undefined
      name = name.slice(3)
      value = false
    }
    if (spec === undefined) return undefined
    if (spec.kind === 'boolean') {
      if (inline !== undefined || name in flags) return undefined
      flags[name] = value
      continue
    }
    const given = inline ?? argv[(i += 1)]
    if (given === undefined || given === '' || given.startsWith('-')) return undefined
    if (spec.kind === 'string') {
      if (name in flags) return undefined
      flags[name] = given
    } else {
      // oclif's multiple flags take every following word up to the next flag: keep to one
      const next = argv[i + 1]
      if (next !== undefined && !next.startsWith('-')) return undefined
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), given]
    }
  }
  if (command === 'validate' || command === 'list')
    return i === argv.length ? { flags, argv: [] } : undefined
  if (command === 'get')
    return i === argv.length && positional.length === 1 ? { flags, argv: positional } : undefined
  const rest = argv.slice(i + 1)
  if (i === argv.length || rest.length === 0) return undefined
  if (!('mask' in flags)) flags.mask = true
  // oclif orders a non-strict command's argv by each word's first place on the command line
  // (@oclif/core lib/parser/parse.js): the same order here, repeated words included.
  const original = [...argv]
  return { flags, argv: rest.sort((a, b) => original.indexOf(a) - original.indexOf(b)) }
}

/**
 * Runs `floe secrets validate|exec|get|list` without oclif when parseFastArgv accepts the command line:
 * the same session, output and exit code as through FloeCommand (base-command.ts). Undefined
 * when it does not, for the caller to start oclif.
 */
export function runWithoutOclif(
  command: FastCommand,
  argv: readonly string[],
  cli: CliDirs,
): Promise<ExitCode> | undefined {
  const parsed = parseFastArgv(command, argv)
  if (parsed === undefined) return undefined
  const { flags } = parsed
  const io = new CommandRun()
  const str = (name: string) => flags[name] as string | undefined
  const setUp = async () => {
    io.json = ownArgv(argv).includes('--json')
    io.paint = painter(!io.json && useColor())
    io.session = new FloeSession({
      manifest: str('manifest'),
      cliDir: cli.root,
      dataDir: cli.dataDir,
      verbose: Boolean(flags.verbose),
      principal: str('as') ?? (process.env.FLOE_PRINCIPAL || undefined),
    })
  }
  if (command === 'validate')
    return io.run(setUp, () =>
      runValidate(
        { session: io.session as FloeSession, paint: io.paint, progress: (t) => io.progress(t) },
        {
          offline: Boolean(flags.offline),
          strict: Boolean(flags.strict),
          verbose: Boolean(flags.verbose),
        },
      ),
    )
  if (command === 'list')
    return io.run(setUp, () =>
      runList(io.session as FloeSession, flags as ListFlags, (text) => io.progress(text)),
    )
  if (command === 'get')
    return io.run(setUp, () =>
      runGet(
        { session: io.session as FloeSession, json: io.json, warnings: io.warnings },
        parsed.argv[0] as string,
        Boolean(flags.reveal),
      ),
    )
  const ctx = {
    get session() {
      return io.session as FloeSession
    },
    get json() {
      return io.json
    },
    progress: (text: string) => io.progress(text),
    printWarning: (message: string) => io.printWarning(message),
    safe: (text: string) => io.safe(text),
  }
  return io.run(setUp, () => runExecCommand(ctx, argv, flags as unknown as ExecFlags, parsed.argv))
}
