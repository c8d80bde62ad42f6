import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  clearDiscoveryCache,
  createProviderRegistry,
  detectInstaller,
  discoverFloePackages,
  FloeError,
  installCommand,
  isFloeError,
  packageForShortName,
  Redactor,
  SecretValue,
  shortNameFor,
  firstPartyProviders,
  firstPartyEmitters,
} from '@floe/core'

let root: string

function write(path: string, content: unknown): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(
    join(root, path),
    typeof content === 'string' ? content : JSON.stringify(content, null, 2),
  )
}

/** A package.json declaring a floe provider (never imported by discovery). */
function floePackage(dir: string, name: string, provider: string, version = '1.0.0'): void {
  write(`${dir}/package.json`, {
    name,
    version,
    type: 'module',
    floe: { provider, entry: './index.js' },
  })
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'floe-install-'))
  // A project that depends on its own vault provider.
  write('project/package.json', { name: 'team', dependencies: { '@floe/provider-vault': '*' } })
  floePackage('project/node_modules/@floe/provider-vault', '@floe/provider-vault', 'vault', '9.0.0')
  // The CLI's data directory (`floe providers add vault kubernetes`).
  write('data/package.json', {
    name: 'floe-data-dir',
    private: true,
    dependencies: { '@floe/provider-vault': '^1', '@floe/provider-kubernetes': '^1' },
  })
  floePackage('data/node_modules/@floe/provider-vault', '@floe/provider-vault', 'vault', '1.0.0')
  floePackage(
    'data/node_modules/@floe/provider-kubernetes',
    '@floe/provider-kubernetes',
    'kubernetes',
  )
  // A global install: the CLI and a provider side by side in one node_modules, no package.json
  // listing them; the CLI's own dependency (env) is nested inside it.
  write('global/lib/node_modules/@floe/cli/package.json', {
    name: '@floe/cli',
    version: '1.0.0',
    dependencies: { '@floe/provider-env': '^1' },
  })
  floePackage(
    'global/lib/node_modules/@floe/cli/node_modules/@floe/provider-env',
    '@floe/provider-env',
    'env',
  )
  floePackage(
    'global/lib/node_modules/@floe/provider-aws-secrets-manager',
    '@floe/provider-aws-secrets-manager',
    'aws_secrets_manager',
  )
  floePackage('global/lib/node_modules/floe-provider-echo', 'floe-provider-echo', 'echo')
  write('global/lib/node_modules/left-pad/package.json', { name: 'left-pad', version: '1.0.0' })
  mkdirSync(join(root, 'no-project'), { recursive: true })
})

afterAll(() => rmSync(root, { recursive: true, force: true }))
beforeEach(() => clearDiscoveryCache())

const cliDir = () => join(root, 'global/lib/node_modules/@floe/cli')

describe('discovery order: project, data dir, beside the CLI, built-in', () => {
  it('says where each package came from; the project wins over the data dir', () => {
    const found = discoverFloePackages({
      projectDir: join(root, 'project'),
      dataDir: join(root, 'data'),
      cliDir: cliDir(),
    })
    const by = Object.fromEntries(found.map((p) => [p.name, [p.source, p.version]]))
    expect(by).toEqual({
      vault: ['project', '9.0.0'],
      kubernetes: ['data-dir', '1.0.0'],
      aws_secrets_manager: ['beside-cli', '1.0.0'],
      echo: ['beside-cli', '1.0.0'],
      env: ['built-in', '1.0.0'],
    })
  })

  it('without a project, the data dir provides vault', () => {
    const found = discoverFloePackages({
      projectDir: join(root, 'no-project'),
      dataDir: join(root, 'data'),
      cliDir: cliDir(),
    })
    expect(found.find((p) => p.name === 'vault')).toMatchObject({
      source: 'data-dir',
      version: '1.0.0',
    })
  })

  it('a data dir without package.json adds nothing (and is not searched upwards)', () => {
    const found = discoverFloePackages({
      projectDir: join(root, 'no-project'),
      dataDir: join(root, 'data/node_modules'),
    })
    expect(found).toEqual([])
  })
})

