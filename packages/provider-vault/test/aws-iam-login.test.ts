import { describe, expect, it } from 'vitest'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { signGetCallerIdentity } from '../src/aws-iam-login.js'

const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString('utf8')

/** Signs the same request with the AWS SDK's signer: what STS would compute to verify it. */
async function sdkAuthorization(
  login: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  now: Date,
): Promise<{ authorization: string; headers: Record<string, string> }> {
  const url = new URL(decode(login.iam_request_url))
  const sent = JSON.parse(decode(login.iam_request_headers)) as Record<string, string[]>
  const headers = Object.fromEntries(
    Object.entries(sent)
      .filter(([name]) => name.toLowerCase() !== 'authorization')
      .map(([name, [value]]) => [name.toLowerCase(), value!]),
  )
  // applyChecksum: STS requests carry no x-amz-content-sha256 (that header is S3's)
  const signer = new SignatureV4({
    service: 'sts',
    region,
    credentials,
    sha256: Sha256,
    applyChecksum: false,
  })
  const signed = await signer.sign(
    {
      method: login.iam_http_request_method!,
      protocol: 'https:',
      hostname: url.hostname,
      path: url.pathname,
      headers,
      body: decode(login.iam_request_body),
    },
    { signingDate: now },
  )
  return { authorization: String(signed.headers.authorization), headers }
}

describe('Vault aws (iam) login', () => {
  const now = new Date('2026-03-04T05:06:07.890Z')
  const credentials = {
    accessKeyId: 'AKIAFLOETEST',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY',
  }

  it.each([
    { region: 'us-east-1', host: 'sts.amazonaws.com' },
    { region: 'eu-west-1', host: 'sts.eu-west-1.amazonaws.com', serverId: 'vault.example.com' },
    { region: 'eu-west-1', host: 'sts.eu-west-1.amazonaws.com', sessionToken: 'FQoGZXIvYXdzE' },
  ])('signs GetCallerIdentity as the AWS SDK signer does ($region)', async (c) => {
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
    }
    const login = signGetCallerIdentity({
      env,
      region: c.region,
      ...(c.serverId ? { serverId: c.serverId } : {}),
      now,
    })
    expect(decode(login.iam_request_url)).toBe(`https://${c.host}/`)
    expect(decode(login.iam_request_body)).toBe('Action=GetCallerIdentity&Version=2011-06-15')
    const sent = JSON.parse(decode(login.iam_request_headers)) as Record<string, string[]>
    const ours = Object.entries(sent).find(([n]) => n.toLowerCase() === 'authorization')![1][0]!
    const sdk = await sdkAuthorization(
      login,
      { ...credentials, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) },
      c.region,
      now,
    )
    expect(ours).toBe(sdk.authorization)
    expect(ours).toContain(
      `Credential=${credentials.accessKeyId}/20260304/${c.region}/sts/aws4_request`,
    )
    if (c.serverId) {
      expect(sdk.headers['x-vault-aws-iam-server-id']).toBe(c.serverId)
      expect(ours).toMatch(/SignedHeaders=[^,]*x-vault-aws-iam-server-id/)
    }
    if (c.sessionToken) expect(sdk.headers['x-amz-security-token']).toBe(c.sessionToken)
  })

  it('names the missing credentials', () => {
    expect(() => signGetCallerIdentity({ env: {}, now })).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    )
  })
})
