import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import {
  clearDiscoveryCache,
  createProviderRegistry,
  createResolver,
  discoverFloePackages,
  firstPartyProviders,
  parseSecretRef,
  SecretValue,
} from '@floe/core'
import { testManifest } from '@floe/core/testing'

const loads = () =>
  (globalThis as { __floeFixtureLoads?: Record<string, number> }).__floeFixtureLoads ?? {}

let root: string

function write(path: string, content: unknown): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(
    join(root, path),
    typeof content === 'string' ? content : JSON.stringify(content, null, 2),
  )
}

/** An ESM entry exporting a provider whose values are "<tag>:<secret>"; counts its own loads. */
function providerEntry(tag: string, roles: string[] = ['provider']): string {
  return `
const counter = (globalThis.__floeFixtureLoads ??= {})
counter[${JSON.stringify(tag)}] = (counter[${JSON.stringify(tag)}] ?? 0) + 1
// a real package would import SecretValue from @floe/core; the test hands over the same class
const SecretValue = globalThis.__floeSecretValue
export const provider = {
  name: ${JSON.stringify(tag)},
  packageName: ${JSON.stringify(tag)},
  configSchema: undefined,
  create(options = {}) {
    counter[${JSON.stringify(tag + ':create')}] = (counter[${JSON.stringify(tag + ':create')}] ?? 0) + 1
    return {
      name: ${JSON.stringify(tag)},
      options,
      async fetchOne(r) {
        return { value: new SecretValue(${JSON.stringify(tag)} + ':' + r.secret) }
      },
    }
  },
}
${roles.includes('emitter') ? `export const emitter = { name: 'fixture-emit', packageName: ${JSON.stringify(tag)}, async emit() { return { files: [], warnings: ['from ${tag}'] } } }` : ''}
${roles.includes('hook') ? `export const hook = { name: 'fixture-hook', packageName: ${JSON.stringify(tag)}, async *afterRotate() { yield { ok: true, message: 'hooked' } } }` : ''}
`
}

