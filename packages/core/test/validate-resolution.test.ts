import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  keysWithoutGenerator,
  loadManifestFromString,
  SecretNotFoundError,
  ProviderUnavailableError,
  validateManifest,
  type DescribeOutcome,
  type EmitterModule,
  type LoadedManifest,
  type RotationHookModule,
} from '@floe/core'

/** validate agrees with resolution: what resolves is not ✗, what emit rejects is ✗. */
const yaml = `
plugins:
  secrets: { type: external-secrets, config: { store: vault } }
  compute: { type: snowflake, connection_secret_ref: warehouse }
secrets:
  warehouse:
    provider: vault
    path: secret/data/warehouse
    keys: [user, password]
  defaulted:
    provider: vault
    path: secret/data/defaulted
  backed:
    provider: vault
    path: secret/data/backed
    fallback: { provider: env, variable: BACKED }
  plain:
    provider: vault
    path: secret/data/plain
  generated:
    provider: vault
    path: secret/data/generated
    keys: [token]
    rotation:
      generate:
        token: { length: 40, charset: hex }
  from_env:
    provider: env
    variable: FROM_ENV
env:
  A: secret://defaulted?default=fallback-text
  B: secret://backed
  C: secret://plain
  D: secret://generated/token
  E: secret://from_env
  F: secret://warehouse/user
`

const missing = (secret: string): DescribeOutcome => ({
  secret,
  provider: 'vault',
  metadata: { exists: false },
  error: new SecretNotFoundError(`no ${secret}`),
})
const present = (secret: string): DescribeOutcome => ({
  secret,
  provider: 'vault',
  metadata: { exists: true },
})

async function run(
  outcomes: (name: string) => DescribeOutcome,
  extra: Partial<Parameters<typeof validateManifest>[0]> = {},
) {
  const manifest = await loadManifestFromString(yaml, { env: {} })
  return validateManifest({
    path: manifest.path,
    load: () => Promise.resolve(manifest),
    describe: (names) => Promise.resolve(names.map(outcomes)),
    ...extra,
  })
}

describe('validate follows resolution', () => {
  it('a secret whose only references have ?default=, or that has a fallback:, is not ✗', async () => {
    const report = await run((n) =>
      n === 'backed'
        ? { ...missing(n), error: new ProviderUnavailableError('down') }
        : n === 'warehouse'
          ? present(n)
          : missing(n),
    )
    const line = (subject: string) =>
      report.checks.find((c) => c.subject === subject && c.code === 'NOT_FOUND')!
    expect(line('defaulted')).toMatchObject({ ok: true, severity: 'warning' })
    expect(line('defaulted').message).toContain('?default=')
    expect(line('backed')).toMatchObject({ ok: true, severity: 'warning' })
    expect(line('backed').message).toBe('unreachable — resolution falls back to env')
    expect(line('plain')).toMatchObject({ ok: false, message: 'NOT FOUND' })
    // an unreachable provider behind a fallback does not give exit 3
    expect(report.exitCode).toBe(1)
  })

  it('fix hints work as printed: bare create with a covering generator, a flag otherwise, none for env', async () => {
    const report = await run(missing)
    const fix = (subject: string) => report.checks.find((c) => c.subject === subject)?.fix
    expect(fix('generated')).toBe('floe secrets create generated')
    expect(fix('plain')).toBe('floe secrets create plain --from-file FILE')
    expect(fix('warehouse')).toBe('floe secrets create warehouse --from-env-file FILE')
    expect(fix('from_env')).toBeUndefined()
    // one error per ✗ line
    expect(report.errors).toBe(report.checks.filter((c) => !c.ok).length)
  })

  it('keysWithoutGenerator: what a bare create still needs', async () => {
    const manifest = await loadManifestFromString(yaml, { env: {} })
    expect(keysWithoutGenerator(manifest.secrets.generated!)).toEqual([])
    expect(keysWithoutGenerator(manifest.secrets.warehouse!)).toEqual(['user', 'password'])
    expect(keysWithoutGenerator(manifest.secrets.plain!)).toEqual([''])
  })

  it("an emitter's CONFIG error for its section is a ✗ manifest line, also offline", async () => {
    const manifest: LoadedManifest = {
      ...(await loadManifestFromString(yaml, { env: {} })),
      duckdb: { secrets: [] },
    }
    const seen: string[] = []
    const emitter = (name: string): Promise<EmitterModule | undefined> => {
      seen.push(name)
      return Promise.resolve({
        name,
        packageName: `@floe/emit-${name}`,
        emit: () => Promise.reject(new ConfigError("unknown parameter 'key_id'")),
      })
    }
    const report = await validateManifest({
      path: manifest.path,
      load: () => Promise.resolve(manifest),
      offline: true,
      emitter,
    })
    // only the sections the manifest has
    expect(seen).toEqual(['duckdb'])
    expect(report.checks[0]).toMatchObject({ ok: false, subject: 'manifest' })
    expect(report.checks[0]!.message).toContain("unknown parameter 'key_id'")
    expect(report.exitCode).toBe(1)
  })

  it("folds the cluster's check into the secret's line: one line per secret", async () => {
    const hook = (exists: boolean, keys = 2): RotationHookModule => ({
      name: 'kubernetes',
      packageName: '@floe/provider-kubernetes',
      afterRotate: async function* () {},
      validate: () =>
        Promise.resolve([
          {
            secret: 'warehouse',
            name: 'warehouse',
            namespace: 'jobs',
            exists,
            keys,
            missingKeys: [],
          },
        ]),
    })
    const platform = (h: RotationHookModule) => () =>
      Promise.resolve({ hooks: [h], ctx: { env: {}, cwd: '/', logger: console } as never })
    const ok = await run((n) => (n === 'warehouse' ? present(n) : present(n)), {
      platform: platform(hook(true)),
    })
    const lines = ok.checks.filter((c) => c.subject === 'warehouse')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ ok: true, message: 'exists, 2 keys' })
    expect(lines[0]!.details).toEqual(['Secret jobs/warehouse exists, 2 keys'])

    const noCopy = await run(present, { platform: platform(hook(false)) })
    const line = noCopy.checks.filter((c) => c.subject === 'warehouse')
    expect(line).toHaveLength(1)
    expect(line[0]).toMatchObject({ ok: false })
    expect(line[0]!.message).toContain('NOT FOUND in the cluster')
    expect(noCopy.errors).toBe(1)

    const neither = await run(missing, { platform: platform(hook(false)) })
    const both = neither.checks.filter((c) => c.subject === 'warehouse')
    expect(both).toHaveLength(1)
    expect(both[0]).toMatchObject({ ok: false, message: 'NOT FOUND' })
  })
})
