/** Installed floe packages and the provider catalog the loader and the resolver read. Types only. */
import type { ProviderMetadata } from '../registry/package-metadata.js'
import type { ProviderModule } from './provider.js'

/**
 * Where discovery found a package: the project's dependencies, the CLI's data directory
 * (`floe providers add`), beside a global/npx CLI, or the CLI's own dependencies.
 */
export type PackageSource = 'project' | 'data-dir' | 'beside-cli' | 'built-in'

/** An installed floe package found through package.json `floe` fields. */
export interface InstalledFloePackage {
  /** where discovery found it (absent for packages given in memory) */
  source?: PackageSource
  packageName: string
  version: string
  kind: 'provider' | 'emitter' | 'hook'
  /** provider / emitter / hook name, e.g. 'vault', 'duckdb' */
  name: string
  /** absolute directory of the package */
  dir: string
  /** absolute module path to import */
  entry: string
  /** what the package.json `floe` field says about a provider (display name, locator, …) */
  metadata?: ProviderMetadata
}

/**
 * What the manifest loader and the resolver need from the registry: which providers exist
 * and their modules, imported only on demand.
 */
export interface ProviderCatalog {
  /** names of installed providers (no import happens) */
  names(): string[]
  has(name: string): boolean
  /** imports the provider package; undefined when not installed */
  load(name: string): Promise<ProviderModule | undefined>
  /** the package a user should install for a provider name (for "install X" hints) */
  packageFor(name: string): string
  /** the one command that installs a missing provider/emitter where floe runs */
  installHint?(kind: 'provider' | 'emitter', name: string): string
  /** what an installed provider says about itself (no import); undefined when not installed */
  metadataOf?(name: string): ProviderMetadata | undefined
}
