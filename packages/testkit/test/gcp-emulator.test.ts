import * as grpc from '@grpc/grpc-js'
import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  crc32c,
  startGcpSecretManagerEmulator,
  type GcpSecretManagerEmulator,
} from '../src/index.js'

const AUTH = { otherArgs: { headers: { authorization: 'Bearer test-token' } } }
const NO_RETRY = { ...AUTH, retry: { retryCodes: [] as number[] } }

let emulator: GcpSecretManagerEmulator
let client: SecretManagerServiceClient

beforeAll(async () => {
  emulator = await startGcpSecretManagerEmulator()
  client = new SecretManagerServiceClient({
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  })
})
afterAll(async () => {
  await client.close()
  await emulator.close()
})
beforeEach(() => emulator.reset())

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message }
  }
  throw new Error('expected a failure')
}

describe('GCP Secret Manager emulator through the real SDK', () => {
  it('serves AccessSecretVersion with payload and a correct CRC32C', async () => {
    emulator.seed({ project: 'p1', secret: 'db', versions: ['v1', '{"user":"u","password":"pw"}'] })
    const [latest] = await client.accessSecretVersion(
      { name: 'projects/p1/secrets/db/versions/latest' },
      AUTH,
    )
    const data = Buffer.from(latest.payload!.data as Uint8Array)
    expect(data.toString()).toBe('{"user":"u","password":"pw"}')
    expect(latest.name).toBe('projects/p1/secrets/db/versions/2')
    expect(Number(latest.payload!.dataCrc32c)).toBe(crc32c(data))
    const [first] = await client.accessSecretVersion(
      { name: 'projects/p1/secrets/db/versions/1' },
      AUTH,
    )
    expect(Buffer.from(first.payload!.data as Uint8Array).toString()).toBe('v1')
    expect(emulator.calls.byOperation()).toEqual({ AccessSecretVersion: 2 })
  })

  it('known CRC32C vector', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
  })

  it('rejects calls without an authorization bearer (UNAUTHENTICATED, not counted)', async () => {
    emulator.seed({ project: 'p1', secret: 'db', versions: ['x'] })
    const failure = await codeOf(
      client.accessSecretVersion(
        { name: 'projects/p1/secrets/db/versions/1' },
        { retry: NO_RETRY.retry },
      ),
    )
    expect(failure.code).toBe(grpc.status.UNAUTHENTICATED)
    expect(emulator.calls.count()).toBe(0)
  })

  it('NOT_FOUND for a missing secret and a missing version', async () => {
    emulator.seed({ project: 'p1', secret: 'db', versions: ['x'] })
    expect(
      (
        await codeOf(
          client.accessSecretVersion({ name: 'projects/p1/secrets/nope/versions/latest' }, AUTH),
        )
      ).code,
    ).toBe(5)
    expect(
      (
        await codeOf(
          client.accessSecretVersion({ name: 'projects/p1/secrets/db/versions/7' }, AUTH),
        )
      ).code,
    ).toBe(5)
    expect((await codeOf(client.getSecret({ name: 'projects/p1/secrets/nope' }, AUTH))).code).toBe(
      5,
    )
  })

  it('INVALID_ARGUMENT for malformed names', async () => {
    expect(
      (
        await codeOf(
          client.accessSecretVersion({ name: 'projects/p1/secrets/db/versions/abc' }, AUTH),
        )
      ).code,
    ).toBe(3)
    expect((await codeOf(client.getSecret({ name: 'secrets/db' }, AUTH))).code).toBe(3)
  })

  it('disabled and destroyed versions cannot be accessed (FAILED_PRECONDITION)', async () => {
    emulator.seed({ project: 'p1', secret: 'db', versions: ['a', 'b'] })
    const [disabled] = await client.disableSecretVersion(
      { name: 'projects/p1/secrets/db/versions/2' },
      AUTH,
    )
    expect(disabled.state).toBe('DISABLED')
    const failure = await codeOf(
      client.accessSecretVersion({ name: 'projects/p1/secrets/db/versions/latest' }, AUTH),
    )
    expect(failure.code).toBe(grpc.status.FAILED_PRECONDITION)
    expect(failure.message).toContain('versions/2] is in DISABLED state')
    const [enabled] = await client.enableSecretVersion(
      { name: 'projects/p1/secrets/db/versions/2' },
      AUTH,
    )
    expect(enabled.state).toBe('ENABLED')
    await client.destroySecretVersion({ name: 'projects/p1/secrets/db/versions/1' }, AUTH)
    expect(emulator.versionState('projects/p1/secrets/db', 1)).toBe('DESTROYED')
    expect(
      (
        await codeOf(
          client.accessSecretVersion({ name: 'projects/p1/secrets/db/versions/1' }, AUTH),
        )
      ).code,
    ).toBe(9)
    expect(
      (
        await codeOf(
          client.enableSecretVersion({ name: 'projects/p1/secrets/db/versions/1' }, AUTH),
        )
      ).code,
    ).toBe(9)
  })

  it('creates secrets, adds versions with checksums, rejects a wrong checksum and duplicates', async () => {
    const [created] = await client.createSecret(
      {
        parent: 'projects/p2',
        secretId: 'api',
        secret: { replication: { automatic: {} }, labels: { team: 'data' } },
      },
      AUTH,
    )
    expect(created.name).toBe('projects/p2/secrets/api')
    expect(created.labels).toEqual({ team: 'data' })
    const data = Buffer.from('token-1')
    const [v1] = await client.addSecretVersion(
      { parent: created.name, payload: { data, dataCrc32c: crc32c(data) } },
      AUTH,
    )
    expect(v1.name).toBe('projects/p2/secrets/api/versions/1')
    expect(v1.clientSpecifiedPayloadChecksum).toBe(true)
    const bad = await codeOf(
      client.addSecretVersion({ parent: created.name, payload: { data, dataCrc32c: 1 } }, AUTH),
    )
    expect(bad.code).toBe(3)
    const dup = await codeOf(
      client.createSecret(
        { parent: 'projects/p2', secretId: 'api', secret: { replication: { automatic: {} } } },
        AUTH,
      ),
    )
    expect(dup.code).toBe(grpc.status.ALREADY_EXISTS)
    const noReplication = await codeOf(
      client.createSecret({ parent: 'projects/p2', secretId: 'x', secret: {} }, AUTH),
    )
    expect(noReplication.code).toBe(3)
  })

  it('pages ListSecrets and ListSecretVersions (newest first) and filters by label', async () => {
    for (let i = 0; i < 7; i++) {
      emulator.seed({
        project: 'p3',
        secret: `s${i}`,
        labels: { env: i % 2 ? 'prod' : 'dev' },
        versions: ['x'],
      })
    }
    emulator.seed({ project: 'other', secret: 'hidden', versions: ['x'] })
    const [page1, next] = await client.listSecrets(
      { parent: 'projects/p3', pageSize: 3 },
      { ...AUTH, autoPaginate: false },
    )
    expect(page1.map((s) => s.name)).toEqual([
      'projects/p3/secrets/s0',
      'projects/p3/secrets/s1',
      'projects/p3/secrets/s2',
    ])
    expect(next?.pageToken).toBeTruthy()
    const names: string[] = []
    for await (const s of client.listSecretsAsync({ parent: 'projects/p3', pageSize: 2 }, AUTH))
      names.push(s.name!)
    expect(names).toHaveLength(7)
    expect(emulator.calls.count('ListSecrets')).toBe(1 + 4)
    const [prod] = await client.listSecrets(
      { parent: 'projects/p3', filter: 'labels.env=prod' },
      AUTH,
    )
    expect(prod.map((s) => s.name)).toEqual([
      'projects/p3/secrets/s1',
      'projects/p3/secrets/s3',
      'projects/p3/secrets/s5',
    ])

    emulator.seed({
      project: 'p3',
      secret: 's0',
      versions: ['y', { data: 'z', state: 'DISABLED' }],
    })
    const [versions] = await client.listSecretVersions({ parent: 'projects/p3/secrets/s0' }, AUTH)
    expect(versions.map((v) => [v.name?.split('/').pop(), v.state])).toEqual([
      ['3', 'DISABLED'],
      ['2', 'ENABLED'],
      ['1', 'ENABLED'],
    ])
    const [enabled] = await client.listSecretVersions(
      { parent: 'projects/p3/secrets/s0', filter: 'state:ENABLED' },
      AUTH,
    )
    expect(enabled).toHaveLength(2)
    const [version] = await client.getSecretVersion(
      { name: 'projects/p3/secrets/s0/versions/3' },
      AUTH,
    )
    expect(version.state).toBe('DISABLED')
    expect(Number(version.createTime?.seconds)).toBeGreaterThan(1_600_000_000)
  })

  it('updates labels and supports regional secrets', async () => {
    emulator.seed({ project: 'p4', secret: 'reg', location: 'europe-west1', versions: ['eu'] })
    const [res] = await client.accessSecretVersion(
      { name: 'projects/p4/locations/europe-west1/secrets/reg/versions/latest' },
      AUTH,
    )
    expect(Buffer.from(res.payload!.data as Uint8Array).toString()).toBe('eu')
    const [updated] = await client.updateSecret(
      {
        secret: { name: 'projects/p4/locations/europe-west1/secrets/reg', labels: { owner: 'x' } },
        updateMask: { paths: ['labels'] },
      },
      AUTH,
    )
    expect(updated.labels).toEqual({ owner: 'x' })
  })

  it('deny list → PERMISSION_DENIED; faults → RESOURCE_EXHAUSTED / UNAVAILABLE, counted', async () => {
    emulator.seed({ project: 'p5', secret: 'locked', versions: ['x'] })
    emulator.seed({ project: 'p5', secret: 'open', versions: ['x'] })
    emulator.deny('locked')
    const denied = await codeOf(
      client.accessSecretVersion({ name: 'projects/p5/secrets/locked/versions/latest' }, AUTH),
    )
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED)
    expect(denied.message).toContain('secretmanager.versions.access')

    emulator.faults.add({ operation: 'AccessSecretVersion', kind: 'throttle', times: 1 })
    emulator.faults.add({ operation: 'AccessSecretVersion', kind: 'error', calls: [3] })
    const name = 'projects/p5/secrets/open/versions/1'
    expect((await codeOf(client.accessSecretVersion({ name }, NO_RETRY))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    )
    expect((await codeOf(client.accessSecretVersion({ name }, NO_RETRY))).code).toBe(
      grpc.status.UNAVAILABLE,
    )
    await client.accessSecretVersion({ name }, NO_RETRY)
    expect(emulator.calls.count('AccessSecretVersion')).toBe(4)
    expect(emulator.calls.records.map((r) => r.fault ?? 'ok')).toEqual([
      'ok',
      'throttle',
      'error',
      'ok',
    ])
    expect(JSON.stringify(emulator.calls.records)).not.toContain('"x"')
  })

  it('answers UNIMPLEMENTED for methods it does not emulate', async () => {
    const failure = await codeOf(client.getIamPolicy({ resource: 'projects/p/secrets/s' }, AUTH))
    expect(failure.code).toBe(grpc.status.UNIMPLEMENTED)
  })
})
