import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { preferNodeBuildsOfAwsSdk, startAwsEmulator, type AwsEmulator } from '../src/aws/index.js'
// The SDK is loaded with require() and its Node builds (see preferNodeBuildsOfAwsSdk).
preferNodeBuildsOfAwsSdk()
const require = createRequire(import.meta.url)
const {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')
const {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm')

let emu: AwsEmulator
let sm: InstanceType<typeof SecretsManagerClient>
let ssm: InstanceType<typeof SSMClient>

beforeAll(async () => {
  emu = await startAwsEmulator({
    rotationLambda: ({ current }) =>
      JSON.stringify({ ...JSON.parse(current ?? '{}'), password: 'rotated' }),
  })
  sm = new SecretsManagerClient(emu.clientConfig())
  ssm = new SSMClient(emu.clientConfig())
})
afterAll(async () => {
  sm.destroy()
  ssm.destroy()
  await emu.close()
})
beforeEach(() => emu.reset())

async function raw(
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(emu.url, { method: 'POST', headers, body })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

const signed = {
  'content-type': 'application/x-amz-json-1.1',
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIAFLOEEMULATOR0001/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
    'a'.repeat(64),
}

describe('AWS emulator: protocol strictness', () => {
  it('rejects an unknown X-Amz-Target with UnknownOperationException', async () => {
    const res = await raw({ ...signed, 'x-amz-target': 'secretsmanager.GetSecretValues' }, '{}')
    expect(res.status).toBe(400)
    expect(res.json.__type).toBe('UnknownOperationException')
  })

  it('rejects a request without SigV4 Authorization', async () => {
    const { authorization: _, ...unsigned } = signed
    const res = await raw({ ...unsigned, 'x-amz-target': 'secretsmanager.ListSecrets' }, '{}')
    expect(res.json.__type).toBe('MissingAuthenticationTokenException')
  })

  it('rejects a credential scoped to the wrong service', async () => {
    const res = await raw({ ...signed, 'x-amz-target': 'AmazonSSM.GetParameter' }, '{"Name":"x"}')
    expect(res.json.__type).toBe('InvalidSignatureException')
  })

  it('rejects a wrong content type and malformed JSON', async () => {
    const wrongType = await raw(
      {
        ...signed,
        'content-type': 'application/json',
        'x-amz-target': 'secretsmanager.ListSecrets',
      },
      '{}',
    )
    expect(wrongType.status).toBe(400)
    expect(wrongType.json.__type).toBe('UnknownOperationException')
    const malformed = await raw(
      { ...signed, 'x-amz-target': 'secretsmanager.ListSecrets' },
      '{"Max',
    )
    expect(malformed.json.__type).toBe('SerializationException')
    expect(emu.calls.count()).toBe(0)
  })

  it('rejects unknown access keys when a key list is configured', async () => {
    const strict = await startAwsEmulator({ accessKeys: ['AKIAKNOWN'] })
    const client = new SecretsManagerClient({
      ...strict.clientConfig(),
      credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' },
    })
    await expect(client.send(new ListSecretsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    })
    client.destroy()
    await strict.close()
  })
})

describe('AWS emulator: Secrets Manager through the real SDK', () => {
  it('serves GetSecretValue for strings and binaries with stages and epoch timestamps', async () => {
    const { versionId } = emu.putSecret('prod/db', { username: 'app', password: 's3cr3t' })
    emu.putSecret('prod/blob', new Uint8Array([0, 255, 1]))
    const text = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))
    expect(JSON.parse(text.SecretString ?? '')).toEqual({ username: 'app', password: 's3cr3t' })
    expect(text.VersionId).toBe(versionId)
    expect(text.VersionStages).toEqual(['AWSCURRENT'])
    expect(text.CreatedDate).toBeInstanceOf(Date)
    const binary = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/blob' }))
    expect([...(binary.SecretBinary ?? [])]).toEqual([0, 255, 1])
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: text.ARN }))
    expect(byArn.Name).toBe('prod/db')
  })

  it('maps a missing secret to ResourceNotFoundException', async () => {
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    })
  })

  it('BatchGetSecretValue returns values and per-secret Errors, and enforces the 20 limit', async () => {
    emu.putSecret('a', 'A')
    emu.putSecret('b', 'B')
    emu.deny({ resource: 'c' })
    emu.putSecret('c', 'C')
    const out = await sm.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['a', 'missing', 'b', 'c'] }),
    )
    expect(out.SecretValues?.map((v) => [v.Name, v.SecretString])).toEqual([
      ['a', 'A'],
      ['b', 'B'],
    ])
    expect(out.Errors?.map((e) => [e.SecretId, e.ErrorCode])).toEqual([
      ['missing', 'ResourceNotFoundException'],
      ['c', 'AccessDeniedException'],
    ])
    const ids = Array.from({ length: 21 }, (_, i) => `s${i}`)
    await expect(
      sm.send(new BatchGetSecretValueCommand({ SecretIdList: ids })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    })
    expect(emu.calls.byOperation()).toEqual({ BatchGetSecretValue: 2 })
    emu.deny({ operation: 'BatchGetSecretValue' })
    await expect(
      sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['a'] })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
  })

  it('denies per secret and per access key with AccessDeniedException', async () => {
    emu.putSecret('team/a', 'x')
    emu.deny({ resource: 'team/*', operation: 'GetSecretValue' })
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'team/a' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    // describe is not denied by that rule
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'team/a' }))).resolves.toMatchObject(
      { Name: 'team/a' },
    )
    emu.deny({ accessKeyId: emu.credentials.accessKeyId })
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'team/a' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
  })

  it('PutSecretValue + UpdateSecretVersionStage move AWSPENDING → AWSCURRENT and keep AWSPREVIOUS', async () => {
    const { versionId: v1 } = emu.putSecret('rot', 'one')
    const token = randomUUID()
    const put = await sm.send(
      new PutSecretValueCommand({
        SecretId: 'rot',
        SecretString: 'two',
        ClientRequestToken: token,
        VersionStages: ['AWSPENDING'],
      }),
    )
    expect(put.VersionId).toBe(token)
    expect(put.VersionStages).toEqual(['AWSPENDING'])
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot' }))).SecretString).toBe('one')
    const pending = await sm.send(
      new GetSecretValueCommand({ SecretId: 'rot', VersionStage: 'AWSPENDING' }),
    )
    expect(pending.SecretString).toBe('two')
    // moving AWSCURRENT without naming its holder is refused
    await expect(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'rot',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' })
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'rot',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: v1,
      }),
    )
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'rot' }))
    expect(described.VersionIdsToStages).toEqual({
      [v1]: ['AWSPREVIOUS'],
      [token]: ['AWSPENDING', 'AWSCURRENT'],
    })
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'rot', VersionId: v1 }))).SecretString,
    ).toBe('one')
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rot' }))).SecretString).toBe('two')
    // idempotent retry with the same token; a different value with that token is refused
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 'rot',
        SecretString: 'two',
        ClientRequestToken: token,
      }),
    )
    await expect(
      sm.send(
        new PutSecretValueCommand({
          SecretId: 'rot',
          SecretString: 'three',
          ClientRequestToken: token,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceExistsException' })
  })

  it('CreateSecret refuses duplicates; ListSecrets pages by creation date and filters by name prefix', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'app/one', SecretString: '1' }))
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'app/one', SecretString: '1' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
    })
    for (let i = 0; i < 5; i++) emu.putSecret(`app/n${i}`, String(i))
    emu.putSecret('other/x', 'x')
    const names: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = await sm.send(
        new ListSecretsCommand({
          MaxResults: 2,
          NextToken: token,
          Filters: [{ Key: 'name', Values: ['app/'] }],
        }),
      )
      names.push(...(page.SecretList ?? []).map((s) => s.Name ?? ''))
      token = page.NextToken
      pages += 1
    } while (token)
    // AWS lists by creation date (app/one was created first), not by name
    expect(names).toEqual(['app/one', 'app/n0', 'app/n1', 'app/n2', 'app/n3', 'app/n4'])
    expect(pages).toBe(3)
    const desc = await sm.send(
      new ListSecretsCommand({ SortOrder: 'desc', Filters: [{ Key: 'name', Values: ['app/'] }] }),
    )
    expect(desc.SecretList?.map((s) => s.Name)).toEqual([...names].reverse())
  })

  it('RotateSecret is recorded and runs the configured Lambda simulation', async () => {
    emu.putSecret('db', { user: 'u', password: 'old' })
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'db' }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    })
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:rotate'
    const out = await sm.send(new RotateSecretCommand({ SecretId: 'db', RotationLambdaARN: arn }))
    expect(emu.rotations).toMatchObject([{ name: 'db', lambdaArn: arn, token: out.VersionId }])
    const now = await sm.send(new GetSecretValueCommand({ SecretId: 'db' }))
    expect(JSON.parse(now.SecretString ?? '')).toEqual({ user: 'u', password: 'rotated' })
    expect(now.VersionId).toBe(out.VersionId)
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'db' }))
    expect(described.RotationEnabled).toBe(true)
  })

  it('DeleteSecret schedules deletion; reads then fail with InvalidRequestException', async () => {
    emu.putSecret('gone', 'x')
    const out = await sm.send(
      new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7 }),
    )
    expect(out.DeletionDate).toBeInstanceOf(Date)
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gone' }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    })
  })

  it('turns throttle and 5xx faults into ThrottlingException (with Retry-After) and InternalServiceError', async () => {
    emu.putSecret('x', 'v')
    emu.faults.add({
      operation: 'GetSecretValue',
      kind: 'throttle',
      calls: [1],
      retryAfterSeconds: 2,
    })
    emu.faults.add({ operation: 'GetSecretValue', kind: 'error', calls: [2] })
    const throttled = await sm
      .send(new GetSecretValueCommand({ SecretId: 'x' }))
      .catch((e: unknown) => e)
    expect(throttled).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    })
    expect(
      (throttled as { $response?: { headers: Record<string, string> } }).$response?.headers[
        'retry-after'
      ],
    ).toBe('2')
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'x' }))).rejects.toMatchObject({
      name: 'InternalServiceError',
      $metadata: { httpStatusCode: 500 },
    })
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'x' }))).resolves.toMatchObject({
      SecretString: 'v',
    })
    expect(emu.calls.records.map((r) => r.fault)).toEqual(['throttle', 'error', undefined])
  })
})

