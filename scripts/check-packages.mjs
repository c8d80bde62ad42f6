#!/usr/bin/env node
// Checks what users would download: packs every published package (scripts/pack-all.mjs) and
// runs `publint --strict` and `attw --profile esm-only` on each tarball, plus floe's own rules:
// the root LICENSE ships in every tarball, no .tsbuildinfo or declaration maps, every source map
// carries its sources, every listed dependency is imported by the shipped code (or is loaded
// by name, listed below), no package is both a dependency and a devDependency, and the
// publishing metadata matches the root package.json (scripts/package-metadata.mjs).
// Needs a build first: `pnpm run build && pnpm run check:packages`.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packAll } from './pack-all.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)

/**
 * Dependencies loaded by name rather than imported: oclif loads the CLI's plugins from its
 * `oclif.plugins` list, and floe discovers providers from dependencies' package.json files.
 */
function loadedByName(pkg) {
  const names = new Set(pkg.oclif?.plugins ?? [])
  if (pkg.name === '@floe/cli') {
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      if (/^@floe\/(provider|emit)-/.test(dep)) names.add(dep)
  }
  return names
}

function walk(dir) {
  const out = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...walk(path))
    else out.push(path)
  }
  return out
}

// import/export … from, import(), bare import, and require()/require.resolve() under any name
// (createRequire results such as `requireFromHere`)
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\w*[rR]equire\w*(?:\.resolve)?\s*\(\s*|\.resolve\s*\(\s*|\bimport\s+)['"]([^'"./][^'"]*)['"]/g
function packageNameOf(specifier) {
  if (specifier.startsWith('node:')) return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function checkTarball(tarball, license) {
  const problems = []
  const dir = mkdtempSync(join(tmpdir(), 'floe-check-'))
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir])
    const pkgDir = join(dir, 'package')
    const files = walk(pkgDir).map((f) => relative(pkgDir, f))
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))

    if (!existsSync(join(pkgDir, 'LICENSE'))) problems.push('no LICENSE')
    else if (readFileSync(join(pkgDir, 'LICENSE'), 'utf8') !== license)
      problems.push('LICENSE differs from the root LICENSE')
    for (const f of files) {
      if (f.endsWith('.tsbuildinfo')) problems.push(`ships ${f}`)
      if (f.endsWith('.d.ts.map')) problems.push(`ships ${f} (declaration maps point at src/)`)
      if (f.endsWith('.js.map')) {
        const map = JSON.parse(readFileSync(join(pkgDir, f), 'utf8'))
        const contents = map.sourcesContent ?? []
        if (contents.length !== map.sources.length || contents.some((c) => typeof c !== 'string'))
          problems.push(`${f} has no sourcesContent`)
      }
    }
    for (const entry of pkg.files ?? []) {
      if (entry.startsWith('!')) continue
      if (!files.some((f) => f === entry || f.startsWith(`${entry}/`)))
        problems.push(`"files" lists ${entry}, which is not in the package`)
    }
    const dev = new Set(Object.keys(pkg.devDependencies ?? {}))
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      if (dev.has(dep)) problems.push(`${dep} is both a dependency and a devDependency`)

    const imported = new Set()
    for (const f of files.filter((f) => /\.(c?js|d\.ts)$/.test(f))) {
      for (const match of readFileSync(join(pkgDir, f), 'utf8').matchAll(SPECIFIER)) {
        const name = packageNameOf(match[1])
        if (name) imported.add(name)
      }
    }
    const byName = loadedByName(pkg)
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      if (!imported.has(dep) && !byName.has(dep))
        problems.push(`depends on ${dep} but no shipped file imports it`)

    for (const [tool, args] of [
      [bin('publint'), ['run', tarball, '--strict']],
      [bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji']],
    ]) {
      const run = spawnSync(tool, args, { encoding: 'utf8' })
      if (run.status !== 0)
        problems.push(`${tool.split('/').pop()} failed:\n${run.stdout}${run.stderr}`)
    }
    return { name: pkg.name, problems }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function main() {
  const metadata = spawnSync(
    process.execPath,
    [join(root, 'scripts/package-metadata.mjs'), '--check'],
    {
      stdio: 'inherit',
    },
  )
  let failed = metadata.status !== 0
  const license = readFileSync(join(root, 'LICENSE'), 'utf8')
  const out = mkdtempSync(join(tmpdir(), 'floe-pack-'))
  try {
    const tarballs = packAll(out)
    for (const tarball of tarballs) {
      const { name, problems } = checkTarball(tarball, license)
      if (problems.length) {
        failed = true
        console.error(`✗ ${name}\n  ${problems.join('\n  ')}`)
      } else console.log(`✓ ${name}`)
    }
    console.log(`${tarballs.length} packages checked (publint --strict, attw --profile esm-only)`)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
  if (failed) process.exit(1)
}

main()
