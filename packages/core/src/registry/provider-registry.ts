import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { FloeError, NotInstalledError } from '../errors.js'
import type {
  EmitterModule,
  InstalledFloePackage,
  ProviderCatalog,
  ProviderModule,
  RotationHookModule,
} from '../types.js'
import { discoverFloePackages } from './discover.js'
import { emitterPackageFor, providerPackageFor } from './first-party.js'
import { detectInstaller, installCommand, type Installer } from './install-hint.js'
import { requireFromCore } from '../require-from-core.js'
import type { ProviderMetadata } from './package-metadata.js'

export interface ProviderRegistryOptions {
  /** discover packages from this project (nearest package.json) */
  projectDir?: string
  /** then from the CLI's data directory (`floe providers add`) */
  dataDir?: string
  /** and from the CLI's own dependencies */
  cliDir?: string
  /** for install hints (npm_config_user_agent); default process.env */
  env?: NodeJS.ProcessEnv
  /** modules given in memory (tests, embedding); they win over discovered packages */
  modules?: ProviderModule[]
  emitters?: EmitterModule[]
  hooks?: RotationHookModule[]
  /** already-discovered packages (skips discovery) */
  packages?: InstalledFloePackage[]
  /** options passed to `create()` of each provider, by provider name */
  providerOptions?: Record<string, Record<string, unknown>>
}

export interface ProviderRegistry extends ProviderCatalog {
  /** every discovered package (no import) */
  installed(): InstalledFloePackage[]
  /** the installed package declaring a provider/emitter/hook name */
  packageOf(kind: InstalledFloePackage['kind'], name: string): InstalledFloePackage | undefined
  metadataOf(name: string): ProviderMetadata | undefined
  /** how messages name a provider's backend: its declared display name, else its name */
  displayName(name: string): string
  /** the `providerOptions` given for a provider ({} when none) */
  optionsFor(name: string): Record<string, unknown>
  emitterNames(): string[]
  emitter(name: string): Promise<EmitterModule | undefined>
  emitterPackageFor(name: string): string
  /** the one command that installs a missing provider/emitter where floe runs */
  installHint(kind: 'provider' | 'emitter', name: string): string
  /** all installed rotation hooks (imported on call) */
  hookModules(): Promise<RotationHookModule[]>
}

/** Whether this copy of core runs from TypeScript sources (vitest, tsx) rather than dist/. */
const runningFromSources = import.meta.url.endsWith('.ts')

/**
 * The file to import for a package. From sources, a workspace package's `@floe/source` export
 * is used so tests run TypeScript without a build; otherwise the declared `entry`.
 */
function importTarget(pkg: InstalledFloePackage): string {
  if (runningFromSources) {
    try {
      const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as {
        exports?: Record<string, unknown>
      }
      const root = manifest.exports?.['.']
      const source =
        root && typeof root === 'object'
          ? (root as Record<string, unknown>)['@floe/source']
          : undefined
      if (typeof source === 'string' && existsSync(resolve(pkg.dir, source))) {
        return pathToFileURL(resolve(pkg.dir, source)).href
      }
    } catch {
      // fall through to the declared entry
    }
  }
  return pathToFileURL(pkg.entry).href
}

/**
 * A package's entry is loaded with require() where Node can: synchronously, so a start that has
 * not used the asynchronous ES module loader (the CLI's `floe secrets validate|exec|get|list`)
 * does not start it for a provider. floe's own packages declare their CommonJS bundle as
 * `floe.entry` (scripts/bundle-package.mjs), whose exports are marked `__esModule` as esbuild
 * and tsc mark an ES module compiled to CommonJS; an ES module entry is require()d too where
 * Node can (require(esm): Node >= 20.19 and >= 22.12). import() remains for TypeScript sources
 * (a test runner's loader), a module with top-level await, a plain CommonJS package (whose
 * import() shape differs: `default`) and older Node versions.
 */
const requireModule =
  (process as { features?: { require_module?: boolean } }).features?.require_module === true

async function loadModule(target: string): Promise<Record<string, unknown>> {
  if (!runningFromSources && (requireModule || target.endsWith('.cjs'))) {
    let loaded: unknown
    try {
      loaded = requireFromCore(fileURLToPath(target))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error
    }
    // an ES module's namespace, as import() gives it, or an ES module compiled to CommonJS (a
    // plain CommonJS module's exports are neither)
    const shape = loaded as { [Symbol.toStringTag]?: unknown; __esModule?: unknown } | undefined
    if (shape?.[Symbol.toStringTag] === 'Module' || shape?.__esModule === true)
      return loaded as Record<string, unknown>
  }
  return (await import(target)) as Record<string, unknown>
}

async function importPackage(
  pkg: InstalledFloePackage,
  reinstall: string,
): Promise<Record<string, unknown>> {
  try {
    return await loadModule(importTarget(pkg))
  } catch (error) {
    throw new NotInstalledError(
      `could not load ${pkg.kind} "${pkg.name}" from ${pkg.packageName}: ${(error as Error).message}`,
      { cause: error, hint: reinstall },
    )
  }
}

