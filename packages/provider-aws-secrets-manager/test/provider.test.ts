import {
  fetchAll,
  createProviderRegistry,
  createResolver,
  watchRotations,
  parseSecretRef,
  SecretValue,
  type SecretDefinition,
} from '@floe/core'
import { provider as envProvider } from '@floe/provider-env'
import {
  fetchRequest,
  preferNodeBuildsOfAwsSdk,
  quietContext,
  startAwsEmulator,
  startMotoServer,
  type AwsEmulator,
} from '@floe/testkit'
import { createRequire } from 'node:module'
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { provider, configSchema, type SecretsManagerProvider } from '../src/index.js'

preferNodeBuildsOfAwsSdk()
const { SecretsManagerClient, CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } =
  createRequire(import.meta.url)(
    '@aws-sdk/client-secrets-manager',
  ) as typeof import('@aws-sdk/client-secrets-manager')

let emu: AwsEmulator
let client: InstanceType<typeof SecretsManagerClient>
let sm: SecretsManagerProvider
const ctx = quietContext()
const req = fetchRequest

beforeAll(async () => {
  emu = await startAwsEmulator()
  client = new SecretsManagerClient(emu.clientConfig())
  sm = provider.create({ client }) as SecretsManagerProvider
})
afterAll(async () => {
  client.destroy()
  await emu.close()
})
beforeEach(() => emu.reset())