describe('AWS emulator: Parameter Store through the real SDK', () => {
  it('GetParameter decrypts SecureString only WithDecryption and resolves version/label selectors', async () => {
    emu.putParameter('/prod/db/password', 'v1')
    await ssm.send(
      new PutParameterCommand({
        Name: '/prod/db/password',
        Value: 'v2',
        Type: 'SecureString',
        Overwrite: true,
      }),
    )
    await ssm
      .send(
        new LabelParameterVersionCommand({
          Name: '/prod/db/password',
          ParameterVersion: 1,
          Labels: ['stable', '1bad'],
        }),
      )
      .then((out) => expect(out.InvalidLabels).toEqual(['1bad']))
    const latest = await ssm.send(
      new GetParameterCommand({ Name: '/prod/db/password', WithDecryption: true }),
    )
    expect(latest.Parameter).toMatchObject({ Value: 'v2', Version: 2, Type: 'SecureString' })
    expect(latest.Parameter?.LastModifiedDate).toBeInstanceOf(Date)
    const encrypted = await ssm.send(new GetParameterCommand({ Name: '/prod/db/password' }))
    expect(encrypted.Parameter?.Value).not.toBe('v2')
    const v1 = await ssm.send(
      new GetParameterCommand({ Name: '/prod/db/password:1', WithDecryption: true }),
    )
    expect(v1.Parameter).toMatchObject({ Value: 'v1', Version: 1, Selector: ':1' })
    const labelled = await ssm.send(
      new GetParameterCommand({ Name: '/prod/db/password:stable', WithDecryption: true }),
    )
    expect(labelled.Parameter?.Value).toBe('v1')
    await expect(
      ssm.send(new GetParameterCommand({ Name: '/prod/db/password:9' })),
    ).rejects.toMatchObject({
      name: 'ParameterVersionNotFound',
    })
    await expect(ssm.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    })
  })

  it('GetParameters reports InvalidParameters and enforces the 10-name limit', async () => {
    emu.putParameter('/a', 'A', { type: 'String' })
    emu.putParameter('/b', 'B', { type: 'String' })
    const out = await ssm.send(new GetParametersCommand({ Names: ['/a', '/missing', '/b'] }))
    expect(out.Parameters?.map((p) => p.Value)).toEqual(['A', 'B'])
    expect(out.InvalidParameters).toEqual(['/missing'])
    const names = Array.from({ length: 11 }, (_, i) => `/p${i}`)
    await expect(ssm.send(new GetParametersCommand({ Names: names }))).rejects.toMatchObject({
      name: 'ValidationException',
    })
  })

  it('GetParametersByPath honours Recursive and pages by 10', async () => {
    for (let i = 0; i < 12; i++)
      emu.putParameter(`/prod/app/k${String(i).padStart(2, '0')}`, String(i), { type: 'String' })
    emu.putParameter('/prod/app/deep/x', 'x', { type: 'String' })
    emu.putParameter('/staging/app/k', 'y', { type: 'String' })
    const oneLevel: string[] = []
    let token: string | undefined
    do {
      const page = await ssm.send(
        new GetParametersByPathCommand({ Path: '/prod/app', NextToken: token }),
      )
      oneLevel.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''))
      token = page.NextToken
    } while (token)
    expect(oneLevel).toHaveLength(12)
    expect(oneLevel).not.toContain('/prod/app/deep/x')
    const recursive = await ssm.send(
      new GetParametersByPathCommand({ Path: '/prod', Recursive: true, MaxResults: 10 }),
    )
    expect(recursive.Parameters).toHaveLength(10)
    expect(recursive.NextToken).toBeDefined()
    expect(emu.calls.count('GetParametersByPath')).toBe(3)
  })

  it('PutParameter refuses to overwrite without Overwrite; history and DescribeParameters carry versions', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: '/svc/token', Value: 't1', Type: 'SecureString' }),
    )
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/svc/token', Value: 't2', Type: 'SecureString' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' })
    const put = await ssm.send(
      new PutParameterCommand({ Name: '/svc/token', Value: 't2', Overwrite: true }),
    )
    expect(put.Version).toBe(2)
    const history = await ssm.send(
      new GetParameterHistoryCommand({ Name: '/svc/token', WithDecryption: true }),
    )
    expect(history.Parameters?.map((p) => [p.Version, p.Value])).toEqual([
      [1, 't1'],
      [2, 't2'],
    ])
    const described = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/svc/token'] }],
      }),
    )
    expect(described.Parameters).toMatchObject([
      { Name: '/svc/token', Version: 2, Type: 'SecureString', KeyId: 'alias/aws/ssm' },
    ])
    expect(JSON.stringify(described)).not.toContain('t2')
    expect(emu.parameterVersions('/svc/token')?.map((v) => v.value)).toEqual(['t1', 't2'])
  })

  it('denies parameters with AccessDeniedException', async () => {
    emu.putParameter('/secret/x', 'x')
    emu.putParameter('/open/y', 'y')
    emu.deny({ resource: '/secret/*' })
    await expect(
      ssm.send(new GetParametersCommand({ Names: ['/open/y', '/secret/x'] })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    await expect(ssm.send(new GetParameterCommand({ Name: '/open/y' }))).resolves.toBeDefined()
  })
})

