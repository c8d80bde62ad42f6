import { fetchAll, SecretValue, isFloeError, type FetchOutcome } from '@floe/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { crc32c } from '../src/crc32c.js'
import { configSchema, createGcpSecretManagerProvider, provider } from '../src/index.js'
import { BEARER, PROJECT, startGcpFixture, testContext, type GcpFixture } from './helpers.js'

let fx: GcpFixture
beforeAll(async () => {
  fx = await startGcpFixture()
})
afterAll(async () => {
  await fx.close()
})
beforeEach(() => fx.emulator.reset())

const ctx = testContext()
const cfg = (secret: string, extra: Record<string, unknown> = {}) => ({
  project: PROJECT,
  secret,
  ...extra,
})
const failed = (outcome: FetchOutcome | undefined) => {
  if (!outcome || outcome.ok) throw new Error('expected a failed outcome')
  return outcome.error
}

describe('configSchema', () => {
  it('accepts the seed 002 example and rejects unknown or malformed fields', () => {
    expect(
      configSchema.safeParse({
        project: 'my-gcp-project',
        secret: 'production-api-key',
        version: 'latest',
        auth: { type: 'workload_identity' },
      }).success,
    ).toBe(true)
    expect(
      configSchema.safeParse({
        project: 'p',
        secret: 's',
        version: 3,
        auth: { type: 'service_account', key_file: '/etc/gcp/sa.json' },
      }).success,
    ).toBe(true)
    expect(configSchema.safeParse({ project: 'p', secret: 's', region: 'x' }).success).toBe(false)
    expect(configSchema.safeParse({ project: 'p', secret: 's', version: 'v2' }).success).toBe(false)
    expect(configSchema.safeParse({ project: 'p', secret: 'bad/name' }).success).toBe(false)
    expect(
      configSchema.safeParse({ project: 'p', secret: 's', auth: { type: 'service_account' } })
        .success,
    ).toBe(false)
  })

  it('is the schema exported by the provider module', () => {
    expect(provider.name).toBe('gcp_secret_manager')
    expect(provider.configSchema).toBe(configSchema)
  })
})

