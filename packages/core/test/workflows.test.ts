import { describe, expect, it } from 'vitest'
import {
  createProviderRegistry,
  createResolver,
  loadManifestFromString,
  Redactor,
  rotateSecret,
  SecretValue,
  silentLogger,
  validateManifest,
  writeSecret,
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  type DescribeOutcome,
  type LoadedManifest,
  type SecretProvider,
  type WriteSecretDeps,
} from '@floe/core'
import { createMemoryProvider, memoryProviderModule } from '@floe/core/testing'

// writeSecret/rotateSecret/validateManifest driven through a manifest loaded by the real loader,
// against the memory provider standing in for vault.
const yaml = `
secrets:
  db:
    provider: vault
    path: kv/db
    keys: [user, password]
  token:
    provider: vault
    path: kv/token
  scoped:
    provider: vault
    path: kv/scoped
scopes:
  app:
    secrets: [scoped]
access:
  - { principal: "user:writer@example.com", role: writer, scope: app }
  - { principal: "user:reader@example.com", role: reader, scope: app }
`

async function setup(seed: Record<string, string | Record<string, string>> = {}) {
  const manifest = await loadManifestFromString(yaml, { env: {} })
  const vault = createMemoryProvider({ name: 'vault', data: seed })
  const catalog = createProviderRegistry({ modules: [memoryProviderModule(vault)] })
  const entries: AuditEntry[] = []
  const audit: AuditLog = {
    path: '<memory>',
    append: (entry) => {
      entries.push(entry)
      return entry as AuditRecord
    },
  }
  const redactor = new Redactor()
  const deps = (extra: Partial<WriteSecretDeps> = {}): WriteSecretDeps => ({
    manifest,
    provider: () => Promise.resolve(vault),
    ctx: { env: {}, cwd: '/', logger: silentLogger },
    audit,
    redactor,
    resolver: createResolver({ manifest, catalog }),
    label: 'Vault',
    ...extra,
  })
  return { manifest, vault, entries, deps, redactor }
}

const sv = (text: string) => new SecretValue(text)
const def = (m: LoadedManifest, name: string) => m.secrets[name]!

