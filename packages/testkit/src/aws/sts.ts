import { randomBytes, randomUUID } from 'node:crypto'
import type { EmulatorResponse } from '../emulator/index.js'
import { isDenied, type AwsDenyRule, type CallerIdentity, type IssuedSession } from './access.js'
import { AwsServiceError } from './errors.js'

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@/-]+)$/
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** STS errors use the awsQuery XML shape, not `__type` JSON. */
export function stsErrorResponse(error: AwsServiceError): EmulatorResponse {
  const status = error.type === 'AccessDenied' ? 403 : error.status
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${xmlEscape(error.type)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  }
}

/** The `Action` of an awsQuery (form-encoded) STS request. */
export function stsAction(form: URLSearchParams): string {
  const action = form.get('Action')
  if (action !== 'AssumeRole') {
    throw new AwsServiceError(
      'InvalidAction',
      `Could not find operation ${action ?? ''} for version 2011-06-15`,
    )
  }
  if (form.get('Version') !== '2011-06-15') {
    throw new AwsServiceError('InvalidAction', 'Version must be 2011-06-15')
  }
  return action
}

/** Just enough STS for `auth.type: assume_role`: AssumeRole issues temporary credentials. */
export class StsService {
  readonly sessions = new Map<string, IssuedSession>()

  constructor(private readonly ctx: { accountId: string; deny: AwsDenyRule[] }) {}

  reset(): void {
    this.sessions.clear()
  }

  assumeRole(form: URLSearchParams, caller: CallerIdentity): EmulatorResponse {
    const roleArn = form.get('RoleArn') ?? ''
    const sessionName = form.get('RoleSessionName') ?? ''
    const duration = Number(form.get('DurationSeconds') ?? 3600)
    const match = ROLE_ARN.exec(roleArn)
    if (!match) throw new AwsServiceError('ValidationError', `${roleArn || 'null'} is invalid`)
    if (!SESSION_NAME.test(sessionName)) {
      throw new AwsServiceError(
        'ValidationError',
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      )
    }
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
      throw new AwsServiceError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      )
    }
    if (isDenied(this.ctx.deny, caller, 'AssumeRole', [roleArn])) {
      throw new AwsServiceError(
        'AccessDenied',
        `User: arn:aws:iam::${this.ctx.accountId}:user/${caller.accessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      )
    }
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`
    const secretAccessKey = randomBytes(20).toString('base64')
    const sessionToken = randomBytes(48).toString('base64')
    const expiresAt = Date.now() + duration * 1000
    this.sessions.set(accessKeyId, { roleArn, sessionName, sessionToken, expiresAt })
    const roleName = match[2] as string
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
      body:
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${xmlEscape(secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${xmlEscape(sessionToken)}</SessionToken>` +
        `<Expiration>${new Date(expiresAt).toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${match[1]}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(sessionName)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    }
  }
}