describe('install hints fit where floe runs', () => {
  it('outside any project, or with a global/npx CLI, `floe providers add` is the command', () => {
    expect(detectInstaller({ cwd: join(root, 'no-project'), env: {} })).toBe('floe')
    expect(detectInstaller({ cwd: join(root, 'project'), cliDir: cliDir(), env: {} })).toBe('floe')
    const reg = createProviderRegistry({
      projectDir: join(root, 'no-project'),
      cliDir: cliDir(),
      env: {},
    })
    expect(reg.installHint('provider', 'gcp_secret_manager')).toBe(
      'floe providers add gcp_secret_manager',
    )
    expect(reg.installHint('emitter', 'vault-policy')).toBe('floe providers add vault')
    expect(reg.installHint('emitter', 'duckdb')).toBe('floe providers add duckdb')
    expect(reg.installHint('provider', 'onepassword')).toBe(
      'floe providers add floe-provider-onepassword',
    )
  })

  it('in a project, its lockfile names the manager, else npm_config_user_agent, else npm', () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['pnpm-lock.yaml', undefined, 'pnpm add @floe/provider-vault'],
      ['yarn.lock', 'npm/10.0.0 node/v22', 'yarn add @floe/provider-vault'],
      ['package-lock.json', 'pnpm/10.0.0', 'npm install @floe/provider-vault'],
      ['bun.lock', undefined, 'bun add @floe/provider-vault'],
      ['', 'pnpm/10.34.8 npm/? node/v22', 'pnpm add @floe/provider-vault'],
      ['', undefined, 'npm install @floe/provider-vault'],
    ]
    for (const [index, [lockfile, agent, expected]] of cases.entries()) {
      const dir = `pm-${index}`
      write(`${dir}/package.json`, { name: dir })
      if (lockfile) write(`${dir}/${lockfile}`, '')
      // the CLI is the project's own (inside it)
      const reg = createProviderRegistry({
        projectDir: join(root, dir, 'sub'),
        cliDir: join(root, dir, 'node_modules/@floe/cli'),
        env: agent ? { npm_config_user_agent: agent } : {},
      })
      expect(reg.installHint('provider', 'vault'), `${lockfile} ${agent}`).toBe(expected)
    }
  })

  it('short names map to the first-party packages, both ways, for every table entry', () => {
    for (const [name, entry] of Object.entries(firstPartyProviders)) {
      expect(packageForShortName(name)).toBe(entry.package)
      expect(shortNameFor(entry.package)).toBe(name)
    }
    for (const [name, pkg] of Object.entries(firstPartyEmitters)) {
      expect(packageForShortName(name)).toBe(pkg)
    }
    expect(packageForShortName('aws-secrets-manager')).toBe('@floe/provider-aws-secrets-manager')
    expect(packageForShortName('onepassword')).toBeUndefined()
    expect(installCommand('@floe/emit-dbt', 'floe')).toBe('floe providers add dbt')
  })
})

describe('values and errors of another copy of @floe/core', () => {
  // A second module instance of core's build: what a provider installed in the data dir
  // brings along (its own node_modules/@floe/core).
  const coreDist = pathToFileURL(resolve(import.meta.dirname, '../dist/index.js')).href

  it('are recognised: redacted, revealed, classified by code', async () => {
    const other = (await import(`${coreDist}?second-copy`)) as typeof import('@floe/core')
    expect(other.SecretValue).not.toBe(SecretValue)
    const value = new other.SecretValue('canary-9b1d', 'db/password')
    expect(value instanceof SecretValue).toBe(true)
    expect(SecretValue.isSecretValue(value)).toBe(true)
    const redactor = new Redactor()
    redactor.add(value)
    expect(redactor.redact('token canary-9b1d here')).not.toContain('canary-9b1d')
    expect(JSON.stringify({ value })).not.toContain('canary-9b1d')

    const error = new other.SecretNotFoundError('no such secret')
    expect(error instanceof FloeError).toBe(true)
    expect(isFloeError(error, 'NOT_FOUND')).toBe(true)
    // subclasses keep the ordinary check: classify by code across copies
    expect(new FloeError('INVALID', 'x') instanceof other.FloeError).toBe(true)
    expect({ code: 'NOT_FOUND', message: 'fake' } instanceof FloeError).toBe(false)
    expect(Object.create(null) instanceof SecretValue).toBe(false)
  })
})