beforeAll(() => {
  ;(globalThis as { __floeSecretValue?: unknown }).__floeSecretValue = SecretValue
  root = mkdtempSync(join(tmpdir(), 'floe-registry-'))
  // The project: a nested working directory, dependencies and devDependencies.
  write('project/package.json', {
    name: 'my-data-platform',
    dependencies: {
      '@acme/floe-kit': '1.0.0',
      'floe-provider-alpha-one': '1.0.0',
      'left-pad': '1.0.0',
    },
    devDependencies: { 'linked-provider': '1.0.0', '@corp/floe-provider-beta': '2.0.0' },
  })
  mkdirSync(join(root, 'project/sub/dir'), { recursive: true })
  write('project/node_modules/@acme/floe-kit/package.json', {
    name: '@acme/floe-kit',
    version: '1.2.3',
    type: 'module',
    floe: {
      provider: 'acme',
      emitter: 'fixture-emit',
      hook: 'fixture-hook',
      entry: './lib/main.js',
    },
  })
  write(
    'project/node_modules/@acme/floe-kit/lib/main.js',
    providerEntry('acme', ['emitter', 'hook']),
  )
  // A third-party provider following the naming convention, without a floe field.
  write('project/node_modules/floe-provider-alpha-one/package.json', {
    name: 'floe-provider-alpha-one',
    version: '0.1.0',
    type: 'module',
    exports: { '.': { import: './index.js' } },
  })
  write('project/node_modules/floe-provider-alpha-one/index.js', providerEntry('alpha_one'))
  write('project/node_modules/left-pad/package.json', { name: 'left-pad', version: '1.0.0' })
  // A scoped third-party provider installed one level up (hoisted).
  write('node_modules/@corp/floe-provider-beta/package.json', {
    name: '@corp/floe-provider-beta',
    version: '2.0.0',
    type: 'module',
    main: './main.js',
  })
  write('node_modules/@corp/floe-provider-beta/main.js', providerEntry('beta'))
  // A symlinked (workspace-style) package.
  write('workspace/linked/package.json', {
    name: 'linked-provider',
    version: '0.0.1',
    type: 'module',
    exports: { '.': { '@floe/source': './src/index.ts', default: './entry.js' } },
    floe: {
      provider: 'linked',
      entry: './entry.js',
      displayName: 'Linked Store',
      locator: { anyOf: ['key'], example: 'key: app/db' },
      scopeKey: { field: 'key', prefix: 'vault', separator: '/' },
    },
  })
  write('workspace/linked/entry.js', providerEntry('linked'))
  // From sources (as under vitest), a workspace package is imported through @floe/source.
  write(
    'workspace/linked/src/index.ts',
    providerEntry('linked').replace(
      'counter[',
      'const fromSource: string = "ts"\ncounter[fromSource + ',
    ),
  )
  symlinkSync(
    join(root, 'workspace/linked'),
    join(root, 'project/node_modules/linked-provider'),
    'dir',
  )
  // The CLI's own dependencies: one provider only it has, one the project overrides, and one
  // not named like a floe package (the CLI's built-ins are: only those are read).
  write('cli/package.json', {
    name: '@floe/cli',
    dependencies: {
      '@floe/provider-clionly': '1.0.0',
      '@floe/provider-cli-acme': '1.0.0',
      'cli-unnamed': '1.0.0',
    },
  })
  write('cli/node_modules/@floe/provider-clionly/package.json', {
    name: '@floe/provider-clionly',
    version: '3.0.0',
    type: 'module',
    floe: { provider: 'clionly', entry: './index.js' },
  })
  write('cli/node_modules/@floe/provider-clionly/index.js', providerEntry('clionly'))
  write('cli/node_modules/@floe/provider-cli-acme/package.json', {
    name: '@floe/provider-cli-acme',
    version: '3.0.0',
    floe: { provider: 'acme', entry: './index.js' },
  })
  write('cli/node_modules/cli-unnamed/package.json', {
    name: 'cli-unnamed',
    version: '3.0.0',
    floe: { provider: 'unnamed', entry: './index.js' },
  })
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

beforeEach(() => {
  clearDiscoveryCache()
})

describe('discoverFloePackages', () => {
  it('finds floe packages among dependencies of the project and the CLI', () => {
    const found = discoverFloePackages({
      projectDir: join(root, 'project/sub/dir'),
      cliDir: join(root, 'cli'),
    })
    const summary = found.map((p) => `${p.kind}:${p.name}@${p.packageName}`).sort()
    expect(summary).toEqual([
      'emitter:fixture-emit@@acme/floe-kit',
      'hook:fixture-hook@@acme/floe-kit',
      'provider:acme@@acme/floe-kit',
      'provider:alpha_one@floe-provider-alpha-one',
      'provider:beta@@corp/floe-provider-beta',
      'provider:clionly@@floe/provider-clionly',
      'provider:linked@linked-provider',
    ])
    const linked = found.find((p) => p.name === 'linked')!
    expect(linked.dir).toBe(join(root, 'workspace/linked'))
    expect(linked.entry).toBe(join(root, 'workspace/linked/entry.js'))
    expect(found.find((p) => p.name === 'beta')?.entry).toBe(
      join(root, 'node_modules/@corp/floe-provider-beta/main.js'),
    )
    expect(found.find((p) => p.name === 'acme')).toMatchObject({ version: '1.2.3' })
    expect(loads()).toEqual({})
  })

  it('exposes what a package.json says about its provider, without importing it', () => {
    const found = discoverFloePackages({ projectDir: join(root, 'project') })
    expect(found.find((p) => p.name === 'linked')?.metadata).toEqual({
      displayName: 'Linked Store',
      locator: { anyOf: ['key'], example: 'key: app/db' },
      scopeKey: { field: 'key', prefix: 'vault', separator: '/' },
    })
    expect(found.find((p) => p.name === 'alpha_one')?.metadata).toEqual({})
    const reg = createProviderRegistry({ packages: found })
    expect(reg.displayName('linked')).toBe('Linked Store')
    expect(reg.displayName('alpha_one')).toBe('alpha_one')
    expect(reg.displayName('vault')).toBe('vault')
    expect(reg.metadataOf('vault')).toBeUndefined()
    expect(loads()).toEqual({})
  })

  it('finds the workspace providers of a real package (bench)', () => {
    const found = discoverFloePackages({
      projectDir: resolve(import.meta.dirname, '../../../bench'),
    })
    const names = found.filter((p) => p.kind === 'provider').map((p) => p.name)
    expect(names).toEqual(expect.arrayContaining(['env', 'aws_secrets_manager']))
    expect(found.find((p) => p.name === 'env')?.packageName).toBe('@floe/provider-env')
  })
})

describe('createProviderRegistry', () => {
  const registry = () =>
    createProviderRegistry({
      projectDir: join(root, 'project'),
      cliDir: join(root, 'cli'),
      providerOptions: { acme: { region: 'eu-west-1' } },
    })

  it('imports a package only when a provider is loaded, and only once', async () => {
    const reg = registry()
    expect(reg.names()).toEqual(['acme', 'alpha_one', 'beta', 'clionly', 'linked'])
    expect(reg.has('linked')).toBe(true)
    expect(loads().linked).toBeUndefined()
    const mod = await reg.load('linked')
    expect(mod?.name).toBe('linked')
    await reg.load('linked')
    createProviderRegistry({ projectDir: join(root, 'project') }).names()
    expect(loads().linked).toBeUndefined()
    expect(loads().tslinked).toBe(1)
    expect(loads().beta).toBeUndefined()
  })

  it('runs a third-party floe-provider-* package end to end through the resolver', async () => {
    const reg = registry()
    const resolver = createResolver({
      manifest: testManifest({ token: { provider: 'alpha_one' }, other: { provider: 'beta' } }),
      catalog: reg,
    })
    const report = await resolver.resolve([
      parseSecretRef('secret://token'),
      parseSecretRef('secret://other'),
    ])
    expect(report.failures).toEqual([])
    expect(report.valueOf(parseSecretRef('secret://token'))?.reveal()).toBe('alpha_one:token')
    expect(report.valueOf(parseSecretRef('secret://other'))?.reveal()).toBe('beta:other')
  })

  it("leaves instances to the resolver, created with the registry's providerOptions", async () => {
    const reg = registry()
    expect('provider' in reg).toBe(false)
    const resolver = createResolver({ manifest: testManifest({}), catalog: reg })
    const own = await resolver.providerFor('acme')
    expect(await resolver.providerFor('acme')).toBe(own)
    expect((own as unknown as { options: unknown }).options).toEqual({ region: 'eu-west-1' })
    await resolver.dispose()
  })

  it('does not list missing providers and says which package to install', async () => {
    const reg = registry()
    expect(reg.names()).not.toContain('vault')
    expect(reg.has('vault')).toBe(false)
    expect(reg.packageFor('vault')).toBe('@floe/provider-vault')
    expect(reg.packageFor('aws_parameter_store')).toBe('@floe/provider-aws-parameter-store')
    expect(reg.packageFor('onepassword')).toBe('floe-provider-onepassword')
    expect(reg.packageFor('linked')).toBe('linked-provider')
    expect(reg.emitterPackageFor('duckdb')).toBe('@floe/emit-duckdb')
    expect(Object.keys(firstPartyProviders)).toHaveLength(8)
    expect(await reg.load('vault')).toBeUndefined()
    const resolver = createResolver({ manifest: testManifest({}), catalog: reg })
    await expect(resolver.providerFor('vault')).rejects.toMatchObject({
      code: 'NOT_INSTALLED',
      hint: 'floe providers add vault',
    })
  })

  it('loads emitters and hooks declared by the same package entry', async () => {
    const reg = registry()
    expect(reg.emitterNames()).toEqual(['fixture-emit'])
    const emitter = await reg.emitter('fixture-emit')
    expect(await emitter?.emit({} as never)).toEqual({ files: [], warnings: ['from acme'] })
    expect(await reg.emitter('dbt')).toBeUndefined()
    const hooks = await reg.hookModules()
    expect(hooks.map((h) => h.name)).toEqual(['fixture-hook'])
  })

  it('reports a package whose entry cannot be imported as NOT_INSTALLED', async () => {
    const reg = createProviderRegistry({
      packages: [
        {
          packageName: 'floe-provider-broken',
          version: '1.0.0',
          kind: 'provider',
          name: 'broken',
          dir: join(root, 'nowhere'),
          entry: join(root, 'nowhere/index.js'),
        },
      ],
    })
    expect(reg.names()).toEqual(['broken'])
    await expect(reg.load('broken')).rejects.toMatchObject({ code: 'NOT_INSTALLED' })
  })
})