function pick<T>(
  mod: Record<string, unknown>,
  exportName: string,
  check: (v: unknown) => boolean,
): T | undefined {
  const named = mod[exportName]
  if (check(named)) return named as T
  const fallback = mod.default
  if (check(fallback)) return fallback as T
  return undefined
}

const isProviderModule = (v: unknown) =>
  !!v && typeof v === 'object' && typeof (v as ProviderModule).create === 'function'
const isEmitterModule = (v: unknown) =>
  !!v && typeof v === 'object' && typeof (v as EmitterModule).emit === 'function'
const isHookModule = (v: unknown) =>
  !!v && typeof v === 'object' && typeof (v as RotationHookModule).afterRotate === 'function'

/**
 * The catalog of providers, emitters and hooks: discovery happens once, at creation, by
 * reading package.json files; a package is imported only when first used.
 */
export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const packages =
    options.packages ??
    (options.projectDir
      ? discoverFloePackages({
          projectDir: options.projectDir,
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          ...(options.cliDir ? { cliDir: options.cliDir } : {}),
        })
      : [])
  let installer: Installer | undefined
  const installWith = (pkg: string): string => {
    installer ??= options.projectDir
      ? detectInstaller({
          cwd: options.projectDir,
          ...(options.cliDir ? { cliDir: options.cliDir } : {}),
          env: options.env ?? process.env,
        })
      : 'npm'
    return installCommand(pkg, installer)
  }
  // A package found in the data dir is reinstalled there, wherever floe runs.
  const reinstallOf = (pkg: InstalledFloePackage) =>
    pkg.source === 'data-dir'
      ? installCommand(pkg.packageName, 'floe')
      : installWith(pkg.packageName)
  const memoryModules = new Map((options.modules ?? []).map((m) => [m.name, m]))
  const memoryEmitters = new Map((options.emitters ?? []).map((m) => [m.name, m]))
  const loadedProviders = new Map<string, Promise<ProviderModule | undefined>>()
  const loadedEmitters = new Map<string, Promise<EmitterModule | undefined>>()

  const packageOf = (kind: InstalledFloePackage['kind'], name: string) =>
    packages.find((p) => p.kind === kind && p.name === name)

  const registry: ProviderRegistry = {
    names() {
      const names = new Set([...memoryModules.keys()])
      for (const p of packages) if (p.kind === 'provider') names.add(p.name)
      return [...names].sort()
    },
    has(name) {
      return memoryModules.has(name) || packageOf('provider', name) !== undefined
    },
    load(name) {
      const memory = memoryModules.get(name)
      if (memory) return Promise.resolve(memory)
      let pending = loadedProviders.get(name)
      if (!pending) {
        const pkg = packageOf('provider', name)
        pending = pkg
          ? importPackage(pkg, reinstallOf(pkg)).then((mod) => {
              const found = pick<ProviderModule>(mod, 'provider', isProviderModule)
              if (!found) {
                throw new FloeError(
                  'NOT_INSTALLED',
                  `${pkg.packageName} declares provider "${name}" but exports no \`provider\` module`,
                )
              }
              return found
            })
          : Promise.resolve(undefined)
        // A failed import is not cached, so a later call can retry after a reinstall.
        pending.catch(() => loadedProviders.delete(name))
        loadedProviders.set(name, pending)
      }
      return pending
    },
    packageFor(name) {
      return (
        memoryModules.get(name)?.packageName ??
        packageOf('provider', name)?.packageName ??
        providerPackageFor(name)
      )
    },
    metadataOf(name) {
      const memory = memoryModules.get(name)
      if (memory) return memory.metadata ?? {}
      return packageOf('provider', name)?.metadata
    },
    displayName: (name) => registry.metadataOf(name)?.displayName ?? name,
    installed: () => [...packages],
    optionsFor: (name) => options.providerOptions?.[name] ?? {},
    packageOf,
    emitterNames() {
      const names = new Set([...memoryEmitters.keys()])
      for (const p of packages) if (p.kind === 'emitter') names.add(p.name)
      return [...names].sort()
    },
    emitter(name) {
      const memory = memoryEmitters.get(name)
      if (memory) return Promise.resolve(memory)
      let pending = loadedEmitters.get(name)
      if (!pending) {
        const pkg = packageOf('emitter', name)
        pending = pkg
          ? importPackage(pkg, reinstallOf(pkg)).then((mod) =>
              pick<EmitterModule>(mod, 'emitter', isEmitterModule),
            )
          : Promise.resolve(undefined)
        pending.catch(() => loadedEmitters.delete(name))
        loadedEmitters.set(name, pending)
      }
      return pending
    },
    emitterPackageFor(name) {
      return (
        memoryEmitters.get(name)?.packageName ??
        packageOf('emitter', name)?.packageName ??
        emitterPackageFor(name)
      )
    },
    installHint(kind, name) {
      return installWith(
        kind === 'provider' ? registry.packageFor(name) : registry.emitterPackageFor(name),
      )
    },
    async hookModules() {
      const hooks = [...(options.hooks ?? [])]
      for (const pkg of packages.filter((p) => p.kind === 'hook')) {
        const found = pick<RotationHookModule>(
          await importPackage(pkg, reinstallOf(pkg)),
          'hook',
          isHookModule,
        )
        if (found) hooks.push(found)
      }
      return hooks
    },
  }
  return registry
}
