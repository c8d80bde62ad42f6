import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import type { InstalledFloePackage, PackageSource } from '../types.js'
import { providerMetadataFrom } from './package-metadata.js'

/** The `floe` field of a package.json (metadata fields: see package-metadata.ts). */
export interface FloePackageField {
  provider?: string
  emitter?: string
  hook?: string
  entry: string
  displayName?: string
  locator?: unknown
  scopeKey?: unknown
}

interface PackageJson {
  name?: string
  version?: string
  main?: string
  exports?: unknown
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  floe?: FloePackageField
}

const packageJsonCache = new Map<string, PackageJson | null>()

/** Reads and caches a package.json; null when absent or unreadable. */
function readPackageJson(path: string): PackageJson | null {
  if (packageJsonCache.has(path)) return packageJsonCache.get(path) ?? null
  let parsed: PackageJson | null = null
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as PackageJson
  } catch {
    parsed = null
  }
  packageJsonCache.set(path, parsed)
  return parsed
}

/** Forgets cached package.json reads (after `floe plugins install`, or between tests). */
export function clearDiscoveryCache(): void {
  packageJsonCache.clear()
}

/** The nearest directory at or above `dir` that holds a package.json. */
export function findPackageRoot(dir: string): string | undefined {
  let current = resolve(dir)
  for (;;) {
    if (readPackageJson(join(current, 'package.json'))) return current
    const parent = dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/** Node's lookup: <dir>/node_modules/<name>, walking upwards; symlinks followed. */
export function resolvePackageDir(name: string, fromDir: string): string | undefined {
  let current = resolve(fromDir)
  for (;;) {
    const candidate = join(current, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) {
      try {
        // one realpath(3) call instead of an lstat per path component (pnpm's nested links)
        return realpathSync.native(candidate)
      } catch {
        return candidate
      }
    }
    const parent = dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

const THIRD_PARTY_PROVIDER = /^(?:@[^/]+\/)?floe-provider-(.+)$/

/** The module a package exposes as "." when it has no `floe.entry` (third-party convention). */
function defaultEntry(pkg: PackageJson): string {
  let target: unknown = pkg.exports
  if (target && typeof target === 'object' && !Array.isArray(target) && '.' in target) {
    target = (target as Record<string, unknown>)['.']
  }
  for (let depth = 0; target && typeof target === 'object' && depth < 4; depth += 1) {
    const conditions = target as Record<string, unknown>
    target = conditions.import ?? conditions.node ?? conditions.default
  }
  if (typeof target === 'string') return target
  return pkg.main ?? './index.js'
}

function dependencyNames(pkg: PackageJson): string[] {
  return [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.devDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]
}

function describePackage(dir: string, source: PackageSource): InstalledFloePackage[] {
  const pkg = readPackageJson(join(dir, 'package.json'))
  if (!pkg?.name) return []
  const base = {
    source,
    packageName: pkg.name,
    version: pkg.version ?? '0.0.0',
    dir,
    metadata: providerMetadataFrom(pkg.floe),
  }
  const found: InstalledFloePackage[] = []
  const field = pkg.floe
  if (field && typeof field === 'object' && typeof field.entry === 'string') {
    const entry = resolve(dir, field.entry)
    if (field.provider) found.push({ ...base, kind: 'provider', name: field.provider, entry })
    if (field.emitter) found.push({ ...base, kind: 'emitter', name: field.emitter, entry })
    if (field.hook) found.push({ ...base, kind: 'hook', name: field.hook, entry })
    return found
  }
  const match = THIRD_PARTY_PROVIDER.exec(pkg.name)
  if (match?.[1]) {
    found.push({
      ...base,
      kind: 'provider',
      name: match[1].replace(/-/g, '_'),
      entry: resolve(dir, defaultEntry(pkg)),
    })
  }
  return found
}

export interface DiscoverOptions {
  /** the project directory; its nearest package.json's dependencies are searched */
  projectDir: string
  /** the CLI's data directory: what `floe providers add` installed (its own package.json) */
  dataDir?: string
  /** the CLI's own directory; its package.json's dependencies are searched too */
  cliDir?: string
}

/** floe packages by name: first-party, and the third-party conventions. */
const FLOE_PACKAGE_NAME = /^(?:@floe\/.+|(?:@[^/]+\/)?floe-(?:provider|emit|hook)-.+)$/

/**
 * The floe packages installed next to a CLI that is not a project's own: `npm i -g @floe/cli
 * @floe/provider-vault` and `npx -p @floe/cli -p @floe/provider-vault` put them side by side in
 * one node_modules that no package.json of the user lists.
 */
function packagesBesideCli(cliDir: string): string[] {
  const real = resolve(cliDir)
  const parent = dirname(real)
  const nodeModules = basename(parent).startsWith('@') ? dirname(parent) : parent
  if (basename(nodeModules) !== 'node_modules') return []
  const names: string[] = []
  let entries: string[]
  try {
    entries = readdirSync(nodeModules)
  } catch {
    return []
  }
  for (const entry of entries) {
    if (entry.startsWith('@')) {
      let scoped: string[] = []
      try {
        scoped = readdirSync(join(nodeModules, entry))
      } catch {
        continue
      }
      for (const name of scoped) names.push(`${entry}/${name}`)
    } else names.push(entry)
  }
  return names.filter((name) => FLOE_PACKAGE_NAME.test(name)).map((n) => join(nodeModules, n))
}

interface SearchRoot {
  source: PackageSource
  /** package directories to describe, in order */
  dirs: () => string[]
}

function dependencyDirs(root: string | undefined, only?: RegExp): string[] {
  if (!root) return []
  const pkg = readPackageJson(join(root, 'package.json'))
  if (!pkg) return []
  const names = dependencyNames(pkg)
  return (only ? names.filter((name) => only.test(name)) : names).flatMap((name) => {
    const dir = resolvePackageDir(name, root)
    return dir ? [dir] : []
  })
}

/** Whether `child` is `parent` or inside it (both absolute). */
export function isWithinDir(child: string, parent: string | undefined): boolean {
  if (!parent) return false
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Finds installed floe packages without importing any of them (a package is imported
 * only when used, see provider-registry.ts), in this order, the first to provide a name winning:
 * the project's dependencies (nearest package.json), the CLI's data directory (`floe providers
 * add`), floe packages installed beside a global/npx CLI, and the CLI's own dependencies named
 * like floe packages (the built-in env and file providers). A package counts when its package.json declares a `floe`
 * field, or by the third-party `floe-provider-*` / `@scope/floe-provider-*` naming convention.
 */
export function discoverFloePackages(options: DiscoverOptions): InstalledFloePackage[] {
  const projectRoot = findPackageRoot(options.projectDir)
  const cliRoot = options.cliDir ? findPackageRoot(options.cliDir) : undefined
  const roots: SearchRoot[] = [{ source: 'project', dirs: () => dependencyDirs(projectRoot) }]
  const dataDir = options.dataDir
  if (dataDir && existsSync(join(dataDir, 'package.json'))) {
    roots.push({ source: 'data-dir', dirs: () => dependencyDirs(dataDir) })
  }
  if (cliRoot && !isWithinDir(cliRoot, projectRoot)) {
    roots.push({ source: 'beside-cli', dirs: () => packagesBesideCli(cliRoot) })
  }
  // the CLI's own dependencies that can be floe packages by name: its built-in providers
  // (reading oclif's and every other dependency's package.json costs the start ≈ 3 ms)
  if (cliRoot)
    roots.push({ source: 'built-in', dirs: () => dependencyDirs(cliRoot, FLOE_PACKAGE_NAME) })
  const found: InstalledFloePackage[] = []
  const seen = new Set<string>()
  const seenDirs = new Set<string>()
  for (const root of roots) {
    for (const dir of root.dirs()) {
      if (seenDirs.has(dir)) continue
      seenDirs.add(dir)
      for (const installed of describePackage(dir, root.source)) {
        const key = `${installed.kind}:${installed.name}`
        if (seen.has(key)) continue
        seen.add(key)
        found.push(installed)
      }
    }
  }
  return found
}
