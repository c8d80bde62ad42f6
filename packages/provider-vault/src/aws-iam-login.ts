// Vault's aws auth method, iam flavour: the login carries a SigV4-signed
// sts:GetCallerIdentity request that Vault replays to STS to learn who the caller is.
// The signing is aws4's (a small, dependency-free SigV4 implementation), not ours.
import aws4 from 'aws4'
import { ConfigError } from '@floe/core'
import { PROVIDER_NAME } from './validate.js'

const BODY = 'Action=GetCallerIdentity&Version=2011-06-15'

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
      { provider: PROVIDER_NAME },
    )
  }
  const region = input.region ?? input.env.AWS_REGION ?? input.env.AWS_DEFAULT_REGION ?? 'us-east-1'
  const host = region === 'us-east-1' ? 'sts.amazonaws.com' : `sts.${region}.amazonaws.com`
  const request = aws4.sign(
    {
      host,
      path: '/',
      method: 'POST',
      service: 'sts',
      region,
      body: BODY,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Amz-Date': input.now.toISOString().replace(/[:-]|\.\d{3}/g, ''),
        // signed, so a token minted for one Vault server cannot be replayed against another
        ...(input.serverId ? { 'X-Vault-AWS-IAM-Server-ID': input.serverId } : {}),
      },
    },
    {
      accessKeyId,
      secretAccessKey,
      ...(input.env.AWS_SESSION_TOKEN ? { sessionToken: input.env.AWS_SESSION_TOKEN } : {}),
    },
  )
  // Vault wants Go's http.Header shape: every value a list
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [name, [String(value)]]),
  )
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
  return {
    iam_http_request_method: 'POST',
    iam_request_url: b64(`https://${host}/`),
    iam_request_body: b64(BODY),
    iam_request_headers: b64(JSON.stringify(headers)),
  }
}
