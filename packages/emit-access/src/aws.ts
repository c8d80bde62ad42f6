import type { Role, SecretDefinition } from '@floe/core'
import {
  json,
  policyName,
  scopesWithGrants,
  secretsOf,
  stringOption,
  type CompileInput,
  type Compiled,
} from './shared.js'

export interface Statement {
  Sid: string
  Effect: 'Allow'
  Action: string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string>>
}

export const SM_READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']
export const SM_WRITE = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:DeleteSecret',
  'secretsmanager:ListSecretVersionIds',
]
export const SM_MANAGE = [
  'secretsmanager:GetResourcePolicy',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:TagResource',
  'secretsmanager:UntagResource',
]
export const SSM_READ = ['ssm:GetParameter', 'ssm:GetParameters']
export const SSM_WRITE = [
  'ssm:PutParameter',
  'ssm:DeleteParameter',
  'ssm:GetParametersByPath',
  'ssm:LabelParameterVersion',
  'ssm:GetParameterHistory',
]
export const SSM_MANAGE = ['ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource']

interface Arn {
  partition: string
  region: string
  account: string
}

function smArn(a: Arn, secretId: string): string {
  if (secretId.startsWith('arn:')) return secretId
  // Secrets Manager appends "-" and six random characters to every secret ARN.
  return `arn:${a.partition}:secretsmanager:${a.region}:${a.account}:secret:${secretId}-??????`
}

function ssmArn(a: Arn, name: string): string {
  return `arn:${a.partition}:ssm:${a.region}:${a.account}:parameter${name.startsWith('/') ? name : `/${name}`}`
}

function statementsFor(
  scope: string,
  role: Role,
  sm: SecretDefinition[],
  ssm: SecretDefinition[],
  a: Arn,
  location: { prefix?: string; tag?: string },
): Statement[] {
  const writes = role !== 'reader'
  const out: Statement[] = []
  const tag = location.tag
  const smActions = [
    ...SM_READ,
    ...(writes ? SM_WRITE : []),
    ...(role === 'manager' ? SM_MANAGE : []),
  ]
  const ssmActions = [
    ...SSM_READ,
    ...(writes ? SSM_WRITE : []),
    ...(role === 'manager' ? SSM_MANAGE : []),
  ]
  if (tag) {
    // ABAC: any secret tagged floe:scope=<tag>, now and later.
    out.push({
      Sid: 'SecretsManagerByScopeTag',
      Effect: 'Allow',
      Action: smActions,
      Resource: '*',
      Condition: { StringEquals: { 'secretsmanager:ResourceTag/floe:scope': tag } },
    })
    out.push({
      Sid: 'ParameterStoreByScopeTag',
      Effect: 'Allow',
      Action: ssmActions,
      Resource: '*',
      Condition: { StringEquals: { 'ssm:ResourceTag/floe:scope': tag } },
    })
    if (writes)
      out.push({
        Sid: 'CreateTaggedSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestTag/floe:scope': tag } },
      })
  } else {
    const smResources = [
      ...new Set([
        ...sm.map((d) => smArn(a, String(d.fields.secret_id))),
        ...(writes && location.prefix
          ? [smArn(a, `${location.prefix}*`).replace(/-\?{6}$/, '')]
          : []),
      ]),
    ].sort()
    const ssmResources = [
      ...new Set([
        ...ssm.map((d) => ssmArn(a, String(d.fields.name))),
        ...(writes && location.prefix ? [ssmArn(a, `${location.prefix}*`)] : []),
      ]),
    ].sort()
    if (smResources.length)
      out.push({
        Sid: 'SecretsManagerScopeSecrets',
        Effect: 'Allow',
        Action: smActions,
        Resource: smResources,
      })
    if (ssmResources.length)
      out.push({
        Sid: 'ParameterStoreScopeParameters',
        Effect: 'Allow',
        Action: ssmActions,
        Resource: ssmResources,
      })
    if (writes && location.prefix)
      out.push({
        Sid: 'CreateScopeSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:CreateSecret'],
        Resource: smArn(a, `${location.prefix}*`).replace(/-\?{6}$/, ''),
      })
  }
  if (writes)
    out.push({
      Sid: 'ListNames',
      Effect: 'Allow',
      Action: ['secretsmanager:ListSecrets', 'ssm:DescribeParameters'],
      Resource: '*',
    })
  const secure = ssm.some(
    (d) => d.fields.type === 'SecureString' || d.fields.with_decryption !== false,
  )
  if (ssm.length || tag) {
    const keys = [
      ...new Set(
        ssm.map((d) => d.fields.kms_key_id).filter((k): k is string => typeof k === 'string'),
      ),
    ]
    if (secure || tag) {
      out.push({
        Sid: 'DecryptSecureStrings',
        Effect: 'Allow',
        Action: ['kms:Decrypt', ...(writes ? ['kms:Encrypt', 'kms:GenerateDataKey'] : [])],
        Resource: keys.length
          ? keys.map((k) =>
              k.startsWith('arn:') ? k : `arn:${a.partition}:kms:${a.region}:${a.account}:key/${k}`,
            )
          : `arn:${a.partition}:kms:${a.region}:${a.account}:key/*`,
        Condition: {
          StringEquals: {
            'kms:ViaService': `ssm.${a.region === '*' ? 'us-east-1' : a.region}.amazonaws.com`,
          },
        },
      })
    }
  }
  if (role === 'manager') {
    out.push({
      Sid: 'ManageScopeGrants',
      Effect: 'Allow',
      Action: [
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:ListPolicyVersions',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
      ],
      Resource: [
        `arn:${a.partition}:iam::${a.account}:policy/${policyName(scope, 'reader').replace(/-reader$/, '')}-*`,
      ],
    })
  }
  return out
}

/** IAM policy documents per (scope, role) and which IAM roles they attach to. */
export function compileAws({ manifest, model, options }: CompileInput): Compiled {
  const a: Arn = {
    partition: stringOption(options, 'partition', 'aws'),
    region: stringOption(options, 'region', '*'),
    account: stringOption(options, 'account', '*'),
  }
  const files: Compiled['files'] = []
  const warnings: string[] = []
  const attachments: Record<string, string[]> = {}
  if (a.account === '*') warnings.push('no --option account=<id>: ARNs use "*" for the account')
  for (const { scope, byRole } of scopesWithGrants(model)) {
    const sm = secretsOf(manifest, scope, 'aws_secrets_manager')
    const ssm = secretsOf(manifest, scope, 'aws_parameter_store')
    const location = scope.location.aws ?? {}
    if (!sm.length && !ssm.length && !location.tag && !location.prefix) continue
    for (const [role, grants] of byRole) {
      const name = policyName(scope.name, role)
      files.push({
        path: `${name}.json`,
        content: json({
          Version: '2012-10-17',
          Statement: statementsFor(scope.name, role, sm, ssm, a, location),
        }),
      })
      for (const g of grants) {
        if (g.principal.kind === 'role')
          attachments[g.principal.id] = [...(attachments[g.principal.id] ?? []), name].sort()
        else
          warnings.push(
            `${g.principal.text} is not an IAM role: attach ${name} to its IAM identity yourself`,
          )
      }
    }
  }
  files.push({
    path: 'attachments.json',
    content: json(
      Object.fromEntries(Object.entries(attachments).sort(([x], [y]) => x.localeCompare(y))),
    ),
  })
  return { files, warnings }
}
