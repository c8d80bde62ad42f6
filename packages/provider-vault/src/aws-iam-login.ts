// Vault's aws auth method, iam flavour: the login carries a SigV4-signed
// sts:GetCallerIdentity request that Vault replays to STS to learn who the caller is.
import { createHash, createHmac } from 'node:crypto'
import { ConfigError } from '@floe/core'
import { PROVIDER } from './client.js'

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex')
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest()
}

/**
 * Builds the `iam_*` login fields Vault's aws auth method expects: a SigV4-signed
 * sts:GetCallerIdentity request (Vault forwards it to STS to learn the caller's identity).
 * Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
 */
export function signGetCallerIdentity(input: {
  env: NodeJS.ProcessEnv
  region?: string
  serverId?: string
  now: Date
}): Record<string, string> {
  const accessKeyId = input.env.AWS_ACCESS_KEY_ID
  const secretAccessKey = input.env.AWS_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      'aws auth needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment',
      {
        provider: PROVIDER,
      },
    )
  }
  const region = input.region ?? input.env.AWS_REGION ?? input.env.AWS_DEFAULT_REGION ?? 'us-east-1'
  const host = region === 'us-east-1' ? 'sts.amazonaws.com' : `sts.${region}.amazonaws.com`
  const url = `https://${host}/`
  const body = 'Action=GetCallerIdentity&Version=2011-06-15'
  const amzDate = input.now.toISOString().replace(/[:-]|\.\d{3}/g, '')
  const day = amzDate.slice(0, 8)
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host,
    'x-amz-date': amzDate,
    ...(input.env.AWS_SESSION_TOKEN ? { 'x-amz-security-token': input.env.AWS_SESSION_TOKEN } : {}),
    ...(input.serverId ? { 'x-vault-aws-iam-server-id': input.serverId } : {}),
  }
  const names = Object.keys(headers).sort()
  const canonical = [
    'POST',
    '/',
    '',
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    names.join(';'),
    sha256(body),
  ].join('\n')
  const scope = `${day}/${region}/sts/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 'sts'), 'aws4_request')
  const signature = createHmac('sha256', key).update(toSign).digest('hex')
  const signedHeaders: Record<string, string[]> = {
    Authorization: [
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    ],
  }
  for (const n of names) {
    const canonicalName = n === 'x-vault-aws-iam-server-id' ? 'X-Vault-AWS-IAM-Server-ID' : n
    signedHeaders[canonicalName] = [headers[n] ?? '']
  }
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
  return {
    iam_http_request_method: 'POST',
    iam_request_url: b64(url),
    iam_request_body: b64(body),
    iam_request_headers: b64(JSON.stringify(signedHeaders)),
  }
}
