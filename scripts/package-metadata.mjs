#!/usr/bin/env node
// The publishing metadata every published package.json carries, derived from the root
// package.json (repository, homepage, bugs, engines, license) so it is written in one place.
// `node scripts/package-metadata.mjs` rewrites the packages; `--check` only reports drift
// (CI runs it through scripts/check-packages.mjs).
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Keywords of each package beyond the shared ones. */
const KEYWORDS = {
  '@floe/core': ['secret-references', 'manifest', 'redaction'],
  '@floe/cli': ['cli', 'oclif'],
  '@floe/plugin-secrets': ['cli', 'oclif', 'oclif-plugin'],
  '@floe/testkit': ['testing', 'emulator', 'vault', 'aws', 'kubernetes', 'conformance'],
  '@floe/provider-env': ['floe-provider', 'env', 'dotenv'],
  '@floe/provider-file': ['floe-provider', 'files', 'docker-secrets'],
  '@floe/provider-vault': ['floe-provider', 'vault', 'hashicorp-vault', 'floe-emitter'],
  '@floe/provider-aws-secrets-manager': ['floe-provider', 'aws', 'secrets-manager'],
  '@floe/provider-aws-parameter-store': ['floe-provider', 'aws', 'ssm', 'parameter-store'],
  '@floe/provider-gcp-secret-manager': ['floe-provider', 'gcp', 'google-cloud', 'secret-manager'],
  '@floe/provider-azure-key-vault': ['floe-provider', 'azure', 'key-vault'],
  '@floe/provider-kubernetes': ['floe-provider', 'kubernetes'],
  '@floe/aws-common': ['aws'],
  '@floe/emit-duckdb': ['floe-emitter', 'duckdb'],
  '@floe/emit-dbt': ['floe-emitter', 'dbt', 'profiles.yml'],
  '@floe/emit-k8s': ['floe-emitter', 'kubernetes', 'external-secrets'],
  '@floe/emit-access': ['floe-emitter', 'rbac', 'iam', 'vault-policy'],
}
const SHARED_KEYWORDS = ['floe', 'secrets', 'credentials', 'data-platform']

/** Every published package: `<group>/<name>` folders holding a non-private package.json. */
export function publishedPackages() {
  const found = []
  for (const group of ['packages', 'plugins', 'apps']) {
    const base = join(root, group)
    if (!existsSync(base)) continue
    for (const name of readdirSync(base).sort()) {
      const file = join(base, name, 'package.json')
      if (!existsSync(file)) continue
      const pkg = JSON.parse(readFileSync(file, 'utf8'))
      if (pkg.private) continue
      found.push({ dir: `${group}/${name}`, file, pkg })
    }
  }
  return found
}

/** The fields a package must have, given the root package.json. */
export function expectedMetadata(rootPkg, dir, pkg) {
  const repositoryUrl = rootPkg.repository.url
  return {
    license: rootPkg.license,
    repository: { type: 'git', url: repositoryUrl, directory: dir },
    homepage: `${rootPkg.homepage.replace(/#.*$/, '')}/tree/main/${dir}#readme`,
    bugs: rootPkg.bugs,
    keywords: [...SHARED_KEYWORDS, ...(KEYWORDS[pkg.name] ?? [])],
    engines: rootPkg.engines,
  }
}

/** Fields placed right after `description`, so diffs stay readable. */
function withMetadata(pkg, metadata) {
  const out = {}
  for (const [key, value] of Object.entries(pkg)) {
    if (key in metadata) continue
    out[key] = value
    if (key === 'description') Object.assign(out, metadata)
  }
  return out
}

function main() {
  const check = process.argv.includes('--check')
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const drift = []
  for (const { dir, file, pkg } of publishedPackages()) {
    const metadata = expectedMetadata(rootPkg, dir, pkg)
    const next = withMetadata(pkg, metadata)
    const text = JSON.stringify(next, null, 2) + '\n'
    if (text === readFileSync(file, 'utf8')) continue
    if (check) drift.push(dir)
    else writeFileSync(file, text)
  }
  if (drift.length) {
    console.error(
      `package metadata differs from the root package.json in: ${drift.join(', ')}\n` +
        'Run `node scripts/package-metadata.mjs` to rewrite it.',
    )
    process.exit(1)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()
