#!/usr/bin/env node
// Packs every published workspace package with `pnpm pack` (which turns `workspace:^` into real
// version ranges, as `pnpm publish` does) into one directory. Used by scripts/check-packages.mjs
// and by the install test (scripts/install-test/run.mjs). Needs a build first.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const PNPM = ['npx', '--yes', 'pnpm@10.34.8']

/** Packs all packages into `destination`; returns the tarball paths. */
export function packAll(destination) {
  const dir = resolve(destination)
  mkdirSync(dir, { recursive: true })
  execFileSync(PNPM[0], [...PNPM.slice(1), '-r', 'pack', '--pack-destination', dir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .sort()
    .map((f) => join(dir, f))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const destination = process.argv[2]
  if (!destination) {
    console.error('usage: node scripts/pack-all.mjs DIR')
    process.exit(2)
  }
  for (const tarball of packAll(destination)) console.log(tarball)
}