describe('writeSecret', () => {
  it('create-only refuses an existing secret with a hint to rotate, and audits the refusal', async () => {
    const { manifest, entries, deps } = await setup({ 'kv/token': 't-1' })
    await expect(
      writeSecret(
        def(manifest, 'token'),
        sv('t-2'),
        { action: 'create', createOnly: true },
        deps(),
      ),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringMatching(/secrets rotate token/),
    })
    expect(entries).toEqual([
      { action: 'create', secret: 'token', provider: 'vault', outcome: 'CONFLICT' },
    ])
  })

  it('compare-and-set: a stale expected version is a CONFLICT and nothing is written', async () => {
    const { manifest, vault, deps } = await setup({ 'kv/token': 't-1' })
    await expect(
      writeSecret(
        def(manifest, 'token'),
        sv('t-2'),
        { action: 'put', expectedVersion: '7' },
        deps(),
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    const now = await vault.fetchOne({ secret: 'token', config: { path: 'kv/token' } }, deps().ctx)
    expect(now.value.reveal()).toBe('t-1')
  })

  it('writes against the described version, reports it, records it, learns the value', async () => {
    const { manifest, entries, deps, redactor } = await setup({ 'kv/token': 't-1' })
    const result = await writeSecret(
      def(manifest, 'token'),
      sv('t-2-new'),
      { action: 'put' },
      deps(),
    )
    expect(result).toMatchObject({ created: false, previousVersion: '1', version: '2' })
    expect(result.expectedVersion).toBe('1')
    expect(entries.at(-1)).toEqual({
      action: 'put',
      secret: 'token',
      provider: 'vault',
      outcome: 'ok',
      detail: 'version 2',
    })
    expect(redactor.redact('x t-2-new y')).not.toContain('t-2-new')
  })

  it('mergeKeys keeps the stored keys the new data does not replace', async () => {
    const { manifest, vault, deps } = await setup({ 'kv/db': { user: 'u', password: 'p-1' } })
    await writeSecret(
      def(manifest, 'db'),
      { password: sv('p-2') },
      { action: 'rotate', mustExist: true, mergeKeys: true },
      deps(),
    )
    const now = await vault.fetchOne({ secret: 'db', config: { path: 'kv/db' } }, deps().ctx)
    expect(now.keys?.user?.reveal()).toBe('u')
    expect(now.keys?.password?.reveal()).toBe('p-2')
  })

  it('mustExist: a missing secret is a usage error naming create', async () => {
    const { manifest, deps } = await setup()
    await expect(
      writeSecret(def(manifest, 'token'), sv('x'), { action: 'rotate', mustExist: true }, deps()),
    ).rejects.toMatchObject({ code: 'USAGE', hint: expect.stringMatching(/secrets create token/) })
  })

  it('a provider without put is UNSUPPORTED', async () => {
    const { manifest, vault, deps } = await setup()
    const readOnly: SecretProvider = { ...vault, put: undefined }
    await expect(
      writeSecret(
        def(manifest, 'token'),
        sv('x'),
        { action: 'create', createOnly: true },
        deps({ provider: () => Promise.resolve(readOnly) }),
      ),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' })
  })

  it('--as: a reader may not write and the value is never read; a writer may', async () => {
    const { manifest, vault, deps } = await setup()
    let read = 0
    const input = () => {
      read += 1
      return Promise.resolve(sv('s-1'))
    }
    await expect(
      writeSecret(
        def(manifest, 'scoped'),
        input,
        { action: 'put' },
        deps({ principal: 'user:reader@example.com' }),
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(read).toBe(0)
    expect(vault.calls.put).toBe(0)
    // a write through the scope without saying who writes is refused when the scope has grants
    await expect(
      writeSecret(def(manifest, 'scoped'), input, { action: 'put', scope: 'app' }, deps()),
    ).rejects.toMatchObject({ code: 'USAGE' })
    const ok = await writeSecret(
      def(manifest, 'scoped'),
      input,
      { action: 'put', scope: 'app' },
      deps({ principal: 'user:writer@example.com' }),
    )
    expect(ok.created).toBe(true)
    expect(read).toBe(1)
  })

  it('dryRun reports the compare-and-set version and writes nothing', async () => {
    const { manifest, vault, deps } = await setup({ 'kv/token': 't-1' })
    const plan = await writeSecret(
      def(manifest, 'token'),
      sv('t-2'),
      { action: 'rotate', dryRun: true, mustExist: true },
      deps(),
    )
    expect(plan).toMatchObject({ dryRun: true, expectedVersion: '1' })
    expect(vault.calls.put).toBe(0)
  })
})

describe('rotateSecret', () => {
  it('writes the value, then runs every hook step; a failing hook leaves it incomplete', async () => {
    const { manifest, deps } = await setup({ 'kv/token': 't-1' })
    const seen: string[] = []
    const report = await rotateSecret(
      def(manifest, 'token'),
      { value: () => Promise.resolve(sv('t-2')) },
      {
        ...deps(),
        hooks: () =>
          Promise.resolve([
            {
              name: 'h',
              packageName: 'h',
              async *afterRotate() {
                yield { ok: true, message: 'synced' }
                yield { ok: false, message: 'restart failed' }
              },
            },
          ]),
      },
      (step) => seen.push(step.message),
    )
    expect(seen).toEqual(['Secret updated in Vault', 'synced', 'restart failed'])
    expect(report).toMatchObject({ valueChanged: true, complete: false, version: '2' })
  })
})

describe('rotateSecret --dry-run says what rotate would do', () => {
  const noHooks = () => Promise.resolve([])
  const generated = () => Promise.resolve(sv('generated'))

  it('native rotation not configured for the secret: plans the fallback write, rotates nothing', async () => {
    const { manifest, vault, deps } = await setup({ 'kv/token': 't-1' })
    const rotated: string[] = []
    const unconfigured: SecretProvider = {
      ...vault,
      rotate: (request) => {
        rotated.push(request.secret)
        return Promise.resolve({ steps: ['rotated'] })
      },
      planRotation: async (request) => {
        const { UnsupportedError } = await import('@floe/core')
        throw new UnsupportedError(`secret "${request.secret}" has no rotation Lambda`)
      },
    }
    const seen: string[] = []
    const report = await rotateSecret(
      def(manifest, 'token'),
      { dryRun: true, fallbackValue: generated },
      { ...deps({ provider: () => Promise.resolve(unconfigured) }), hooks: noHooks },
      (step) => seen.push(step.message),
    )
    expect(seen).toEqual([expect.stringMatching(/^Would update the value of token in Vault/)])
    expect(report).toMatchObject({ dryRun: true, valueChanged: false })
    expect(rotated).toEqual([])
  })

  it('native rotation configured: the provider planned steps, nothing rotated', async () => {
    const { manifest, vault, deps } = await setup({ 'kv/token': 't-1' })
    const rotated: string[] = []
    const configured: SecretProvider = {
      ...vault,
      rotate: (request) => {
        rotated.push(request.secret)
        return Promise.resolve({ steps: ['rotated'] })
      },
      planRotation: () => Promise.resolve({ steps: ['Would start RotateSecret for token with L'] }),
    }
    const seen: string[] = []
    await rotateSecret(
      def(manifest, 'token'),
      { dryRun: true, fallbackValue: generated },
      { ...deps({ provider: () => Promise.resolve(configured) }), hooks: noHooks },
      (step) => seen.push(step.message),
    )
    expect(seen).toEqual(['Would start RotateSecret for token with L'])
    expect(rotated).toEqual([])
  })

  it('a provider that cannot plan: the line says the configuration was not checked', async () => {
    const { manifest, vault, deps } = await setup({ 'kv/token': 't-1' })
    const unplanned: SecretProvider = { ...vault, rotate: () => Promise.resolve({ steps: [] }) }
    const seen: string[] = []
    await rotateSecret(
      def(manifest, 'token'),
      { dryRun: true, fallbackValue: generated },
      { ...deps({ provider: () => Promise.resolve(unplanned) }), hooks: noHooks },
      (step) => seen.push(step.message),
    )
    expect(seen).toEqual([expect.stringContaining('cannot check in a dry run')])
  })
})

describe('a write whose answer was lost', () => {
  const hook = (ran: string[]) => () =>
    Promise.resolve([
      {
        name: 'h',
        packageName: 'h',
        async *afterRotate() {
          ran.push('h')
          yield { ok: true, message: 'synced' }
        },
      },
    ])

  it('landed (the provider read it back): success with the warning, audited, hooks run', async () => {
    const { manifest, vault, entries, deps } = await setup({ 'kv/token': 't-1' })
    const landed: SecretProvider = {
      ...vault,
      put: async (request, ctx) => ({
        ...(await vault.put(request, ctx)),
        warnings: ['the answer to the write was lost (timeout); read back: it landed as version 2'],
      }),
    }
    const ran: string[] = []
    const report = await rotateSecret(
      def(manifest, 'token'),
      { value: () => Promise.resolve(sv('t-2')) },
      { ...deps({ provider: () => Promise.resolve(landed) }), hooks: hook(ran) },
    )
    expect(report).toMatchObject({ valueChanged: true, complete: true, version: '2' })
    expect(report.warnings).toEqual([expect.stringContaining('landed as version 2')])
    expect(ran).toEqual(['h'])
    expect(entries.find((e) => e.action === 'rotate')).toMatchObject({
      outcome: 'ok',
      detail:
        'version 2; the answer to the write was lost (timeout); read back: it landed as version 2',
    })
    // the hook's platform step is part of the rotation's record, after the write
    expect(entries.at(-1)).toMatchObject({
      action: 'rotate-step',
      secret: 'token',
      provider: 'h',
      outcome: 'ok',
      detail: 'synced',
    })
  })

  it('did not land: UNAVAILABLE, audited as not landed, hooks never run', async () => {
    const { manifest, vault, entries, deps } = await setup({ 'kv/token': 't-1' })
    const { ProviderUnavailableError } = await import('@floe/core')
    const lost: SecretProvider = {
      ...vault,
      put: () =>
        Promise.reject(
          new ProviderUnavailableError('lost; secret "token" did not change (still version 1)', {
            details: { writeState: 'not-landed', version: '1' },
          }),
        ),
    }
    const ran: string[] = []
    await expect(
      rotateSecret(
        def(manifest, 'token'),
        { value: () => Promise.resolve(sv('t-2')) },
        { ...deps({ provider: () => Promise.resolve(lost) }), hooks: hook(ran) },
      ),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(ran).toEqual([])
    expect(entries.at(-1)).toMatchObject({
      outcome: 'UNAVAILABLE',
      detail: 'did not land (read back)',
    })
  })
})

describe('validateManifest', () => {
  const outcome = (secret: string, o: Partial<DescribeOutcome>): DescribeOutcome => ({
    secret,
    provider: 'vault',
    ...o,
  })

  it('maps describe results to checks: missing keys, disabled state, NOT FOUND with its fix', async () => {
    const { manifest } = await setup()
    const { SecretNotFoundError } = await import('@floe/core')
    const report = await validateManifest({
      path: manifest.path,
      load: () => Promise.resolve(manifest),
      describe: () =>
        Promise.resolve([
          outcome('db', { metadata: { exists: true, keys: ['user'] } }),
          outcome('token', { metadata: { exists: true, state: 'disabled' } }),
          outcome('scoped', { error: new SecretNotFoundError('nope') }),
        ]),
    })
    expect(report.checks.map((c) => [c.subject, c.ok, c.message])).toEqual([
      ['db', false, 'exists, missing key: password'],
      ['token', false, 'exists but is disabled'],
      ['scoped', false, 'NOT FOUND'],
    ])
    // no generator: the fix names the flag that gives the value, so it works as printed
    expect(report.checks[2]!.fix).toBe('floe secrets create scoped --from-file FILE')
    expect(report.errors).toBe(3)
    expect(report.exitCode).toBe(1)
  })

  it('accepts the usable provider states and reports a clean manifest as 0 errors', async () => {
    const { manifest } = await setup()
    const report = await validateManifest({
      path: manifest.path,
      load: () => Promise.resolve(manifest),
      describe: () =>
        Promise.resolve([
          outcome('db', {
            metadata: { exists: true, keys: ['user', 'password'], state: 'ENABLED' },
          }),
          outcome('token', { metadata: { exists: true, state: 'enabled' } }),
          outcome('scoped', { metadata: { exists: true, state: 'active' } }),
        ]),
    })
    expect(report.errors).toBe(0)
    expect(report.exitCode).toBe(0)
  })

  it('a manifest that does not load is reported as checks, not thrown', async () => {
    const report = await validateManifest({
      path: 'floe.yaml',
      load: () => loadManifestFromString('secrets: [1, 2]\n', { env: {} }),
    })
    expect(report.checks[0]).toMatchObject({ ok: false, subject: 'manifest' })
    expect(report.errors).toBeGreaterThan(0)
  })
})
