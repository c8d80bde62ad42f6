import { randomBytes, randomUUID } from 'node:crypto'
import { accessDenied, isDenied, type AwsDenyRule, type CallerIdentity } from './access.js'
import { AwsServiceError, epochSeconds, pageOffset, pageToken, validation } from './errors.js'

export const AWSCURRENT = 'AWSCURRENT'
export const AWSPREVIOUS = 'AWSPREVIOUS'
export const AWSPENDING = 'AWSPENDING'

export interface StoredSecretVersion {
  id: string
  string?: string
  binary?: Buffer
  stages: Set<string>
  createdAt: number
}

export interface StoredSecret {
  name: string
  arn: string
  description?: string
  kmsKeyId?: string
  tags: { Key: string; Value: string }[]
  createdAt: number
  lastChangedAt: number
  lastAccessedAt?: number
  deletedAt?: number
  rotationLambdaArn?: string
  rotationRules?: Record<string, unknown>
  lastRotatedAt?: number
  /** insertion order = creation order */
  versions: Map<string, StoredSecretVersion>
}

export interface RotationRecord {
  secretId: string
  name: string
  token: string
  lambdaArn?: string
  at: number
}

/** Simulates a rotation Lambda: returns the new secret string for the AWSPENDING version. */
export type RotationLambda = (input: {
  name: string
  token: string
  current?: string
}) => string | Promise<string>

export interface SecretsManagerContext {
  region: string
  accountId: string
  deny: AwsDenyRule[]
  rotationLambda?: RotationLambda
}

const MAX_BATCH = 20
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/

type Body = Record<string, unknown>

function str(body: Body, field: string, required = false): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) {
    if (required)
      throw validation(
        `1 validation error detected: Value null at '${lower(field)}' failed to satisfy constraint: Member must not be null`,
      )
    return undefined
  }
  if (typeof value !== 'string')
    throw new AwsServiceError(
      'SerializationException',
      `STRING_VALUE can not be converted to ${field}`,
    )
  return value
}

const lower = (field: string): string => field.charAt(0).toLowerCase() + field.slice(1)

function notFound(): AwsServiceError {
  return new AwsServiceError(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret.",
  )
}

/** The Secrets Manager half of the AWS emulator: state plus one handler per operation. */
export class SecretsManagerService {
  readonly secrets = new Map<string, StoredSecret>()
  readonly rotations: RotationRecord[] = []

  constructor(private readonly ctx: SecretsManagerContext) {}

  reset(): void {
    this.secrets.clear()
    this.rotations.length = 0
  }

  // ───────────── seeding (bypasses the wire) ─────────────

  seed(
    name: string,
    value: string | Uint8Array | Record<string, unknown>,
    options: { stages?: string[]; versionId?: string; description?: string } = {},
  ): { arn: string; versionId: string } {
    let secret = this.secrets.get(name)
    if (!secret) secret = this.create(name, { description: options.description })
    const payload =
      value instanceof Uint8Array
        ? { binary: Buffer.from(value) }
        : { string: typeof value === 'string' ? value : JSON.stringify(value) }
    const versionId = options.versionId ?? randomUUID()
    this.addVersion(secret, versionId, payload, options.stages ?? [AWSCURRENT])
    return { arn: secret.arn, versionId }
  }

  // ───────────── model ─────────────