describe('gcp_secret_manager provider against the emulator', () => {
  const make = () => createGcpSecretManagerProvider({ client: fx.sdk, headers: BEARER })

  it('fetches latest and numbered versions; JSON payloads expose keys', async () => {
    fx.emulator.seed({
      project: PROJECT,
      secret: 'wh',
      versions: ['{"user":"etl","password":"p1"}', '{"user":"etl","password":"p2"}'],
    })
    const p = make()
    const [latest, first] = await fetchAll(
      p,
      [
        { secret: 'wh', config: cfg('wh') },
        { secret: 'wh', config: cfg('wh'), version: '1' },
      ],
      ctx,
    )
    if (!latest?.ok || !first?.ok) throw new Error('fetch failed')
    expect(latest.secret.version).toBe('2')
    expect(latest.secret.keys?.password?.reveal()).toBe('p2')
    expect(first.secret.keys?.password?.reveal()).toBe('p1')
    expect(fx.emulator.calls.byOperation()).toEqual({ AccessSecretVersion: 2 })
  })

  it('reports a CRC32C mismatch as INVALID without returning the value', async () => {
    fx.emulator.seed({
      project: PROJECT,
      secret: 'corrupt',
      versions: [{ data: 'hunter2', crc32c: crc32c(Buffer.from('other')) }],
    })
    const error = failed(
      (await fetchAll(make(), [{ secret: 'corrupt', config: cfg('corrupt') }], ctx))[0],
    )
    expect(error.code).toBe('INVALID')
    expect(error.message).toContain('CRC32C')
    expect(error.message).not.toContain('hunter2')
  })

  it('reports a disabled version as INVALID "version N is DISABLED", a destroyed one likewise', async () => {
    fx.emulator.seed({
      project: PROJECT,
      secret: 'old',
      versions: ['a', { data: 'b', state: 'DISABLED' }, { data: '', state: 'DESTROYED' }],
    })
    const [latest, disabled] = await fetchAll(
      make(),
      [
        { secret: 'old', config: cfg('old') },
        { secret: 'old', config: cfg('old', { version: 2 }) },
      ],
      ctx,
    )
    expect(failed(latest).code).toBe('INVALID')
    expect(failed(latest).message).toContain('version 3 is DESTROYED')
    expect(failed(disabled).message).toContain('version 2 is DISABLED')
    expect(failed(disabled).message).toMatch(/^\[gcp_secret_manager\] /)
  })

  it('classifies NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED and RESOURCE_EXHAUSTED', async () => {
    fx.emulator.seed({ project: PROJECT, secret: 'locked', versions: ['x'] })
    fx.emulator.seed({ project: PROJECT, secret: 'ok', versions: ['x'] })
    fx.emulator.deny('locked')
    fx.emulator.faults.add({ operation: 'AccessSecretVersion', kind: 'throttle', calls: [3] })
    const p = make()
    const outcomes = await fetchAll(
      p,
      [
        { secret: 'missing', config: cfg('missing') },
        { secret: 'locked', config: cfg('locked') },
      ],
      ctx,
    )
    expect(outcomes.map((o) => failed(o).code)).toEqual(['NOT_FOUND', 'FORBIDDEN'])
    const throttled = failed((await fetchAll(p, [{ secret: 'ok', config: cfg('ok') }], ctx))[0])
    expect(throttled.code).toBe('UNAVAILABLE')
    expect(throttled.transient).toBe(true)
    const noAuth = createGcpSecretManagerProvider({ client: fx.sdk })
    const unauthenticated = failed(
      (await fetchAll(noAuth, [{ secret: 'ok', config: cfg('ok') }], ctx))[0],
    )
    expect(unauthenticated.code).toBe('FORBIDDEN')
    expect(unauthenticated.hint).toContain('Application Default Credentials')
  })

  it('describe uses GetSecret + ListSecretVersions only: state, dates, no payload', async () => {
    fx.emulator.seed({
      project: PROJECT,
      secret: 'meta',
      labels: { team: 'data' },
      versions: ['a', { data: 'b', state: 'DISABLED' }],
    })
    const meta = await make().describe!({ secret: 'meta', config: cfg('meta') }, ctx)
    expect(meta).toMatchObject({ exists: true, version: '2', state: 'DISABLED', type: 'secret' })
    expect(meta.status).toMatchObject({ versions: '1 enabled of 2', 'label.team': 'data' })
    expect(meta.updatedAt).toBeInstanceOf(Date)
    expect(fx.emulator.calls.count('AccessSecretVersion')).toBe(0)
    expect(Object.keys(fx.emulator.calls.byOperation()).sort()).toEqual([
      'GetSecret',
      'ListSecretVersions',
    ])
    await expect(
      make().describe!({ secret: 'meta', config: cfg('meta', { version: 9 }) }, ctx),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('put creates with labels, enforces compare-and-set, and can disable the previous version', async () => {
    const p = make()
    const created = await p.put!(
      {
        secret: 'new',
        config: cfg('new', { labels: { owner: 'floe' } }),
        data: new SecretValue('one'),
      },
      ctx,
    )
    expect(created).toEqual({ version: '1', created: true })
    const meta = await p.describe!({ secret: 'new', config: cfg('new') }, ctx)
    expect(meta.status?.['label.owner']).toBe('floe')
    await expect(
      p.put!(
        { secret: 'new', config: cfg('new'), data: new SecretValue('x'), expectedVersion: '7' },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    const rotated = await p.put!(
      {
        secret: 'new',
        config: cfg('new', { disable_previous: true }),
        data: new SecretValue('two'),
        expectedVersion: '1',
      },
      ctx,
    )
    expect(rotated).toEqual({ version: '2', previousVersion: '1', created: false })
    expect(fx.emulator.versionState(`projects/${PROJECT}/secrets/new`, 1)).toBe('DISABLED')
    // the emulator verified the CRC32C the provider sent with the payload
    const [read] = await fetchAll(p, [{ secret: 'new', config: cfg('new') }], ctx)
    expect(read?.ok && read.secret.value.reveal()).toBe('two')
  })

  it('lists names only, with a prefix, across pages', async () => {
    for (let i = 0; i < 5; i++)
      fx.emulator.seed({ project: PROJECT, secret: `etl-${i}`, versions: ['v'] })
    fx.emulator.seed({ project: PROJECT, secret: 'other', versions: ['v'] })
    const names: string[] = []
    for await (const l of make().list!({ prefix: 'etl-', config: { project: PROJECT } }, ctx))
      names.push(l.name)
    expect(names).toEqual(['etl-0', 'etl-1', 'etl-2', 'etl-3', 'etl-4'])
  })

  it('regional secrets use projects/p/locations/l names', async () => {
    fx.emulator.seed({
      project: PROJECT,
      secret: 'eu',
      location: 'europe-west1',
      versions: ['regional'],
    })
    const [res] = await fetchAll(
      make(),
      [{ secret: 'eu', config: cfg('eu', { location: 'europe-west1' }) }],
      ctx,
    )
    expect(res?.ok && res.secret.value.reveal()).toBe('regional')
    expect(fx.emulator.calls.records[0]?.detail).toEqual({
      resource: `projects/${PROJECT}/locations/europe-west1/secrets/eu`,
    })
  })

  it('builds its own client from an http:// endpoint (emulator bearer) and closes it on dispose', async () => {
    fx.emulator.seed({ project: PROJECT, secret: 'own', versions: ['via-endpoint'] })
    const p = provider.create()
    const [res] = await fetchAll(
      p,
      [{ secret: 'own', config: cfg('own', { endpoint: fx.emulator.url }) }],
      ctx,
    )
    expect(res?.ok && res.secret.value.reveal()).toBe('via-endpoint')
    const check = await p.check!(ctx, cfg('own', { endpoint: fx.emulator.url }))
    expect(check.status).toBe('ready')
    await p.dispose!()
  })

  it('rejects an invalid version and configuration without calling the service', async () => {
    const [bad, badConfig] = await fetchAll(
      make(),
      [
        { secret: 's', config: cfg('s'), version: 'AWSCURRENT' },
        { secret: 't', config: { project: PROJECT } },
      ],
      ctx,
    )
    expect(failed(bad).code).toBe('INVALID')
    expect(failed(badConfig).code).toBe('INVALID')
    expect(fx.emulator.calls.count()).toBe(0)
  })

  it('a service account key file that does not exist is a configuration error', async () => {
    const p = provider.create()
    const error = failed(
      (
        await fetchAll(
          p,
          [
            {
              secret: 's',
              config: cfg('s', {
                auth: { type: 'service_account', key_file: '/nonexistent/key.json' },
              }),
            },
          ],
          ctx,
        )
      )[0],
    )
    expect(isFloeError(error, 'CONFIG')).toBe(true)
    await p.dispose!()
  })
})
