/** Which manifest a command uses: `-m PATH`, then FLOE_MANIFEST, then the usual names upwards. */
import { existsSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
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
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of MANIFEST_FILE_NAMES) {
      const candidate = join(dir, name)
      tried.push(candidate)
      if (isFile(candidate)) return candidate
    }
    // A repository root ends the search: a manifest above it belongs to something else.
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break
  }
  throw new ConfigError(
    `no manifest found; tried:\n${tried.map((p) => `  ${p}`).join('\n')}\nCreate floe.yaml, or pass -m PATH or set FLOE_MANIFEST.`,
    { hint: 'pass -m PATH or set FLOE_MANIFEST', details: { tried } },
  )
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