  private create(
    name: string,
    extra: { description?: string; kmsKeyId?: string; tags?: StoredSecret['tags'] } = {},
  ): StoredSecret {
    const now = Date.now()
    const suffix = randomBytes(3).toString('hex')
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.ctx.region}:${this.ctx.accountId}:secret:${name}-${suffix}`,
      ...(extra.description !== undefined ? { description: extra.description } : {}),
      ...(extra.kmsKeyId !== undefined ? { kmsKeyId: extra.kmsKeyId } : {}),
      tags: extra.tags ?? [],
      createdAt: now,
      lastChangedAt: now,
      versions: new Map(),
    }
    this.secrets.set(name, secret)
    return secret
  }

  private addVersion(
    secret: StoredSecret,
    id: string,
    payload: { string?: string; binary?: Buffer },
    stages: readonly string[],
  ): StoredSecretVersion {
    const version: StoredSecretVersion = {
      id,
      ...payload,
      stages: new Set(),
      createdAt: Date.now(),
    }
    secret.versions.set(id, version)
    for (const stage of stages) this.moveStage(secret, stage, id)
    this.prune(secret)
    secret.lastChangedAt = Date.now()
    return version
  }

  /**
   * A staging label is on at most one version. Moving AWSCURRENT gives AWSPREVIOUS to the
   * version that held it, as Secrets Manager does.
   */
  private moveStage(secret: StoredSecret, stage: string, toId: string | undefined): void {
    let previousHolder: StoredSecretVersion | undefined
    for (const version of secret.versions.values()) {
      if (version.stages.delete(stage)) previousHolder = version
    }
    if (toId === undefined) return
    const target = secret.versions.get(toId)
    if (!target) return
    target.stages.add(stage)
    if (stage === AWSCURRENT && previousHolder && previousHolder.id !== toId) {
      this.moveStage(secret, AWSPREVIOUS, previousHolder.id)
    }
  }

  /** Versions without a label are deprecated; Secrets Manager keeps at most 100 versions. */
  private prune(secret: StoredSecret): void {
    if (secret.versions.size <= 100) return
    for (const [id, version] of secret.versions) {
      if (secret.versions.size <= 100) break
      if (version.stages.size === 0) secret.versions.delete(id)
    }
  }

  private find(secretId: string): StoredSecret | undefined {
    const byName = this.secrets.get(secretId)
    if (byName) return byName
    for (const secret of this.secrets.values()) {
      if (secret.arn === secretId) return secret
      // partial ARN: the ARN without the random 6-character suffix
      if (secretId.startsWith('arn:') && secret.arn.slice(0, -7) === secretId) return secret
    }
    return undefined
  }

  private lookup(secretId: string, allowDeleted = false): StoredSecret {
    const secret = this.find(secretId)
    if (!secret) throw notFound()
    if (secret.deletedAt !== undefined && !allowDeleted) {
      throw new AwsServiceError(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      )
    }
    return secret
  }

  private authorize(caller: CallerIdentity, operation: string, secretId: string): void {
    const secret = this.find(secretId)
    const names = secret ? [secretId, secret.name, secret.arn] : [secretId]
    if (isDenied(this.ctx.deny, caller, operation, names)) {
      throw accessDenied(
        caller,
        `secretsmanager:${operation}`,
        secret?.arn ?? secretId,
        this.ctx.accountId,
      )
    }
  }

  /** BatchGetSecretValue and ListSecrets are not resource-scoped in IAM: only rules without a resource apply. */
  private authorizeAccountWide(caller: CallerIdentity, operation: string): void {
    const wide = this.ctx.deny.filter((rule) => rule.resource === undefined)
    if (isDenied(wide, caller, operation, [])) {
      throw accessDenied(caller, `secretsmanager:${operation}`, '*', this.ctx.accountId)
    }
  }

  private currentVersion(secret: StoredSecret): StoredSecretVersion | undefined {
    for (const version of secret.versions.values())
      if (version.stages.has(AWSCURRENT)) return version
    return undefined
  }

  private selectVersion(
    secret: StoredSecret,
    versionId?: string,
    stage?: string,
  ): StoredSecretVersion {
    let version: StoredSecretVersion | undefined
    if (versionId !== undefined) {
      version = secret.versions.get(versionId)
      if (version && stage !== undefined && !version.stages.has(stage)) version = undefined
    } else {
      const wanted = stage ?? AWSCURRENT
      for (const candidate of secret.versions.values())
        if (candidate.stages.has(wanted)) version = candidate
    }
    if (!version) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for " +
          (versionId !== undefined
            ? `VersionId: ${versionId}`
            : `staging label: ${stage ?? AWSCURRENT}`),
      )
    }
    return version
  }

  private valueEntry(secret: StoredSecret, version: StoredSecretVersion): Body {
    secret.lastAccessedAt = Date.now()
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      ...(version.string !== undefined ? { SecretString: version.string } : {}),
      ...(version.binary !== undefined ? { SecretBinary: version.binary.toString('base64') } : {}),
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
    }
  }

  private payload(body: Body, required: boolean): { string?: string; binary?: Buffer } | undefined {
    const text = str(body, 'SecretString')
    const binary = str(body, 'SecretBinary')
    if (text !== undefined && binary !== undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        'You must provide either SecretString or SecretBinary, but not both.',
      )
    }
    if (text !== undefined) {
      if (Buffer.byteLength(text) > 65_536)
        throw validation('SecretString must be at most 65536 bytes.')
      return { string: text }
    }
    if (binary !== undefined) return { binary: Buffer.from(binary, 'base64') }
    if (required) {
      throw new AwsServiceError(
        'InvalidRequestException',
        'You must provide either SecretString or SecretBinary.',
      )
    }
    return undefined
  }

  // ───────────── operations ─────────────

  async handle(operation: string, body: Body, caller: CallerIdentity): Promise<Body> {
    switch (operation) {
      case 'GetSecretValue':
        return this.getSecretValue(body, caller)
      case 'BatchGetSecretValue':
        return this.batchGetSecretValue(body, caller)
      case 'DescribeSecret':
        return this.describeSecret(body, caller)
      case 'ListSecrets':
        return this.listSecrets(body, caller)
      case 'CreateSecret':
        return this.createSecret(body, caller)
      case 'PutSecretValue':
        return this.putSecretValue(body, caller)
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(body, caller)
      case 'DeleteSecret':
        return this.deleteSecret(body, caller)
      case 'RotateSecret':
        return this.rotateSecret(body, caller)
      case 'ListSecretVersionIds':
        return this.listSecretVersionIds(body, caller)
      case 'RestoreSecret':
        return this.restoreSecret(body, caller)
      default:
        throw new AwsServiceError('UnknownOperationException', '')
    }
  }

  private getSecretValue(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'GetSecretValue', secretId)
    const secret = this.lookup(secretId)
    const version = this.selectVersion(secret, str(body, 'VersionId'), str(body, 'VersionStage'))
    return this.valueEntry(secret, version)
  }

  private batchGetSecretValue(body: Body, caller: CallerIdentity): Body {
    this.authorizeAccountWide(caller, 'BatchGetSecretValue')
    const ids = body.SecretIdList
    const filters = body.Filters
    if (ids !== undefined && filters !== undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        'Either SecretIdList or Filters must be specified, but not both.',
      )
    }
    if (ids === undefined && filters === undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        'Either SecretIdList or Filters must be specified.',
      )
    }
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
        throw new AwsServiceError(
          'SerializationException',
          'SecretIdList must be a list of strings',
        )
      }
      if (ids.length < 1 || ids.length > MAX_BATCH) {
        throw validation(
          `1 validation error detected: Value at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BATCH}`,
        )
      }
      const values: Body[] = []
      const errors: Body[] = []
      for (const id of ids as string[]) {
        try {
          values.push(this.getSecretValue({ SecretId: id }, caller))
        } catch (error) {
          if (!(error instanceof AwsServiceError)) throw error
          errors.push({ SecretId: id, ErrorCode: error.type, Message: error.message })
        }
      }
      return { SecretValues: values, Errors: errors }
    }
    const page = this.filtered(filters, caller)
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : MAX_BATCH
    if (max < 1 || max > MAX_BATCH)
      throw validation(`MaxResults must be between 1 and ${MAX_BATCH}.`)
    const offset = pageOffset(body.NextToken)
    const slice = page.slice(offset, offset + max)
    const values: Body[] = []
    const errors: Body[] = []
    for (const secret of slice) {
      try {
        values.push(this.getSecretValue({ SecretId: secret.name }, caller))
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error
        errors.push({ SecretId: secret.name, ErrorCode: error.type, Message: error.message })
      }
    }
    return {
      SecretValues: values,
      Errors: errors,
      ...(offset + max < page.length ? { NextToken: pageToken(offset + max) } : {}),
    }
  }

  /**
   * Secrets matching `filters`, listed by creation date as AWS does (oldest first; `desc`
   * reverses). Secrets scheduled for deletion only with `includePlannedDeletion`.
   */
  private filtered(
    filters: unknown,
    _caller: CallerIdentity,
    options: { includePlannedDeletion?: boolean; sortOrder?: unknown } = {},
  ): StoredSecret[] {
    if (filters !== undefined && !Array.isArray(filters)) {
      throw new AwsServiceError('SerializationException', 'Filters must be a list')
    }
    if (
      options.sortOrder !== undefined &&
      options.sortOrder !== 'asc' &&
      options.sortOrder !== 'desc'
    )
      throw validation("SortOrder must be one of 'asc', 'desc'.")
    const list = (filters ?? []) as { Key?: string; Values?: string[] }[]
    // Map insertion order is creation order: a stable tie-break for equal timestamps
    const all = [...this.secrets.values()].filter(
      (s) => s.deletedAt === undefined || options.includePlannedDeletion === true,
    )
    if (options.sortOrder === 'desc') all.reverse()
    return all.filter((secret) =>
      list.every((filter) => {
        const values = filter.Values ?? []
        switch (filter.Key) {
          case 'name':
            return values.some((v) => secret.name.startsWith(v))
          case 'description':
            return values.some((v) => (secret.description ?? '').startsWith(v))
          case 'tag-key':
            return values.some((v) => secret.tags.some((t) => t.Key.startsWith(v)))
          case 'tag-value':
            return values.some((v) => secret.tags.some((t) => t.Value.startsWith(v)))
          case 'all':
            return values.some(
              (v) => secret.name.startsWith(v) || (secret.description ?? '').startsWith(v),
            )
          default:
            throw new AwsServiceError(
              'InvalidParameterException',
              `Invalid filter key: ${String(filter.Key)}`,
            )
        }
      }),
    )
  }

  private describeSecret(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'DescribeSecret', secretId)
    const secret = this.lookup(secretId, true)
    const stages: Record<string, string[]> = {}
    for (const version of secret.versions.values()) {
      if (version.stages.size) stages[version.id] = [...version.stages]
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
      RotationEnabled: secret.rotationLambdaArn !== undefined,
      ...(secret.rotationLambdaArn !== undefined
        ? { RotationLambdaARN: secret.rotationLambdaArn }
        : {}),
      ...(secret.rotationRules ? { RotationRules: secret.rotationRules } : {}),
      ...(secret.lastRotatedAt !== undefined
        ? { LastRotatedDate: epochSeconds(secret.lastRotatedAt) }
        : {}),
      LastChangedDate: epochSeconds(secret.lastChangedAt),
      ...(secret.lastAccessedAt !== undefined
        ? {
            LastAccessedDate: epochSeconds(
              Math.floor(secret.lastAccessedAt / 86_400_000) * 86_400_000,
            ),
          }
        : {}),
      ...(secret.deletedAt !== undefined ? { DeletedDate: epochSeconds(secret.deletedAt) } : {}),
      Tags: secret.tags,
      VersionIdsToStages: stages,
      CreatedDate: epochSeconds(secret.createdAt),
    }
  }

  private listSecrets(body: Body, caller: CallerIdentity): Body {
    this.authorizeAccountWide(caller, 'ListSecrets')
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : 100
    if (max < 1 || max > 100) throw validation('MaxResults must be between 1 and 100.')
    const all = this.filtered(body.Filters, caller, {
      includePlannedDeletion: body.IncludePlannedDeletion === true,
      sortOrder: body.SortOrder,
    })
    const offset = pageOffset(body.NextToken)
    const slice = all.slice(offset, offset + max)
    return {
      SecretList: slice.map((secret) => {
        const stages: Record<string, string[]> = {}
        for (const version of secret.versions.values()) {
          if (version.stages.size) stages[version.id] = [...version.stages]
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description !== undefined ? { Description: secret.description } : {}),
          RotationEnabled: secret.rotationLambdaArn !== undefined,
          LastChangedDate: epochSeconds(secret.lastChangedAt),
          Tags: secret.tags,
          SecretVersionsToStages: stages,
          CreatedDate: epochSeconds(secret.createdAt),
          ...(secret.deletedAt !== undefined
            ? { DeletedDate: epochSeconds(secret.deletedAt) }
            : {}),
        }
      }),
      ...(offset + max < all.length ? { NextToken: pageToken(offset + max) } : {}),
    }
  }

  private createSecret(body: Body, caller: CallerIdentity): Body {
    const name = str(body, 'Name', true) as string
    if (!NAME_PATTERN.test(name)) {
      throw validation(
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9/_+=.@-]+$`,
      )
    }
    this.authorize(caller, 'CreateSecret', name)
    const existing = this.secrets.get(name)
    if (existing) {
      if (existing.deletedAt !== undefined) {
        throw new AwsServiceError(
          'InvalidRequestException',
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        )
      }
      throw new AwsServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      )
    }
    const payload = this.payload(body, false)
    const tags = Array.isArray(body.Tags) ? (body.Tags as StoredSecret['tags']) : []
    const secret = this.create(name, {
      description: str(body, 'Description'),
      kmsKeyId: str(body, 'KmsKeyId'),
      tags,
    })
    const token = str(body, 'ClientRequestToken') ?? randomUUID()
    if (payload) this.addVersion(secret, token, payload, [AWSCURRENT])
    return { ARN: secret.arn, Name: secret.name, ...(payload ? { VersionId: token } : {}) }
  }

  private putSecretValue(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'PutSecretValue', secretId)
    const secret = this.lookup(secretId)
    const payload = this.payload(body, true) as { string?: string; binary?: Buffer }
    const token = str(body, 'ClientRequestToken') ?? randomUUID()
    if (token.length < 32 || token.length > 64) {
      throw validation('ClientRequestToken must be between 32 and 64 characters.')
    }
    const stages = Array.isArray(body.VersionStages)
      ? (body.VersionStages as string[])
      : [AWSCURRENT]
    if (stages.length > 20) throw validation('VersionStages can contain at most 20 items.')
    const existing = secret.versions.get(token)
    if (existing) {
      // Idempotent retry with the same token and value: no new version.
      const same =
        existing.string === payload.string &&
        (existing.binary?.equals(payload.binary ?? Buffer.alloc(0)) ?? payload.binary === undefined)
      if (!same) {
        throw new AwsServiceError(
          'ResourceExistsException',
          'You can’t modify an existing version, you can only create a new version.',
        )
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: token,
        VersionStages: [...existing.stages],
      }
    }
    const version = this.addVersion(secret, token, payload, stages)
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: token,
      VersionStages: [...version.stages],
    }
  }

  private updateSecretVersionStage(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    const stage = str(body, 'VersionStage', true) as string
    const moveTo = str(body, 'MoveToVersionId')
    const removeFrom = str(body, 'RemoveFromVersionId')
    this.authorize(caller, 'UpdateSecretVersionStage', secretId)
    const secret = this.lookup(secretId)
    let holder: StoredSecretVersion | undefined
    for (const version of secret.versions.values()) if (version.stages.has(stage)) holder = version
    if (moveTo !== undefined && !secret.versions.has(moveTo)) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret version: ${moveTo}`,
      )
    }
    if (removeFrom !== undefined && holder?.id !== removeFrom) {
      throw new AwsServiceError(
        'InvalidParameterException',
        `The staging label ${stage} is not attached to version ${removeFrom}.`,
      )
    }
    if (moveTo !== undefined && holder && holder.id !== moveTo && removeFrom === undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        `The staging label ${stage} is currently attached to version ${holder.id}. You must specify RemoveFromVersionId to move it.`,
      )
    }
    if (moveTo === undefined && removeFrom === undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        'You must specify MoveToVersionId or RemoveFromVersionId.',
      )
    }
    if (stage === AWSCURRENT && moveTo === undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        'You can only move AWSCURRENT to another version, not remove it.',
      )
    }
    this.moveStage(secret, stage, moveTo)
    secret.lastChangedAt = Date.now()
    return { ARN: secret.arn, Name: secret.name }
  }

  private async rotateSecret(body: Body, caller: CallerIdentity): Promise<Body> {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'RotateSecret', secretId)
    const secret = this.lookup(secretId)
    const lambdaArn = str(body, 'RotationLambdaARN') ?? secret.rotationLambdaArn
    if (lambdaArn === undefined) {
      throw new AwsServiceError(
        'InvalidRequestException',
        'No Lambda rotation function ARN is associated with this secret.',
      )
    }
    secret.rotationLambdaArn = lambdaArn
    if (body.RotationRules && typeof body.RotationRules === 'object') {
      secret.rotationRules = body.RotationRules as Record<string, unknown>
    }
    const token = str(body, 'ClientRequestToken') ?? randomUUID()
    this.rotations.push({ secretId, name: secret.name, token, lambdaArn, at: Date.now() })
    const immediately = body.RotateImmediately !== false
    if (immediately && this.ctx.rotationLambda) {
      // createSecret → (setSecret/testSecret are the Lambda's business) → finishSecret
      const current = this.currentVersion(secret)
      const next = await this.ctx.rotationLambda({
        name: secret.name,
        token,
        current: current?.string,
      })
      this.addVersion(secret, token, { string: next }, [AWSPENDING])
      this.moveStage(secret, AWSCURRENT, token)
      this.moveStage(secret, AWSPENDING, undefined)
      secret.lastRotatedAt = Date.now()
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: token }
  }

  /** Versions with their stages (no values). Versions without a stage only with IncludeDeprecated. */
  private listSecretVersionIds(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'ListSecretVersionIds', secretId)
    const secret = this.lookup(secretId, true)
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : 100
    if (max < 1 || max > 100) throw validation('MaxResults must be between 1 and 100.')
    const versions = [...secret.versions.values()].filter(
      (v) => v.stages.size > 0 || body.IncludeDeprecated === true,
    )
    const offset = pageOffset(body.NextToken)
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: versions.slice(offset, offset + max).map((v) => ({
        VersionId: v.id,
        VersionStages: [...v.stages],
        CreatedDate: epochSeconds(v.createdAt),
      })),
      ...(offset + max < versions.length ? { NextToken: pageToken(offset + max) } : {}),
    }
  }

  /** Cancels a scheduled deletion; a secret not scheduled for deletion is left as it is. */
  private restoreSecret(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'RestoreSecret', secretId)
    const secret = this.lookup(secretId, true)
    delete secret.deletedAt
    secret.lastChangedAt = Date.now()
    return { ARN: secret.arn, Name: secret.name }
  }

  private deleteSecret(body: Body, caller: CallerIdentity): Body {
    const secretId = str(body, 'SecretId', true) as string
    this.authorize(caller, 'DeleteSecret', secretId)
    const secret = this.lookup(secretId, true)
    const force = body.ForceDeleteWithoutRecovery === true
    const days = typeof body.RecoveryWindowInDays === 'number' ? body.RecoveryWindowInDays : 30
    if (force && body.RecoveryWindowInDays !== undefined) {
      throw new AwsServiceError(
        'InvalidParameterException',
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      )
    }
    if (!force && (days < 7 || days > 30))
      throw validation('RecoveryWindowInDays must be between 7 and 30.')
    const now = Date.now()
    if (force) this.secrets.delete(secret.name)
    else secret.deletedAt = now
    return {
      ARN: secret.arn,
      Name: secret.name,
      DeletionDate: epochSeconds(force ? now : now + days * 86_400_000),
    }
  }
}
