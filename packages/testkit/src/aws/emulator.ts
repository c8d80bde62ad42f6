import { startHttpEmulator, type EmulatorRequest, type HttpEmulator } from '../emulator/index.js'
import { callerFromHeaders, type AwsDenyRule, type IssuedSession } from './access.js'
import {
  AMZ_JSON,
  AwsServiceError,
  awsErrorResponse,
  awsFaultResponse,
  awsJsonResponse,
} from './errors.js'
import {
  SecretsManagerService,
  type RotationLambda,
  type RotationRecord,
  type StoredSecretVersion,
} from './secrets-manager.js'
import { SsmService, type ParameterType, type StoredParameterVersion } from './ssm.js'
import { sdkClientConfig, sdkEnv, type AwsClientConfig } from './endpoint.js'
import { StsService, stsAction, stsErrorResponse } from './sts.js'

export interface AwsEmulatorOptions {
  port?: number
  host?: string
  region?: string
  accountId?: string
  /** access key ids the emulator accepts; any when omitted */
  accessKeys?: string[]
  /** requests matching a rule get AccessDeniedException */
  deny?: AwsDenyRule[]
  /** simulates the rotation Lambda for RotateSecret (else RotateSecret is only recorded) */
  rotationLambda?: RotationLambda
}

export interface AwsEmulator extends HttpEmulator {
  readonly region: string
  readonly accountId: string
  /** credentials the emulator accepts (the first configured access key) */
  readonly credentials: { accessKeyId: string; secretAccessKey: string }
  /** RotateSecret calls received */
  readonly rotations: readonly RotationRecord[]
  /** temporary credentials issued by STS AssumeRole, by access key id */
  readonly sessions: ReadonlyMap<string, IssuedSession>
  /** config for `new SecretsManagerClient(…)` / `new SSMClient(…)`; retries off */
  clientConfig(): AwsClientConfig
  /** environment for the AWS CLI, boto3 and the SDKs' default chain */
  env(): Record<string, string>
  putSecret(
    name: string,
    value: string | Uint8Array | Record<string, unknown>,
    options?: { stages?: string[]; versionId?: string; description?: string },
  ): { arn: string; versionId: string }
  /** read back a secret's versions (tests); undefined when absent */
  secretVersions(name: string): readonly StoredSecretVersion[] | undefined
  putParameter(
    name: string,
    value: string,
    options?: { type?: ParameterType; keyId?: string; labels?: string[]; description?: string },
  ): { version: number }
  parameterVersions(name: string): readonly StoredParameterVersion[] | undefined
  /** add a deny rule (AccessDeniedException) */
  deny(rule: AwsDenyRule): void
  /** clear secrets, parameters, rotations, the call log, faults and added deny rules */
  reset(): void
}

const TARGETS: Record<
  string,
  { service: 'secretsmanager' | 'ssm'; operations: readonly string[] }
> = {
  secretsmanager: {
    service: 'secretsmanager',
    operations: [
      'GetSecretValue',
      'BatchGetSecretValue',
      'DescribeSecret',
      'ListSecrets',
      'CreateSecret',
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'RotateSecret',
      'DeleteSecret',
      'ListSecretVersionIds',
      'RestoreSecret',
    ],
  },
  AmazonSSM: {
    service: 'ssm',
    operations: [
      'GetParameter',
      'GetParameters',
      'GetParametersByPath',
      'PutParameter',
      'LabelParameterVersion',
      'DescribeParameters',
      'GetParameterHistory',
      'DeleteParameter',
      'DeleteParameters',
    ],
  },
}

const ACCESS_KEY = 'AKIAFLOEEMULATOR0001'
const SECRET_KEY = 'floe-emulator-secret-access-key'

function parseTarget(req: EmulatorRequest): {
  prefix: string
  service: 'secretsmanager' | 'ssm'
  operation: string
} {
  const target = String(req.headers['x-amz-target'] ?? '')
  const dot = target.indexOf('.')
  const prefix = target.slice(0, dot)
  const operation = target.slice(dot + 1)
  const known = TARGETS[prefix]
  if (dot === -1 || !known || !known.operations.includes(operation)) {
    throw new AwsServiceError('UnknownOperationException', '')
  }
  return { prefix, service: known.service, operation }
}