describe('aws_secrets_manager: fetch', () => {
  it('batches distinct secrets into BatchGetSecretValue calls of at most 20', async () => {
    for (let i = 0; i < 45; i++) emu.putSecret(`app/s${i}`, `v${i}`)
    // duplicates of the same secret_id share one slot in the batch
    const requests = Array.from({ length: 50 }, (_, i) =>
      req(`s${i}`, { secret_id: `app/s${i % 45}` }),
    )
    const outcomes = await fetchAll(sm, requests, ctx)
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(outcomes.map((o) => (o.ok ? o.secret.value.reveal() : ''))).toEqual(
      requests.map((_, i) => `v${i % 45}`),
    )
    expect(emu.calls.byOperation()).toEqual({ BatchGetSecretValue: 3 })
    expect(provider.maxBatchSize).toBe(20)
    expect(sm.maxBatchSize).toBe(20)
  })

  it('maps per-secret Errors[] of a batch to typed errors, in request order', async () => {
    emu.putSecret('ok', 'fine')
    emu.putSecret('denied', 'hidden')
    emu.deny({ resource: 'denied' })
    const outcomes = await fetchAll(
      sm,
      [
        req('a', { secret_id: 'ok' }),
        req('b', { secret_id: 'absent' }),
        req('c', { secret_id: 'denied' }),
      ],
      ctx,
    )
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
      'ok',
      'NOT_FOUND',
      'FORBIDDEN',
    ])
    const forbidden = outcomes[2]
    expect(forbidden?.ok === false && forbidden.error.message).toMatch(
      /^\[aws_secrets_manager\] access to secret "c"/,
    )
  })

  it('falls back to GetSecretValue when BatchGetSecretValue itself is denied, then stops batching', async () => {
    for (let i = 0; i < 3; i++) emu.putSecret(`nb/s${i}`, `v${i}`)
    emu.deny({ operation: 'BatchGetSecretValue' })
    const own = provider.create({ client })
    const requests = [0, 1, 2].map((i) => req(`s${i}`, { secret_id: `nb/s${i}` }))
    const first = await fetchAll(own, requests, ctx)
    expect(first.map((o) => (o.ok ? o.secret.value.reveal() : o.error.code))).toEqual([
      'v0',
      'v1',
      'v2',
    ])
    expect(emu.calls.byOperation()).toEqual({ BatchGetSecretValue: 1, GetSecretValue: 3 })
    await fetchAll(own, requests, ctx)
    expect(emu.calls.byOperation()).toEqual({ BatchGetSecretValue: 1, GetSecretValue: 6 })
  })

  it('reads JSON keys, versions by stage or id, and SecretBinary as text or base64', async () => {
    const { versionId: v1 } = emu.putSecret('db', { user: 'app', password: 'one' })
    emu.putSecret('db', { user: 'app', password: 'two' })
    emu.putSecret('text-blob', new TextEncoder().encode('pem-text'))
    emu.putSecret('raw-blob', new Uint8Array([0xff, 0x00, 0x10]))
    const [current, previous, byId, text, raw] = await fetchAll(
      sm,
      [
        req('db', { secret_id: 'db' }),
        req('db', { secret_id: 'db' }, 'AWSPREVIOUS'),
        req('db', { secret_id: 'db', version_id: v1 }),
        req('t', { secret_id: 'text-blob', version_stage: 'AWSCURRENT' }),
        req('r', { secret_id: 'raw-blob' }),
      ],
      ctx,
    )
    expect(current?.ok && current.secret.keys?.password?.reveal()).toBe('two')
    expect(previous?.ok && previous.secret.keys?.password?.reveal()).toBe('one')
    expect(byId?.ok && byId.secret.version).toBe(v1)
    expect(text?.ok && text.secret.value.reveal()).toBe('pem-text')
    expect(raw?.ok && raw.secret.value.reveal()).toBe(
      Buffer.from([0xff, 0x00, 0x10]).toString('base64'),
    )
    // stage/id reads use GetSecretValue (BatchGetSecretValue only returns AWSCURRENT)
    expect(emu.calls.count('GetSecretValue')).toBe(2)
  })

  it('classifies throttling with Retry-After, 5xx and a closed port as UNAVAILABLE', async () => {
    emu.putSecret('x', 'v')
    emu.faults.add({ kind: 'throttle', calls: [1], retryAfterSeconds: 2 })
    const [throttled] = await fetchAll(sm, [req('x', { secret_id: 'x' })], ctx)
    expect(throttled?.ok === false && throttled.error).toMatchObject({
      code: 'UNAVAILABLE',
      retryAfterMs: 2000,
    })
    emu.faults.add({ kind: 'error', status: 503, times: 1 })
    const [failed] = await fetchAll(sm, [req('x', { secret_id: 'x' })], ctx)
    expect(failed?.ok === false && failed.error.code).toBe('UNAVAILABLE')

    const down = await startAwsEmulator()
    const url = down.url
    await down.close()
    const offline = provider.create({ clientConfig: { ...emu.clientConfig(), endpoint: url } })
    const [unreachable] = await fetchAll(offline, [req('x', { secret_id: 'x' })], ctx)
    expect(unreachable?.ok === false && unreachable.error.code).toBe('UNAVAILABLE')
    await offline.dispose?.()
  })

  it('times out a hung request as UNAVAILABLE; check() reports ready or not', async () => {
    emu.putSecret('slow', 'v')
    // the emulator holds the request for 3 s; the 200 ms request timeout must fire first
    emu.faults.add({ kind: 'timeout', ms: 3000, times: 1 })
    const impatient = provider.create({
      clientConfig: { ...emu.clientConfig(), requestHandler: { requestTimeout: 200 } },
    })
    const [outcome] = await fetchAll(impatient, [req('slow', { secret_id: 'slow' })], ctx)
    expect(outcome?.ok === false && outcome.error.code).toBe('UNAVAILABLE')
    expect(outcome?.ok === false && (outcome.error.cause as Error).name).toBe('TimeoutError')
    expect(await impatient.check!(ctx)).toMatchObject({ status: 'ready' })
    await impatient.dispose?.()
    const down = await startAwsEmulator()
    const url = down.url
    await down.close()
    const offline = provider.create({ clientConfig: { ...emu.clientConfig(), endpoint: url } })
    expect(await offline.check!(ctx)).toMatchObject({ status: 'unknown' })
    await offline.dispose?.()
  })

  it('builds its own client from endpoint, region and static auth', async () => {
    emu.putSecret('cfg', 'from-config')
    const own = provider.create()
    const config = {
      secret_id: 'cfg',
      region: 'eu-west-1',
      endpoint: emu.url,
      auth: { type: 'static', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'example' },
    }
    expect(configSchema.safeParse(config).success).toBe(true)
    const [outcome] = await fetchAll(own, [req('cfg', config)], ctx)
    expect(outcome?.ok && outcome.secret.value.reveal()).toBe('from-config')
    await own.dispose?.()
  })

  it('assumes a role through STS (fromTemporaryCredentials) and signs with the session', async () => {
    emu.putSecret('team/db', 'as-role')
    const roleArn = 'arn:aws:iam::123456789012:role/floe-reader'
    // clientConfig credentials are the source identity that calls sts:AssumeRole
    const own = provider.create({
      clientConfig: { region: 'us-east-1', credentials: emu.credentials },
    })
    const config = {
      secret_id: 'team/db',
      endpoint: emu.url,
      auth: {
        type: 'assume_role',
        role_arn: roleArn,
        session_name: 'floe-test',
        sts_endpoint: emu.url,
      },
    }
    const [outcome] = await fetchAll(own, [req('db', config)], ctx)
    expect(outcome?.ok && outcome.secret.value.reveal()).toBe('as-role')
    expect(emu.calls.records.map((r) => [r.operation, r.detail?.role])).toEqual([
      ['AssumeRole', undefined],
      ['GetSecretValue', roleArn],
    ])
    expect([...emu.sessions.values()]).toMatchObject([{ roleArn, sessionName: 'floe-test' }])
    emu.deny({ role: roleArn, resource: 'team/*' })
    const [denied] = await fetchAll(own, [req('db', config)], ctx)
    expect(denied?.ok === false && denied.error.code).toBe('FORBIDDEN')
    await own.dispose?.()
  })

  it('rejects invalid definitions with a CONFIG error naming the field', async () => {
    const [outcome] = await fetchAll(
      sm,
      [req('bad', { secret_id: 'x', version_stage: 'A', version_id: 'B'.repeat(36) })],
      ctx,
    )
    expect(outcome?.ok === false && outcome.error.code).toBe('CONFIG')
    expect(configSchema.safeParse({ secret_id: 'x', auth: { type: 'assume_role' } }).success).toBe(
      false,
    )
    expect(configSchema.safeParse({ secret_id: 'x', unknown: 1 }).success).toBe(false)
  })
})

