import { fetchAll, SecretValue } from '@floe/core'
import {
  AWS_BACKENDS,
  fetchRequest,
  preferNodeBuildsOfAwsSdk,
  quietContext,
  startAwsBackend,
  type AwsBackend,
} from '@floe/testkit'
import { createRequire } from 'node:module'
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { provider, type SecretsManagerProvider } from '../src/index.js'

// Behaviour that must hold against floe's emulator AND moto_server. State is arranged with
// the SDK itself, so each test reads the same against both back ends.
preferNodeBuildsOfAwsSdk()
const {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} = createRequire(import.meta.url)(
  '@aws-sdk/client-secrets-manager',
) as typeof import('@aws-sdk/client-secrets-manager')

const ctx = quietContext()
const req = fetchRequest

/** what moto (werkzeug) answers for an operation it does not implement */
const HTML_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n'

describe.each(AWS_BACKENDS)('aws_secrets_manager against %s', (kind) => {
  let backend: AwsBackend
  let sdk: InstanceType<typeof SecretsManagerClient>
  let client: InstanceType<typeof SecretsManagerClient>
  const fresh = () => provider.create({ client }) as SecretsManagerProvider

  beforeAll(async () => {
    backend = await startAwsBackend(kind)
    sdk = new SecretsManagerClient(backend.clientConfig())
    client = new SecretsManagerClient(backend.clientConfig())
  })
  afterAll(async () => {
    sdk?.destroy()
    client?.destroy()
    await backend?.close()
  })
  beforeEach(async () => backend.reset())

  const create = (Name: string, SecretString: string) =>
    sdk.send(new CreateSecretCommand({ Name, SecretString }))

  it('a secret scheduled for deletion is NOT_FOUND with a restore hint, alone and in a batch', async () => {
    await create('app/gone', 'old')
    await create('app/kept', 'kept')
    await sdk.send(new DeleteSecretCommand({ SecretId: 'app/gone', RecoveryWindowInDays: 7 }))
    const sm = fresh()
    const [alone] = await fetchAll(sm, [req('gone', { secret_id: 'app/gone' })], ctx)
    const batch = await fetchAll(
      sm,
      [req('gone', { secret_id: 'app/gone' }), req('kept', { secret_id: 'app/kept' })],
      ctx,
    )
    for (const outcome of [alone, batch[0]]) {
      expect(outcome?.ok).toBe(false)
      if (outcome?.ok !== false) continue
      expect(outcome.error.code).toBe('NOT_FOUND')
      expect(outcome.error.message).toMatch(/scheduled for deletion/)
      expect(outcome.error.hint).toContain('aws secretsmanager restore-secret --secret-id app/gone')
    }
    expect(batch[1]?.ok && batch[1].secret.value.reveal()).toBe('kept')
    await expect(sm.describe!(req('gone', { secret_id: 'app/gone' }), ctx)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('create on a name scheduled for deletion says so (restore or wait), not "already exists"', async () => {
    await create('app/gone', 'old')
    await sdk.send(new DeleteSecretCommand({ SecretId: 'app/gone', RecoveryWindowInDays: 7 }))
    const error = await fresh().put!(
      {
        secret: 'gone',
        config: { secret_id: 'app/gone' },
        data: new SecretValue('new', 'gone'),
        createOnly: true,
      },
      ctx,
    ).catch((e: unknown) => e as { code: string; message: string; hint?: string })
    expect(error).toMatchObject({ code: 'CONFLICT' })
    expect((error as Error).message).toMatch(/scheduled for deletion/)
    expect((error as Error).message).not.toMatch(/already exists/)
    expect((error as { hint?: string }).hint).toContain('restore-secret --secret-id app/gone')
  })

  it.each([
    ['an HTML 500 (moto, for an operation it lacks)', { status: 500, body: HTML_500 }],
    [
      'UnknownOperationException',
      {
        status: 400,
        contentType: 'application/x-amz-json-1.1',
        body: JSON.stringify({ __type: 'UnknownOperationException' }),
      },
    ],
    [
      '501 NotImplemented',
      {
        status: 501,
        contentType: 'application/x-amz-json-1.1',
        body: JSON.stringify({ __type: 'NotImplemented', message: 'not implemented' }),
      },
    ],
  ])('falls back from BatchGetSecretValue to GetSecretValue on %s, once', async (_, fault) => {
    for (const n of [1, 2, 3]) await create(`app/s${n}`, `v${n}`)
    backend.faults.add({ operation: 'BatchGetSecretValue', kind: 'error', ...fault })
    const sm = fresh()
    const requests = [1, 2, 3].map((n) => req(`s${n}`, { secret_id: `app/s${n}` }))
    const outcomes = await fetchAll(sm, requests, ctx)
    expect(outcomes.map((o) => (o.ok ? o.secret.value.reveal() : o.error.message))).toEqual([
      'v1',
      'v2',
      'v3',
    ])
    expect(backend.calls.count('BatchGetSecretValue')).toBe(1)
    expect(backend.calls.count('GetSecretValue')).toBe(3)
    // the client stops trying the batch call it cannot use
    await fetchAll(sm, requests, ctx)
    expect(backend.calls.count('BatchGetSecretValue')).toBe(1)
  })

  it('an HTML answer never leaks parser text into the error', async () => {
    await create('app/s1', 'v1')
    await create('app/s2', 'v2')
    backend.faults.add({ operation: '*', kind: 'error', status: 500, body: HTML_500 })
    const outcomes = await fetchAll(
      fresh(),
      [req('s1', { secret_id: 'app/s1' }), req('s2', { secret_id: 'app/s2' })],
      ctx,
    )
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false)
      if (outcome.ok) continue
      expect(outcome.error.code).toBe('UNAVAILABLE')
      expect(outcome.error.message).not.toMatch(/SyntaxError|Unexpected token|<!doctype|<html/i)
      expect(outcome.error.message).toMatch(/HTTP 500/)
      expect(inspect(outcome.error)).not.toMatch(/Unexpected token/)
    }
  })

  it('rotate --generate on a secret pinned to a custom stage writes a new version and moves that stage', async () => {
    const first = await create('app/pinned', 'one')
    const staged = await sdk.send(
      new PutSecretValueCommand({
        SecretId: 'app/pinned',
        SecretString: 'two',
        VersionStages: ['STAGEX'],
      }),
    )
    const sm = fresh()
    const config = { secret_id: 'app/pinned', version_stage: 'STAGEX' }
    const before = await sm.describe!(req('pinned', config), ctx)
    expect(before.version).toBe(staged.VersionId)
    // what `floe secrets rotate pinned --generate` does: compare-and-set on the pinned version
    const put = await sm.put!(
      {
        secret: 'pinned',
        config,
        data: new SecretValue('three', 'pinned'),
        expectedVersion: before.version,
      },
      ctx,
    )
    expect(put.previousVersion).toBe(staged.VersionId)
    const [read] = await fetchAll(sm, [req('pinned', config)], ctx)
    expect(read?.ok && read.secret.value.reveal()).toBe('three')
    expect(read?.ok && read.secret.version).toBe(put.version)
    // AWSCURRENT (what unpinned readers get) is untouched
    const current = await sdk.send(
      new GetSecretValueCommand({ SecretId: 'app/pinned', VersionStage: 'AWSCURRENT' }),
    )
    expect(current.SecretString).toBe('one')
    expect(current.VersionId).toBe(first.VersionId)
    const stages = (await sdk.send(new DescribeSecretCommand({ SecretId: 'app/pinned' })))
      .VersionIdsToStages
    expect(stages?.[put.version!]).toEqual(['STAGEX'])
    expect(stages?.[staged.VersionId!] ?? []).not.toContain('STAGEX')
    // a lost race on the pinned stage is a CONFLICT, not a silent overwrite
    await expect(
      sm.put!(
        {
          secret: 'pinned',
          config,
          data: new SecretValue('four', 'pinned'),
          expectedVersion: staged.VersionId,
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
  })
})
