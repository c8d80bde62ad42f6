import type { LocatorRule } from './package-metadata.js'

/**
 * The one table core keeps about first-party packages: which npm package holds each provider and
 * emitter name, for "install X" hints about packages that are NOT installed (an installed
 * package describes itself in its package.json, see package-metadata.ts), and each provider's
 * locator, so a manifest loaded without a catalog still gets "a vault secret needs path".
 * test/first-party.test.ts checks every entry against the package.json it mirrors.
 */
export interface FirstPartyProvider {
  package: string
  locator: LocatorRule
}

// Order matters: the memory provider's stand-in id lookup tries these locator fields in order.
export const firstPartyProviders: Readonly<Record<string, FirstPartyProvider>> = {
  vault: {
    package: '@floe/provider-vault',
    locator: { anyOf: ['path'], example: 'path: secret/data/production/kafka' },
  },
  aws_secrets_manager: {
    package: '@floe/provider-aws-secrets-manager',
    locator: { anyOf: ['secret_id'], example: 'secret_id: production/mongodb/connection' },
  },
  kubernetes: {
    package: '@floe/provider-kubernetes',
    locator: { anyOf: ['secret_name'], example: 'secret_name: redis-credentials' },
  },
  azure_key_vault: {
    package: '@floe/provider-azure-key-vault',
    locator: { anyOf: ['secret_name'], example: 'secret_name: storage-connection-string' },
  },
  gcp_secret_manager: {
    package: '@floe/provider-gcp-secret-manager',
    locator: { anyOf: ['secret'], example: 'secret: production-api-key' },
  },
  aws_parameter_store: {
    package: '@floe/provider-aws-parameter-store',
    locator: { anyOf: ['name'], example: 'name: /production/database/password' },
  },
  env: {
    package: '@floe/provider-env',
    locator: { anyOf: ['variable', 'variables'], example: 'variable: DATABASE_PASSWORD' },
  },
  file: {
    package: '@floe/provider-file',
    locator: { anyOf: ['path'], example: 'path: /run/secrets/db-password' },
  },
}

/** Emitter name → the package that declares it (`vault-policy` ships with the Vault provider). */
export const firstPartyEmitters: Readonly<Record<string, string>> = {
  duckdb: '@floe/emit-duckdb',
  dbt: '@floe/emit-dbt',
  k8s: '@floe/emit-k8s',
  access: '@floe/emit-access',
  'vault-policy': '@floe/provider-vault',
}

/** The package to install for a provider name: first-party, else the third-party convention. */
export function providerPackageFor(name: string): string {
  return firstPartyProviders[name]?.package ?? `floe-provider-${name}`
}

export function emitterPackageFor(name: string): string {
  return firstPartyEmitters[name] ?? `floe-emit-${name}`
}

/**
 * The short name `floe providers add` accepts for a first-party package: its provider name
 * (`vault`, `aws_secrets_manager`), else its emitter name (`duckdb`); undefined for others.
 */
export function shortNameFor(pkg: string): string | undefined {
  for (const [name, entry] of Object.entries(firstPartyProviders)) {
    if (entry.package === pkg) return name
  }
  for (const [name, emitterPkg] of Object.entries(firstPartyEmitters)) {
    if (emitterPkg === pkg) return name
  }
  return undefined
}

/** The first-party package a short name stands for (`vault`, `duckdb`, `aws-secrets-manager`). */
export function packageForShortName(name: string): string | undefined {
  const key = name.replace(/-/g, '_')
  return (
    firstPartyProviders[key]?.package ??
    firstPartyEmitters[name] ??
    firstPartyEmitters[key.replace(/_/g, '-')]
  )
}
