import type { LoadedManifest, SecretDefinition, SecretsConfig } from '../types.js'

export type TestDefinition = Omit<SecretDefinition, 'name' | 'kind' | 'fields'> & {
  fields?: Record<string, unknown>
  kind?: SecretDefinition['kind']
}

/**
 * A LoadedManifest built by hand (no YAML), for tests of code that consumes manifests:
 * `testManifest({ db: { provider: 'memory', fields: { id: 'db' } } })`.
 */
export function testManifest(
  secrets: Record<string, TestDefinition>,
  config: Partial<SecretsConfig> = {},
): LoadedManifest {
  const definitions: Record<string, SecretDefinition> = {}
  for (const [name, definition] of Object.entries(secrets)) {
    definitions[name] = { kind: 'static', fields: {}, ...definition, name }
  }
  return {
    path: '<inline>',
    dir: process.cwd(),
    version: 1,
    secrets: definitions,
    config: { concurrency: 8, ...config },
    env: [],
    references: [],
    document: {},
    warnings: [],
    locate: () => undefined,
  }
}
