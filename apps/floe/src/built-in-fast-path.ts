import { readFileSync } from 'node:fs'
import { homedir, platform, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Interfaces } from '@oclif/core'

/**
 * The commands CI steps and `exec` wrappers run all day (issue 17): their start skips the oclif
 * plugin discovery that only third-party command plugins need.
 */
export const FAST_PATH_COMMANDS: ReadonlySet<string> = new Set([
  'secrets:validate',
  'secrets:exec',
  'secrets:get',
  'secrets:list',
])

/**
 * oclif `pluginAdditions.core` globs: command plugins a team lists in its project's
 * package.json `dependencies`. @floe/plugin-secrets is built into the CLI's bundle.
 */
export const PROJECT_PLUGIN_PATTERNS = [
  '@floe/plugin-!(secrets)',
  'floe-plugin-*',
  '@*/floe-plugin-*',
] as const

// The same names minimatch matches for PROJECT_PLUGIN_PATTERNS (test/built-in-fast-path.test.ts
// compares them): minimatch itself is oclif's, bundled, and costs more than these to load.
const PROJECT_PLUGIN_NAMES = [
  /^@floe\/plugin-(?!secrets$)[^/]*$/,
  /^floe-plugin-[^/]*$/,
  /^@[^/]*\/floe-plugin-[^/]*$/,
]

interface PackageJson {
  name: string
  version: string
  dependencies?: Record<string, string>
  oclif?: { additionalHelpFlags?: string[]; plugins?: unknown[] }
}

/** Whether a dependency name is a command plugin oclif would load from the project. */
export function isProjectPluginName(name: string): boolean {
  return PROJECT_PLUGIN_NAMES.some((pattern) => pattern.test(name))
}

/**
 * The id of the fast-path command argv names (`secrets validate …` or `secrets:validate …`),
 * unless argv asks for help: a help flag before `--`, as oclif's own check reads argv.
 */
export function fastPathCommandId(
  argv: readonly string[],
  helpFlags: readonly string[],
): string | undefined {
  const [first, second] = argv
  const id = first?.includes(':') ? first : `${first}:${second}`
  if (!FAST_PATH_COMMANDS.has(id)) return undefined
  for (const arg of argv) {
    if (arg === '--') break
    if (helpFlags.includes(arg)) return undefined
  }
  return id
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
  } catch {
    return undefined
  }
}

/**
 * The CLI's data directory as oclif's Config computes it (FLOE_DATA_DIR, else
 * $XDG_DATA_HOME/floe, else %LOCALAPPDATA%\floe on Windows, else ~/.local/share/floe), where
 * `floe plugins link` and oclif's own installer record user plugins.
 */
export function oclifDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOE_DATA_DIR) return env.FLOE_DATA_DIR
  const windows = platform() === 'win32'
  const home =
    env.HOME ||
    (windows &&
      ((env.HOMEDRIVE && env.HOMEPATH && join(env.HOMEDRIVE, env.HOMEPATH)) || env.USERPROFILE)) ||
    homedir() ||
    tmpdir()
  const base = env.XDG_DATA_HOME || (windows && env.LOCALAPPDATA) || join(home, '.local', 'share')
  return join(base, 'floe')
}

/** Whether the data directory's package.json lists a user-installed or linked oclif plugin. */
function hasUserPlugins(dataDir: string): boolean {
  const plugins = readPackageJson(dataDir)?.oclif?.plugins
  return Array.isArray(plugins) && plugins.length > 0
}

/**
 * oclif load options for a fast-path command when no third-party command plugin is listed in
 * the project or installed/linked for the user: the CLI's own commands only, without loading
 * the help and autocomplete plugins (they add the `help` and `autocomplete` commands only) or
 * matching the project's dependencies. Undefined when argv or the installation needs the full
 * start (help, another command, any third-party plugin). Either way oclif's Config.load and run
 * do the rest, so commands, flags, hooks, output and errors are oclif's.
 */
export function fastPathLoadOptions(
  root: string,
  argv: readonly string[],
  projectRoot: string | undefined,
): Interfaces.LoadOptions | undefined {
  const pjson = readPackageJson(root)
  if (!pjson?.oclif) return undefined
  const helpFlags = ['--help', ...(pjson.oclif.additionalHelpFlags ?? [])]
  if (fastPathCommandId(argv, helpFlags) === undefined) return undefined
  if (projectRoot !== undefined) {
    const project = readPackageJson(projectRoot)
    // unreadable: oclif reports it, as without this path
    if (project === undefined) return undefined
    if (Object.keys(project.dependencies ?? {}).some(isProjectPluginName)) return undefined
  }
  if (hasUserPlugins(oclifDataDir())) return undefined
  const lean = { ...pjson, oclif: { ...pjson.oclif, plugins: [] } } as Interfaces.PJSON
  return { root, pjson: lean }
}
