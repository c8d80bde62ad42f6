import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Which secrets floe created, so `apply` drops the ones removed from the manifest and never
 * touches secrets somebody else made. DuckDB has no comments or tags on secrets, so:
 * - persistent secrets are listed in `floe-managed.json` next to them in DuckDB's
 *   secret_directory (DuckDB only reads `*.duckdb_secret` files there); it holds names and
 *   types, never values;
 * - temporary secrets live as long as the DuckDB instance, so they are remembered in memory,
 *   per connection object, for as long as the application keeps it.
 */
export const REGISTRY_FILE = 'floe-managed.json'

interface RegistryFile {
  version: 1
  secrets: Record<string, { type: string }>
}

const temporaryByConnection = new WeakMap<object, Map<string, string>>()

export function temporaryRegistry(connection: object): Map<string, string> {
  let names = temporaryByConnection.get(connection)
  if (!names) {
    names = new Map()
    temporaryByConnection.set(connection, names)
  }
  return names
}

export function readPersistentRegistry(secretDirectory: string | undefined): Map<string, string> {
  const names = new Map<string, string>()
  if (!secretDirectory) return names
  const file = join(secretDirectory, REGISTRY_FILE)
  if (!existsSync(file)) return names
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RegistryFile>
    for (const [name, entry] of Object.entries(parsed.secrets ?? {})) names.set(name, entry.type)
  } catch {
    // A corrupt registry only means floe forgets what it made: it then drops nothing.
  }
  return names
}

export function writePersistentRegistry(secretDirectory: string, names: Map<string, string>): void {
  if (names.size === 0 && !existsSync(join(secretDirectory, REGISTRY_FILE))) return
  if (!existsSync(secretDirectory)) mkdirSync(secretDirectory, { recursive: true, mode: 0o700 })
  const content: RegistryFile = {
    version: 1,
    secrets: Object.fromEntries([...names].sort().map(([name, type]) => [name, { type }])),
  }
  const file = join(secretDirectory, REGISTRY_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, file)
}

/** Warnings about a secret_directory that holds (or will hold) plaintext persistent secrets. */
export function secretDirectoryWarnings(secretDirectory: string): string[] {
  const warnings = [
    `DuckDB stores persistent secrets UNENCRYPTED, one file per secret, in ${secretDirectory} (not in the database file): protect that directory like a credentials file`,
  ]
  try {
    const mode = statSync(secretDirectory).mode & 0o777
    if (mode & 0o077) {
      warnings.push(
        `secret_directory ${secretDirectory} is accessible by group or others (mode ${mode.toString(8).padStart(3, '0')}); run: chmod 700 ${secretDirectory}`,
      )
    }
  } catch {
    // not created yet: DuckDB creates it on the first persistent secret
  }
  return warnings
}
