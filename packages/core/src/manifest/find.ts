/** Which manifest a command uses: `-m PATH`, then FLOE_MANIFEST, then the usual names upwards. */
import { existsSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { ConfigError } from '../errors.js'

export const MANIFEST_FILE_NAMES = [
  'floe.yaml',
  'floe.yml',
  'manifest.yaml',
  'manifest.yml',
] as const

export interface FindManifestOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** the `-m/--manifest` flag */
  explicit?: string
}

export function findManifestPath(options: FindManifestOptions = {}): string {
  const cwd = resolve(options.cwd ?? process.cwd())
  const env = options.env ?? process.env
  if (options.explicit) return mustExist(resolve(cwd, options.explicit), '-m/--manifest')
  if (env.FLOE_MANIFEST) return mustExist(resolve(cwd, env.FLOE_MANIFEST), 'FLOE_MANIFEST')

  const tried: string[] = []
  const ceilings = ceilingDirectories(env)
  const home = env.HOME ? resolve(env.HOME) : safeHomedir()
  for (let dir = cwd; ; dir = dirname(dir)) {
    // Like GIT_CEILING_DIRECTORIES: a ceiling itself is never searched, nor anything above it.
    if (ceilings.has(dir) && dir !== cwd) break
    const found: string[] = []
    for (const name of MANIFEST_FILE_NAMES) {
      const candidate = join(dir, name)
      tried.push(candidate)
      if (isFile(candidate)) found.push(candidate)
    }
    // Picking one silently would leave the other looking live while nothing reads it.
    if (found.length > 1) {
      throw new ConfigError(
        `${found.length} manifests in ${dir}: ${found.join(', ')}; floe will not guess which one applies.\nPass -m/--manifest PATH (or set FLOE_MANIFEST), or remove or rename the others.`,
        { hint: 'pass -m/--manifest PATH', details: { found } },
      )
    }
    if (found[0]) return found[0]
    // A repository root ends the search: a manifest above it belongs to something else. So
    // does the home directory: a manifest in / or /home would apply to every user's project.
    if (existsSync(join(dir, '.git')) || dir === home || dirname(dir) === dir) break
  }
  throw new ConfigError(
    `no manifest found; tried:\n${tried.map((p) => `  ${p}`).join('\n')}\nCreate floe.yaml, or pass -m PATH or set FLOE_MANIFEST.`,
    { hint: 'pass -m PATH or set FLOE_MANIFEST', details: { tried } },
  )
}

/** FLOE_CEILING_DIRECTORIES: absolute directories, separated like PATH, the search stops at. */
function ceilingDirectories(env: NodeJS.ProcessEnv): Set<string> {
  const raw = env.FLOE_CEILING_DIRECTORIES ?? ''
  return new Set(
    raw
      .split(delimiter)
      .filter((entry) => entry.startsWith('/') || /^[A-Za-z]:[\\/]/.test(entry))
      .map((entry) => resolve(entry)),
  )
}

function safeHomedir(): string | undefined {
  try {
    return resolve(homedir())
  } catch {
    return undefined
  }
}

function mustExist(path: string, via: string): string {
  if (!isFile(path))
    throw new ConfigError(`manifest not found: ${path} (from ${via})`, {
      details: { tried: [path] },
    })
  return path
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