describe('aws_secrets_manager: describe, list, put, rotate', () => {
  it('describes version and dates without reading the value', async () => {
    const { versionId } = emu.putSecret('meta', { a: '1' })
    const meta = await sm.describe!(req('meta', { secret_id: 'meta' }), ctx)
    expect(meta).toMatchObject({
      exists: true,
      version: versionId,
      status: { rotation: 'disabled' },
    })
    expect(meta.updatedAt).toBeInstanceOf(Date)
    expect(meta.keys).toBeUndefined()
    expect(emu.calls.byOperation()).toEqual({ DescribeSecret: 1 })
    await expect(
      sm.describe!(req('meta', { secret_id: 'meta' }, 'AWSPENDING'), ctx),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('lists names by prefix, following pages', async () => {
    for (let i = 0; i < 120; i++)
      emu.putSecret(`production/database/s${String(i).padStart(3, '0')}`, 'x')
    emu.putSecret('staging/other', 'x')
    const names: string[] = []
    for await (const listing of sm.list!({ prefix: 'production/database/*' }, ctx))
      names.push(listing.name)
    expect(names).toHaveLength(120)
    expect(names).not.toContain('staging/other')
    expect(emu.calls.count('ListSecrets')).toBe(2)
  })

  it('put stages AWSPENDING, promotes it to AWSCURRENT and keeps AWSPREVIOUS', async () => {
    const { versionId: v1 } = emu.putSecret('rot', 'old')
    const result = await sm.put!(
      {
        secret: 'rot',
        config: { secret_id: 'rot' },
        data: new SecretValue('new'),
        expectedVersion: v1,
      },
      ctx,
    )
    expect(result).toMatchObject({ created: false, previousVersion: v1 })
    const versions = emu.secretVersions('rot')!
    expect(versions.map((v) => [v.string, [...v.stages]])).toEqual([
      ['old', ['AWSPREVIOUS']],
      ['new', ['AWSCURRENT']],
    ])
    expect(emu.calls.records.map((r) => r.operation)).toEqual([
      'DescribeSecret',
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'UpdateSecretVersionStage',
    ])
  })

  it('a put that fails before promotion leaves AWSCURRENT untouched', async () => {
    emu.putSecret('safe', 'old')
    emu.faults.add({
      operation: 'UpdateSecretVersionStage',
      kind: 'error',
      status: 500,
      calls: [1],
    })
    await expect(
      sm.put!({ secret: 'safe', config: { secret_id: 'safe' }, data: new SecretValue('new') }, ctx),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    const [outcome] = await fetchAll(sm, [req('safe', { secret_id: 'safe' })], ctx)
    expect(outcome?.ok && outcome.secret.value.reveal()).toBe('old')
    expect(emu.secretVersions('safe')?.map((v) => [...v.stages])).toEqual([
      ['AWSCURRENT'],
      ['AWSPENDING'],
    ])
  })

  it('put creates an absent secret from key/value data; createOnly and stale versions conflict', async () => {
    const created = await sm.put!(
      {
        secret: 'kv',
        config: { secret_id: 'new/kv' },
        data: { user: new SecretValue('u'), pass: new SecretValue('p') },
      },
      ctx,
    )
    expect(created.created).toBe(true)
    expect(JSON.parse(emu.secretVersions('new/kv')![0]!.string!)).toEqual({ user: 'u', pass: 'p' })
    await expect(
      sm.put!(
        {
          secret: 'kv',
          config: { secret_id: 'new/kv' },
          data: new SecretValue('x'),
          createOnly: true,
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(
      sm.put!(
        {
          secret: 'kv',
          config: { secret_id: 'new/kv' },
          data: new SecretValue('x'),
          expectedVersion: 'stale',
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT', hint: 'read it again and retry' })
  })

  it('rotate without a Lambda is UNSUPPORTED with a hint; with one it calls RotateSecret', async () => {
    emu.putSecret('r', 'v')
    const error = await sm.rotate!(req('r', { secret_id: 'r' }), ctx).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNSUPPORTED' })
    expect((error as { hint: string }).hint).toContain('floe secrets rotate r --generate')
    const lambda = 'arn:aws:lambda:us-east-1:123456789012:function:rotate'
    const result = await sm.rotate!(req('r', { secret_id: 'r', rotation_lambda_arn: lambda }), ctx)
    expect(emu.rotations).toMatchObject([{ name: 'r', lambdaArn: lambda, token: result.version }])
    expect(result.steps[0]).toContain('RotateSecret')
  })

  it('planRotation checks what rotate would do and rotates nothing', async () => {
    emu.putSecret('p', 'v')
    const error = await sm.planRotation!(req('p', { secret_id: 'p' }), ctx).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNSUPPORTED' })
    const lambda = 'arn:aws:lambda:us-east-1:123456789012:function:rotate'
    const plan = await sm.planRotation!(
      req('p', { secret_id: 'p', rotation_lambda_arn: lambda }),
      ctx,
    )
    expect(plan.steps).toEqual([expect.stringMatching(/^Would start RotateSecret for p with arn:/)])
    expect(emu.rotations.filter((r: { name: string }) => r.name === 'p')).toEqual([])
  })

  it('never renders values in outcomes or errors', async () => {
    emu.putSecret('canary', 'CANARY-VALUE-123')
    const [outcome] = await fetchAll(sm, [req('canary', { secret_id: 'canary' })], ctx)
    expect(JSON.stringify(outcome)).not.toContain('CANARY-VALUE-123')
    expect(inspect(outcome, { depth: 10 })).not.toContain('CANARY-VALUE-123')
  })
})

describe('aws_secrets_manager through the floe resolver', () => {
  function definition(
    name: string,
    fields: Record<string, unknown>,
    extra: Partial<SecretDefinition> = {},
  ): SecretDefinition {
    return { name, provider: 'aws_secrets_manager', fields, kind: 'static', ...extra }
  }

  it('retries throttling on the first two calls, honouring Retry-After, and the log shows it', async () => {
    emu.putSecret('prod/db', { password: 'pw' })
    emu.faults.add({
      operation: 'GetSecretValue',
      kind: 'throttle',
      times: 2,
      retryAfterSeconds: 1,
    })
    const delays: number[] = []
    const resolver = createResolver({
      manifest: {
        secrets: { db: definition('db', { secret_id: 'prod/db' }) },
        config: {
          concurrency: 8,
          retry: { attempts: 4, backoff: 'exponential', initialDelayMs: 10, maxDelayMs: 5000 },
        },
      },
      catalog: createProviderRegistry({ modules: [provider] }),
      providerOptions: { aws_secrets_manager: { client } },
      sleep: async (ms) => {
        delays.push(ms)
      },
    })
    const ref = parseSecretRef('secret://db/password')
    const report = await resolver.resolve([ref])
    expect(report.failures).toEqual([])
    expect(report.valueOf(ref)?.reveal()).toBe('pw')
    expect(emu.calls.records.map((r) => [r.operation, r.fault])).toEqual([
      ['GetSecretValue', 'throttle'],
      ['GetSecretValue', 'throttle'],
      ['GetSecretValue', undefined],
    ])
    expect(delays).toHaveLength(2)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000)
    await resolver.dispose()
  })

  it('rotation.auto_refresh sees a new AWSCURRENT through DescribeSecret and the next resolve reads it', async () => {
    emu.putSecret('prod/database', { password: 'before' })
    const secrets = {
      database: definition(
        'database',
        { secret_id: 'prod/database' },
        {
          rotation: {
            autoRefresh: true,
            refreshIntervalMs: 300_000,
            onRotation: { action: 'reconnect' },
          },
        },
      ),
    }
    const resolver = createResolver({
      manifest: { secrets, config: { concurrency: 8 } },
      catalog: createProviderRegistry({ modules: [provider] }),
      providerOptions: { aws_secrets_manager: { client } },
      mode: 'long-running',
    })
    const ref = parseSecretRef('secret://database/password')
    expect((await resolver.resolve([ref])).valueOf(ref)?.reveal()).toBe('before')
    const events: { secret: string; action?: string }[] = []
    const watcher = watchRotations(resolver, { secrets }, (event) => events.push(event))
    await watcher.poll()
    // rotated outside floe (e.g. by the rotation Lambda)
    emu.putSecret('prod/database', { password: 'after' })
    await watcher.poll()
    watcher.stop()
    expect(events).toMatchObject([{ secret: 'database', action: 'reconnect' }])
    expect((await resolver.resolve([ref])).valueOf(ref)?.reveal()).toBe('after')
    // polling read metadata only: one value read per resolve, none from the watcher
    expect(emu.calls.count('GetSecretValue')).toBe(2)
    expect(emu.calls.count('DescribeSecret')).toBe(2)
    await resolver.dispose()
  })

  it('falls back to the env provider when AWS is unreachable; forbidden never becomes a default', async () => {
    const down = await startAwsEmulator()
    const url = down.url
    await down.close()
    emu.putSecret('locked', 'x')
    emu.deny({ resource: 'locked' })
    const resolver = createResolver({
      manifest: {
        secrets: {
          db: definition(
            'db',
            { secret_id: 'prod/db', endpoint: url },
            {
              fallback: { provider: 'env', fields: { variable: 'DB_PASSWORD' } },
              retry: { attempts: 2, backoff: 'constant', initialDelayMs: 1, maxDelayMs: 1 },
            },
          ),
          locked: definition(
            'locked',
            { secret_id: 'locked' },
            { onMissing: { action: 'default', defaultValue: 'dflt' } },
          ),
          absent: definition(
            'absent',
            { secret_id: 'absent' },
            { onMissing: { action: 'default', defaultValue: 'dflt' } },
          ),
        },
        config: { concurrency: 8 },
      },
      catalog: createProviderRegistry({ modules: [provider, envProvider] }),
      providerOptions: { aws_secrets_manager: { clientConfig: emu.clientConfig() } },
      env: { DB_PASSWORD: 'from-env' },
      sleep: async () => {},
    })
    const db = parseSecretRef('secret://db')
    const locked = parseSecretRef('secret://locked')
    const absent = parseSecretRef('secret://absent')
    const report = await resolver.resolve([db, locked, absent])
    expect(report.valueOf(db)?.reveal()).toBe('from-env')
    expect(report.valueOf(absent)?.reveal()).toBe('dflt')
    expect(report.valueOf(locked)).toBeUndefined()
    expect(report.failures.map((f) => [f.ref.name, f.error.code])).toEqual([
      ['locked', 'FORBIDDEN'],
    ])
    await resolver.dispose()
  })
})

// Writes whose answer is lost: PutSecretValue is retried with the same ClientRequestToken
// (idempotent, so at most one version), a lost promotion is settled by reading the stages
// back, and a failed promotion names the AWSPENDING version left behind and the command that
// finishes the write.
const putDb = (target: SecretsManagerProvider, value: string) =>
  target.put(
    { secret: 'db', config: { secret_id: 'app/db' }, data: new SecretValue(value, 'x') },
    ctx,
  )
const put = (value: string) => putDb(sm, value)
const stages = async () =>
  (await client.send(new DescribeSecretCommand({ SecretId: 'app/db' }))).VersionIdsToStages ?? {}
const currentValue = async () =>
  (await client.send(new GetSecretValueCommand({ SecretId: 'app/db' }))).SecretString

describe('aws_secrets_manager: a write whose answer is lost', () => {
  beforeEach(() => emu.putSecret('app/db', 'old'))
  it('PutSecretValue applied, answer dropped: retried with the same token, one new version', async () => {
    const before = Object.keys(await stages())
    emu.faults.add({ operation: 'PutSecretValue', kind: 'reset', afterApply: true, times: 1 })
    const result = await put('new')
    expect(result.warnings).toEqual([expect.stringContaining('same ClientRequestToken')])
    expect(emu.calls.count('PutSecretValue')).toBe(2)
    const after = await stages()
    expect(Object.keys(after)).toHaveLength(before.length + 1) // idempotent: not two versions
    expect(after[result.version!]).toEqual(['AWSCURRENT'])
    expect(await currentValue()).toBe('new')
  })

  it('the promotion applied, answer dropped: read back, success with a warning', async () => {
    emu.faults.add({
      operation: 'UpdateSecretVersionStage',
      kind: 'reset',
      afterApply: true,
      times: 1,
    })
    const result = await put('new')
    expect(result.warnings).toEqual([
      `the answer to UpdateSecretVersionStage was lost; read back: AWSCURRENT is on version ${result.version}`,
    ])
    expect(await currentValue()).toBe('new')
  })

  it('the promotion fails: the AWSPENDING version and the command that finishes are named', async () => {
    const previous = Object.keys(await stages())[0]!
    emu.faults.add({ operation: 'UpdateSecretVersionStage', kind: 'error', status: 500, times: 1 })
    const error = (await put('new').catch((e: unknown) => e)) as {
      code: string
      message: string
      hint: string
      details: { pendingVersion: string; finish: string }
    }
    expect(error.code).toBe('UNAVAILABLE')
    const pending = error.details.pendingVersion
    expect(error.message).toContain(
      `the new value is staged as AWSPENDING version ${pending}, AWSCURRENT was not moved (still on ${previous})`,
    )
    expect(error.details.finish).toBe(
      `aws secretsmanager update-secret-version-stage --secret-id app/db --version-stage AWSCURRENT --move-to-version-id ${pending} --remove-from-version-id ${previous}`,
    )
    expect(error.hint).toContain(error.details.finish)
    expect((await stages())[pending]).toEqual(['AWSPENDING'])
    expect(await currentValue()).toBe('old')
  })

  it('PutSecretValue lost every time: UNAVAILABLE saying the value in use did not change', async () => {
    emu.faults.add({ operation: 'PutSecretValue', kind: 'reset', times: 3 })
    await expect(put('new')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('the value in use did not change'),
      details: { writeState: 'not-landed' },
    })
    expect(await currentValue()).toBe('old')
  })
})

describe('aws_secrets_manager (moto): PutSecretValue retried with the same token', () => {
  it('adds one version although the first answer was dropped after moto applied it', async () => {
    const moto = await startMotoServer()
    const motoClient = new SecretsManagerClient(moto.clientConfig())
    try {
      await motoClient.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'old' }))
      const onMoto = provider.create({ client: motoClient }) as SecretsManagerProvider
      moto.faults.add({ operation: 'PutSecretValue', kind: 'reset', afterApply: true, times: 1 })
      const result = await putDb(onMoto, 'new')
      expect(result.warnings).toEqual([expect.stringContaining('same ClientRequestToken')])
      expect(moto.calls.count('PutSecretValue')).toBe(2)
      const versions = (await motoClient.send(new DescribeSecretCommand({ SecretId: 'app/db' })))
        .VersionIdsToStages
      expect(Object.keys(versions ?? {})).toHaveLength(2) // the first and one new: not two
      expect(versions?.[result.version!]).toContain('AWSCURRENT')
    } finally {
      motoClient.destroy()
      await moto.close()
    }
  })
})