/**
 * One awsJson1_1 endpoint serving Secrets Manager (`secretsmanager.*`) and Parameter Store
 * (`AmazonSSM.*`), plus STS AssumeRole (awsQuery) for assume_role auth, like pointing AWS_ENDPOINT_URL at LocalStack. Strict: requests the real
 * services reject are rejected here with the same `__type` errors.
 */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  const denyRules: AwsDenyRule[] = [...(options.deny ?? [])]
  const sm = new SecretsManagerService({
    region,
    accountId,
    deny: denyRules,
    ...(options.rotationLambda ? { rotationLambda: options.rotationLambda } : {}),
  })
  const ssm = new SsmService({ region, accountId, deny: denyRules })
  const sts = new StsService({ accountId, deny: denyRules })
  const isQuery = (req: EmulatorRequest): boolean =>
    String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') &&
    req.headers['x-amz-target'] === undefined

  const base = await startHttpEmulator({
    name: 'aws',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    operation(req) {
      const query = isQuery(req)
      try {
        if (req.method !== 'POST' || req.path !== '/')
          throw new AwsServiceError('UnknownOperationException', '', 404)
        if (query) {
          // STS speaks awsQuery: a form-encoded body with Action=…, XML answers
          const action = stsAction(new URLSearchParams(req.body.toString('utf8')))
          callerFromHeaders(req.headers, 'sts', options.accessKeys, sts.sessions)
          return action
        }
        const target = parseTarget(req)
        callerFromHeaders(req.headers, target.service, options.accessKeys, sts.sessions)
        const contentType = String(req.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim()
        if (contentType !== AMZ_JSON) {
          // Coral services cannot map a request without their content type to an operation.
          throw new AwsServiceError('UnknownOperationException', '')
        }
        if (req.json === undefined) {
          if (req.body.length === 0) req.json = {}
          else
            throw new AwsServiceError(
              'SerializationException',
              'Start of structure or map found where not expected.',
            )
        }
        if (req.json === null || typeof req.json !== 'object' || Array.isArray(req.json)) {
          throw new AwsServiceError('SerializationException', 'Start of structure or map expected.')
        }
        return target.operation
      } catch (error) {
        if (error instanceof AwsServiceError) {
          return query ? stsErrorResponse(error) : awsErrorResponse(error)
        }
        throw error
      }
    },
    async handle(operation, req, call) {
      if (operation === 'AssumeRole') {
        const caller = callerFromHeaders(req.headers, 'sts', options.accessKeys, sts.sessions)
        call.detail = { accessKeyId: caller.accessKeyId }
        try {
          return sts.assumeRole(new URLSearchParams(req.body.toString('utf8')), caller)
        } catch (error) {
          if (error instanceof AwsServiceError) return stsErrorResponse(error)
          throw error
        }
      }
      const target = parseTarget(req)
      const caller = callerFromHeaders(
        req.headers,
        target.service,
        options.accessKeys,
        sts.sessions,
      )
      // who signed the request (never values): tests can see which credentials were used
      call.detail = {
        accessKeyId: caller.accessKeyId,
        ...(caller.role ? { role: caller.role } : {}),
      }
      const body = req.json as Record<string, unknown>
      try {
        const result =
          target.service === 'secretsmanager'
            ? await sm.handle(operation, body, caller)
            : await ssm.handle(operation, body, caller)
        return awsJsonResponse(result)
      } catch (error) {
        if (error instanceof AwsServiceError) return awsErrorResponse(error)
        throw error
      }
    },
    faultResponse: awsFaultResponse,
  })

  const accessKeyId = options.accessKeys?.[0] ?? ACCESS_KEY
  const credentials = { accessKeyId, secretAccessKey: SECRET_KEY }

  return {
    name: base.name,
    url: base.url,
    port: base.port,
    calls: base.calls,
    faults: base.faults,
    close: () => base.close(),
    region,
    accountId,
    credentials,
    rotations: sm.rotations,
    sessions: sts.sessions,
    clientConfig: () => sdkClientConfig(base.url, region, credentials),
    env: () => sdkEnv(base.url, region, credentials),
    putSecret: (name, value, opts) => sm.seed(name, value, opts),
    secretVersions: (name) => {
      const secret = sm.secrets.get(name)
      return secret ? [...secret.versions.values()] : undefined
    },
    putParameter: (name, value, opts) => ssm.seed(name, value, opts),
    parameterVersions: (name) => ssm.parameters.get(name)?.versions,
    deny: (rule) => {
      denyRules.push(rule)
    },
    reset: () => {
      sm.reset()
      ssm.reset()
      sts.reset()
      denyRules.splice(0, denyRules.length, ...(options.deny ?? []))
      base.calls.reset()
      base.faults.clear()
    },
  }
}
