import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { providerMetadataFrom, type InstalledFloePackage } from '@floe/core'

/** The repository's own packages/ and plugins/ folders (read-only; nothing is imported). */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

export interface FirstPartyPackageJson {
  dir: string
  name: string
  floe?: Record<string, unknown> & { provider?: string; emitter?: string; entry?: string }
}

export function firstPartyPackageJsons(): FirstPartyPackageJson[] {
  const found: FirstPartyPackageJson[] = []
  for (const folder of ['packages', 'plugins']) {
    for (const entry of readdirSync(join(repoRoot, folder))) {
      const file = join(repoRoot, folder, entry, 'package.json')
      if (!existsSync(file)) continue
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as FirstPartyPackageJson
      found.push({ ...pkg, dir: join(repoRoot, folder, entry) })
    }
  }
  return found
}

/** The first-party providers as discovery reports them when installed (no import happens). */
export function firstPartyInstalled(): InstalledFloePackage[] {
  return firstPartyPackageJsons()
    .filter((pkg) => pkg.floe?.provider)
    .map((pkg) => ({
      packageName: pkg.name,
      version: '0.0.0',
      kind: 'provider' as const,
      name: pkg.floe!.provider!,
      dir: pkg.dir,
      entry: join(pkg.dir, String(pkg.floe!.entry)),
      metadata: providerMetadataFrom(pkg.floe),
    }))
}
