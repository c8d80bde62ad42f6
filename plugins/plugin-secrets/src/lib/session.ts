import { guardResolver } from './guard.js'
import {
  createLogger,
  createProviderRegistry,
  createResolver,
  buildAccessModel,
  parsePrincipal,
  NotInstalledError,
  type EmitterModule,
  findManifestPath,
  loadManifest,
  loadManifestFromString,
  openAuditLog,
  parseSecretRef,
  Redactor,
  type AuditLog,
  type LeaseRefreshEvent,
  type LoadedManifest,
  type NotInstalledProvider,
  type OmittedField,
  type Logger,
  type ProviderContext,
  type ProviderRegistry,
  type SecretProvider,
  type Resolver,
  type WatchableResolver,
  type WriteSecretDeps,
} from '@floe/core'

export interface SessionOptions {
  manifest?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** the CLI's root directory (oclif config.root): its dependencies are discovered too */
  cliDir?: string
  /** the CLI's data directory (oclif config.dataDir): what `floe providers add` installed */
  dataDir?: string
  verbose?: boolean
  /** `--as` / FLOE_PRINCIPAL: reads outside this principal's granted scopes are refused */
  principal?: string
}

/**
 * Everything one CLI invocation needs, created lazily: the registry is cheap (package.json
 * reads), the manifest is loaded once, the resolver only when a command reads secrets.
 * One Redactor collects every resolved value so all output can be scrubbed.
 */
export class FloeSession {
  readonly redactor = new Redactor()
  readonly logger: Logger
  readonly registry: ProviderRegistry
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  private manifestPromise?: Promise<LoadedManifest>
  private loaded?: LoadedManifest
  private resolverInstance?: Resolver & WatchableResolver
  private providerSource?: (name: string) => Promise<SecretProvider>
  /** notified of lease renewals / re-issues of the session's resolver (exec --watch) */
  onLeaseRefresh?: (event: LeaseRefreshEvent) => void
  private auditInstance?: AuditLog | null

  constructor(private readonly options: SessionOptions) {
    this.env = options.env ?? process.env
    this.cwd = options.cwd ?? process.cwd()
    this.logger = createLogger({
      level: options.verbose ? 'debug' : 'warn',
      redactor: this.redactor,
      write: (line: string) => process.stderr.write(line + '\n'),
    })
    this.registry = createProviderRegistry({
      // discovery walks up to the nearest package.json itself
      projectDir: this.cwd,
      cliDir: options.cliDir,
      dataDir: options.dataDir,
      env: this.env,
    })
  }

  manifestPath(): string {
    return findManifestPath({ cwd: this.cwd, env: this.env, explicit: this.options.manifest })
  }

  manifest(): Promise<LoadedManifest> {
    // Fail soft: a provider that is not installed fails only its own secrets (notInstalled).
    this.manifestPromise ??= loadManifest(this.manifestPath(), {
      env: this.env,
      catalog: this.registry,
      strictProviders: false,
    })
    this.manifestPromise.then(
      (manifest) => (this.loaded = manifest),
      () => undefined,
    )
    return this.manifestPromise
  }

  /** The secrets whose provider is not installed, once the manifest has loaded. */
  notInstalled(): NotInstalledProvider[] {
    return this.loaded?.notInstalled ?? []
  }

  /** Optional provider fields left out because their variable is not set, once loaded. */
  omittedFields(): OmittedField[] {
    return this.loaded?.omitted ?? []
  }

  /** Loads manifest text the way the CLI would, throwing its configuration errors. */
  async checkManifestText(text: string, file: string): Promise<void> {
    await loadManifestFromString(text, {
      file,
      env: this.env,
      catalog: this.registry,
      strictProviders: false,
    })
  }

  async audit(): Promise<AuditLog | undefined> {
    if (this.auditInstance !== undefined) return this.auditInstance ?? undefined
    const manifest = await this.manifest()
    this.auditInstance =
      (await openAuditLog(manifest.config, manifest.dir, {
        env: this.env,
        warn: (message) => this.logger.warn(message),
        resolveKey: (reference) => this.resolveAuditKey(reference),
      })) ?? null
    return this.auditInstance ?? undefined
  }

  /** `_config.audit.key`: resolved like any reference, by a resolver that does not audit. */
  async resolveAuditKey(reference: string): Promise<string> {
    const manifest = await this.manifest()
    const resolver = createResolver({
      manifest: { ...manifest, config: { ...manifest.config, audit: undefined } },
      catalog: this.registry,
      env: this.env,
      cwd: manifest.dir,
      logger: this.logger,
      redactor: this.redactor,
    })
    try {
      const ref = parseSecretRef(reference)
      const report = await resolver.resolve([ref])
      const failure = report.failures[0]
      if (failure) throw failure.error
      return report.valueOf(ref)!.reveal()
    } finally {
      await resolver.dispose()
    }
  }

  /** The emitter for `name`, or a clear "install @floe/emit-x" error. */
  async emitter(name: string): Promise<EmitterModule> {
    const emitter = await this.registry.emitter(name)
    if (!emitter) {
      const pkg = this.registry.emitterPackageFor(name)
      const known = this.registry.emitterNames()
      throw new NotInstalledError(`no emitter "${name}" is installed`, {
        hint: `install ${pkg}: ${this.registry.installHint('emitter', name)}${known.length ? ` (installed emitters: ${known.join(', ')})` : ''}`,
      })
    }
    return emitter
  }

  async resolver(
    mode: 'invocation' | 'long-running' = 'invocation',
  ): Promise<Resolver & WatchableResolver> {
    if (this.resolverInstance) return this.resolverInstance
    const manifest = await this.manifest()
    const resolver = createResolver({
      manifest,
      catalog: this.registry,
      env: this.env,
      cwd: manifest.dir,
      logger: this.logger,
      audit: await this.audit(),
      redactor: this.redactor,
      mode,
      onLeaseRefresh: (event) => this.onLeaseRefresh?.(event),
    })
    this.providerSource = (name) => resolver.providerFor(name)
    this.resolverInstance = this.options.principal
      ? guardResolver(
          resolver,
          await buildAccessModel(manifest),
          parsePrincipal(this.options.principal).text,
        )
      : resolver
    return this.resolverInstance
  }

  get principal(): string | undefined {
    return this.options.principal ? parsePrincipal(this.options.principal).text : undefined
  }

  /** Relative paths in a manifest are relative to the manifest, not to where floe runs. */
  async providerContext(): Promise<ProviderContext> {
    const manifest = await this.manifest()
    return { env: this.env, cwd: manifest.dir, logger: this.logger }
  }

  /**
   * The provider instance for `name`: the resolver's (its pool is the one owner of provider
   * instances, so a write and a read in one command share a client and its login).
   */
  async provider(name: string): Promise<SecretProvider> {
    await this.resolver()
    return this.providerSource!(name)
  }

  /** What `writeSecret` needs for a secret of `provider`: the session's audit, `--as`, redactor. */
  async writeDeps(provider: string): Promise<WriteSecretDeps> {
    return {
      manifest: await this.manifest(),
      provider: (name) => this.provider(name),
      ctx: await this.providerContext(),
      audit: await this.audit(),
      ...(this.principal ? { principal: this.principal } : {}),
      resolver: { resolve: async (refs) => (await this.resolver()).resolve(refs) },
      redactor: this.redactor,
      label: this.registry.displayName(provider),
    }
  }

  async close(): Promise<void> {
    await this.resolverInstance?.dispose()
  }
}
