import { expect, it } from 'vitest'
import fc from 'fast-check'
import {
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  validateManifest,
} from '../src/index.js'
import { memoryProviderModule } from '../src/testing/index.js'

/**
 * One validation path: when `floe secrets validate` (online: it asks the providers, and the
 * `fallback:` sources) reports no error, `floe secrets exec` resolves the manifest's env bindings.
 * Generated manifests: secrets present or absent at their provider, with or without a fallback
 * that has them, `on_missing` policies, bindings with `?default=`, undeclared keys.
 */
const secretDefinition = fc.record({
  present: fc.boolean(),
  fallback: fc.constantFrom(undefined, 'backup/present', 'backup/absent'),
  onMissing: fc.constantFrom(undefined, 'fail', 'warn', 'default'),
})
const binding = fc.record({
  secret: fc.constantFrom('a', 'b'),
  key: fc.oneof(
    { weight: 6, arbitrary: fc.constant('token') },
    { weight: 1, arbitrary: fc.constant('nope') },
  ),
  withDefault: fc.boolean(),
})

function manifestText(
  defs: Record<'a' | 'b', fc.RecordValue<typeof secretDefinition>>,
  bindings: fc.RecordValue<typeof binding>[],
): string {
  const lines = ['version: 1', 'secrets:']
  for (const [name, def] of Object.entries(defs)) {
    lines.push(
      `  ${name}:`,
      '    provider: memory',
      `    id: ${def.present ? 'present' : 'absent'}/${name}`,
    )
    lines.push('    keys: [token]')
    if (def.fallback) lines.push(`    fallback: { provider: backup, id: ${def.fallback} }`)
    if (def.onMissing === 'default')
      lines.push('    on_missing: { action: default, default_value: "d" }')
    else if (def.onMissing) lines.push(`    on_missing: ${def.onMissing}`)
  }
  lines.push('env:')
  bindings.forEach((b, i) =>
    lines.push(`  VAR_${i}: "secret://${b.secret}/${b.key}${b.withDefault ? '?default=x' : ''}"`),
  )
  return lines.join('\n') + '\n'
}

it('validate ok ⇒ exec resolves every env binding', async () => {
  const memory = memoryProviderModule({
    data: { 'present/a': { token: 'ta' }, 'present/b': { token: 'tb' } },
  })
  const backup = memoryProviderModule({
    name: 'backup',
    data: { 'backup/present': { token: 'tk' } },
  })
  const catalog = createProviderRegistry({ modules: [memory, backup] })
  const seen = { valid: 0, invalid: 0 }
  await fc.assert(
    fc.asyncProperty(
      fc.record({ a: secretDefinition, b: secretDefinition }),
      fc.array(binding, { minLength: 1, maxLength: 3 }),
      async (defs, bindings) => {
        const text = manifestText(defs, bindings)
        const load = () => loadManifestFromString(text, { file: 'floe.yaml', env: {}, catalog })
        const resolverFor = async () => createResolver({ manifest: await load(), catalog, env: {} })
        const checking = await resolverFor()
        let errors: number
        try {
          const report = await validateManifest({
            path: 'floe.yaml',
            load,
            describe: (names) => checking.describe(names),
            describeFallbacks: (names) => checking.describe(names, { fallback: true }),
          })
          errors = report.errors
        } finally {
          await checking.dispose()
        }
        if (errors > 0) {
          seen.invalid++
          return
        }
        seen.valid++
        const manifest = await load()
        const resolver = createResolver({ manifest, catalog, env: {} })
        try {
          const { env } = await resolver.resolveEnv(manifest.env)
          expect(Object.keys(env).length).toBeLessThanOrEqual(manifest.env.length)
        } finally {
          await resolver.dispose()
        }
      },
    ),
    { numRuns: 80 },
  )
  expect(seen.valid).toBeGreaterThan(0)
  expect(seen.invalid).toBeGreaterThan(0)
}, 120_000)