describe('AWS emulator: STS AssumeRole (awsQuery) for assume_role auth', () => {
  const roleArn = 'arn:aws:iam::123456789012:role/floe-reader'
  const form = (params: Record<string, string>) =>
    new URLSearchParams({ Version: '2011-06-15', ...params }).toString()
  const stsHeaders = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: signed.authorization.replace('/secretsmanager/', '/sts/'),
  }

  it('issues session credentials that sign later calls as the role, and rejects a wrong token', async () => {
    emu.putSecret('team/db', 'v')
    const res = await fetch(emu.url, {
      method: 'POST',
      headers: stsHeaders,
      body: form({ Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'floe' }),
    })
    const xml = await res.text()
    expect(res.status).toBe(200)
    const pick = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1] ?? ''
    const credentials = {
      accessKeyId: pick('AccessKeyId'),
      secretAccessKey: pick('SecretAccessKey'),
      sessionToken: pick('SessionToken'),
    }
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(emu.sessions.get(credentials.accessKeyId)?.roleArn).toBe(roleArn)
    const asRole = new SecretsManagerClient({ ...emu.clientConfig(), credentials })
    await expect(
      asRole.send(new GetSecretValueCommand({ SecretId: 'team/db' })),
    ).resolves.toMatchObject({ SecretString: 'v' })
    expect(emu.calls.records.at(-1)?.detail).toEqual({
      accessKeyId: credentials.accessKeyId,
      role: roleArn,
    })
    emu.deny({ role: roleArn, resource: 'team/*' })
    await expect(
      asRole.send(new GetSecretValueCommand({ SecretId: 'team/db' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    })
    const forged = new SecretsManagerClient({
      ...emu.clientConfig(),
      credentials: { ...credentials, sessionToken: 'forged' },
    })
    await expect(forged.send(new ListSecretsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    })
    asRole.destroy()
    forged.destroy()
  })

  it('answers bad AssumeRole requests with awsQuery XML errors', async () => {
    emu.deny({ operation: 'AssumeRole', resource: roleArn })
    const denied = await fetch(emu.url, {
      method: 'POST',
      headers: stsHeaders,
      body: form({ Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'floe' }),
    })
    expect(denied.status).toBe(403)
    expect(await denied.text()).toContain('<Code>AccessDenied</Code>')
    const invalid = await fetch(emu.url, {
      method: 'POST',
      headers: stsHeaders,
      body: form({ Action: 'AssumeRole', RoleArn: 'nope', RoleSessionName: 'floe' }),
    })
    expect(await invalid.text()).toContain('<Code>ValidationError</Code>')
    const unknown = await fetch(emu.url, {
      method: 'POST',
      headers: stsHeaders,
      body: form({ Action: 'GetFederationToken' }),
    })
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>')
  })
})
