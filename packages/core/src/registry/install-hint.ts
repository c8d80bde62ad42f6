import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { findPackageRoot, isWithinDir } from './discover.js'
import { shortNameFor } from './first-party.js'

/** Who installs packages for this user: a project's package manager, or the CLI itself. */
export type Installer = 'npm' | 'pnpm' | 'yarn' | 'bun' | 'floe'

export interface InstallerContext {
  /** where floe runs (the project, if any, is the nearest package.json at or above it) */
  cwd: string
  /** the CLI's own directory; a CLI outside the project is a global or npx install */
  cliDir?: string
  env?: NodeJS.ProcessEnv
}

const LOCKFILES: ReadonlyArray<readonly [string, Installer]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
]

/** The package manager whose lockfile is nearest at or above `dir` (a workspace keeps it at its root). */
function lockfileInstaller(dir: string): Installer | undefined {
  let current = resolve(dir)
  for (;;) {
    for (const [file, installer] of LOCKFILES) {
      if (existsSync(join(current, file))) return installer
    }
    const parent = dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/**
 * The one install command that works where floe runs: without a project, or with a CLI that is
 * not the project's own (global, npx), `floe providers add` installs into the CLI's data
 * directory; in a project, its lockfile (else `npm_config_user_agent`) names the manager.
 */
export function detectInstaller(context: InstallerContext): Installer {
  const projectRoot = findPackageRoot(context.cwd)
  if (!projectRoot) return 'floe'
  if (context.cliDir && !isWithinDir(resolve(context.cliDir), projectRoot)) return 'floe'
  const fromLockfile = lockfileInstaller(projectRoot)
  if (fromLockfile) return fromLockfile
  const agent = (context.env ?? process.env).npm_config_user_agent ?? ''
  const match = /^(pnpm|yarn|bun|npm)\//.exec(agent)
  return (match?.[1] as Installer | undefined) ?? 'npm'
}

/** The command that installs `pkg` with `installer` (first-party packages by short name for floe). */
export function installCommand(pkg: string, installer: Installer): string {
  switch (installer) {
    case 'floe':
      return `floe providers add ${shortNameFor(pkg) ?? pkg}`
    case 'pnpm':
      return `pnpm add ${pkg}`
    case 'yarn':
      return `yarn add ${pkg}`
    case 'bun':
      return `bun add ${pkg}`
    default:
      return `npm install ${pkg}`
  }
}
