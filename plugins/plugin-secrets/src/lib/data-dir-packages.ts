import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  clearDiscoveryCache,
  discoverFloePackages,
  FloeError,
  firstPartyEmitters,
  firstPartyProviders,
  packageForShortName,
  UsageError,
  type InstalledFloePackage,
} from '@floe/core'

// node:child_process (and the net, dgram… it loads) at first use: `floe secrets validate`
// shares this bundle and starts no process (issue 17)
const childProcesses = () => process.getBuiltinModule('node:child_process')

/**
 * Packages `floe providers add` installs into the CLI's data directory (oclif `config.dataDir`,
 * env FLOE_DATA_DIR): a private npm project of its own, so a global or npx CLI gains providers
 * without a package.json of the user's. Discovery reads it after the project (discover.ts).
 */

/** What to install for a name given on the command line. */
export interface PackageRequest {
  /** the name as typed */
  name: string
  /** the npm package */
  package: string
  /** what npm installs: first-party packages pinned to the CLI's range */
  spec: string
}

const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/

/** Splits `name@range` (also `@scope/name@range`) into the package name and its range. */
function splitSpec(input: string): { name: string; range?: string } {
  const at = input.indexOf('@', 1)
  return at === -1 ? { name: input } : { name: input.slice(0, at), range: input.slice(at + 1) }
}

function knownShortNames(): string {
  return [...Object.keys(firstPartyProviders), ...Object.keys(firstPartyEmitters)]
    .filter((n) => n !== 'env' && n !== 'file')
    .join(', ')
}

/**
 * `vault` → @floe/provider-vault@^<cli version> (first-party packages are released together
 * with the CLI, so its range is the one that fits); a third-party package name is taken as is.
 */
export function packageRequestFor(input: string, cliVersion: string): PackageRequest {
  if (/^(?:\.{1,2}[\\/]|[\\/]|file:)/.test(input)) return localFolderRequest(input)
  const short = packageForShortName(input)
  const { name, range } = splitSpec(short ?? input)
  const firstParty = name.startsWith('@floe/')
  if (!short && !firstParty && !name.includes('/') && !/^floe-/.test(name)) {
    throw new UsageError(`"${input}" is neither a floe provider nor a package name`, {
      hint: `first-party short names: ${knownShortNames()}; a third-party package by its npm name (e.g. floe-provider-onepassword)`,
    })
  }
  if (!PACKAGE_NAME.test(name)) throw new UsageError(`"${input}" is not a valid npm package name`)
  const pinned = range ?? (firstParty ? `^${cliVersion}` : undefined)
  return { name: input, package: name, spec: pinned ? `${name}@${pinned}` : name }
}

/** A provider in a local folder (a provider's author, a vendored package): installed as a link. */
function localFolderRequest(input: string): PackageRequest {
  const dir = resolve(input.replace(/^file:/, ''))
  let name: string | undefined
  try {
    name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name
  } catch {
    throw new UsageError(`no package.json in ${dir}`, {
      hint: 'pass a package folder, a first-party short name (vault) or an npm package name',
    })
  }
  if (!name) throw new UsageError(`${join(dir, 'package.json')} has no "name"`)
  return { name: input, package: name, spec: `file:${dir}` }
}

/** The data directory's own package.json, created (private, empty) on first use. */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true })
  const manifest = join(dataDir, 'package.json')
  if (existsSync(manifest)) return
  const pkg = {
    name: 'floe-data-dir',
    private: true,
    description: 'Providers and emitters installed by `floe providers add` (managed by floe)',
    dependencies: {},
  }
  writeFileSync(manifest, JSON.stringify(pkg, null, 2) + '\n')
}

/** The package names the data directory's package.json lists. */
export function dataDirDependencies(dataDir: string): Record<string, string> {
  try {
    const pkg = JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
    }
    return pkg.dependencies ?? {}
  } catch {
    return {}
  }
}

/** The floe packages installed in the data directory (nothing imported). */
export function dataDirPackages(dataDir: string): InstalledFloePackage[] {
  clearDiscoveryCache()
  if (!existsSync(join(dataDir, 'package.json'))) return []
  // projectDir = dataDir: its package.json is the only one read ("project" source there)
  return discoverFloePackages({ projectDir: dataDir }).map((p) => ({
    ...p,
    source: 'data-dir' as const,
  }))
}

/**
 * Runs npm with `--prefix <dataDir>`. npm honours the user's configuration (npm_config_registry,
 * .npmrc), so a private or local registry works as it does for `npm install`.
 */
export async function runNpm(
  args: string[],
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const npm = env.FLOE_NPM || 'npm'
  const full = [...args, '--prefix', dataDir, '--no-audit', '--no-fund', '--loglevel=error']
  const output: Buffer[] = []
  const code = await new Promise<number>((resolve, reject) => {
    const child = childProcesses().spawn(npm, full, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    })
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
    child.on('error', reject)
    child.on('close', (exit) => resolve(exit ?? 1))
  }).catch((error: NodeJS.ErrnoException) => {
    throw new FloeError('UNAVAILABLE', `could not run ${npm}: ${error.message}`, {
      hint: 'floe providers add needs npm on PATH (it comes with Node.js), or FLOE_NPM set to it',
    })
  })
  if (code !== 0) {
    const tail = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-8).join('\n')
    throw new FloeError('UNAVAILABLE', `${npm} ${args[0]} failed (exit ${code}):\n${tail}`, {
      hint: 'check the package name and your npm registry settings (npm config get registry)',
    })
  }
}
