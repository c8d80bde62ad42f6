import { createHash } from 'node:crypto'
import { accessDenied, isDenied, type AwsDenyRule, type CallerIdentity } from './access.js'
import { AwsServiceError, epochSeconds, pageOffset, pageToken, validation } from './errors.js'

export type ParameterType = 'String' | 'StringList' | 'SecureString'

export interface StoredParameterVersion {
  version: number
  value: string
  type: ParameterType
  keyId?: string
  description?: string
  labels: Set<string>
  modifiedAt: number
}

export interface StoredParameter {
  name: string
  arn: string
  /** ascending by version */
  versions: StoredParameterVersion[]
}

export interface SsmContext {
  region: string
  accountId: string
  deny: AwsDenyRule[]
}

type Body = Record<string, unknown>

const NAME_PATTERN = /^[a-zA-Z0-9_.\-/]{1,1011}$/
const LABEL_PATTERN = /^[a-zA-Z0-9_.-]{1,100}$/
const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString']
const DEFAULT_KEY = 'alias/aws/ssm'

function str(body: Body, field: string, required = false): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) {
    if (required) {
      throw validation(
        `1 validation error detected: Value null at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
      )
    }
    return undefined
  }
  if (typeof value !== 'string')
    throw new AwsServiceError('SerializationException', `${field} must be a string`)
  return value
}

function notFound(name: string): AwsServiceError {
  return new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`)
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name) || (name.includes('/') && !name.startsWith('/'))) {
    throw validation(
      `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`,
    )
  }
  if (name.split('/').length - 1 > 15) {
    throw new AwsServiceError(
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels.',
    )
  }
}

function labelIsValid(label: string): boolean {
  return LABEL_PATTERN.test(label) && !/^(aws|ssm)/i.test(label) && !/^[0-9]/.test(label)
}

/** The Parameter Store half of the AWS emulator. */
export class SsmService {
  readonly parameters = new Map<string, StoredParameter>()

  constructor(private readonly ctx: SsmContext) {}

  reset(): void {
    this.parameters.clear()
  }

  seed(
    name: string,
    value: string,
    options: { type?: ParameterType; keyId?: string; labels?: string[]; description?: string } = {},
  ): { version: number } {
    checkName(name)
    const version = this.put(
      name,
      value,
      options.type ?? 'SecureString',
      options.keyId,
      options.description,
    )
    for (const label of options.labels ?? [])
      this.moveLabel(this.parameters.get(name) as StoredParameter, label, version.version)
    return { version: version.version }
  }

  private put(
    name: string,
    value: string,
    type: ParameterType,
    keyId: string | undefined,
    description: string | undefined,
  ): StoredParameterVersion {
    let parameter = this.parameters.get(name)
    if (!parameter) {
      const resource = name.startsWith('/') ? name.slice(1) : name
      parameter = {
        name,
        arn: `arn:aws:ssm:${this.ctx.region}:${this.ctx.accountId}:parameter/${resource}`,
        versions: [],
      }
      this.parameters.set(name, parameter)
    }
    const latest = parameter.versions.at(-1)
    const version: StoredParameterVersion = {
      version: (latest?.version ?? 0) + 1,
      value,
      type,
      ...(type === 'SecureString' ? { keyId: keyId ?? latest?.keyId ?? DEFAULT_KEY } : {}),
      ...(description !== undefined ? { description } : {}),
      labels: new Set(),
      modifiedAt: Date.now(),
    }
    parameter.versions.push(version)
    if (parameter.versions.length > 100) parameter.versions.shift()
    return version
  }

  private moveLabel(parameter: StoredParameter, label: string, version: number): void {
    for (const v of parameter.versions) v.labels.delete(label)
    parameter.versions.find((v) => v.version === version)?.labels.add(label)
  }

  private authorize(caller: CallerIdentity, operation: string, names: readonly string[]): void {
    for (const name of names) {
      if (isDenied(this.ctx.deny, caller, operation, [name])) {
        const resource = `arn:aws:ssm:${this.ctx.region}:${this.ctx.accountId}:parameter/${name.replace(/^\//, '')}`
        throw accessDenied(caller, `ssm:${operation}`, resource, this.ctx.accountId)
      }
    }
  }

  /** `name`, `name:3` (version) or `name:label` */
  private resolve(selector: string): {
    parameter: StoredParameter
    version: StoredParameterVersion
    selector?: string
  } {
    const colon = selector.indexOf(':')
    const name = colon === -1 ? selector : selector.slice(0, colon)
    const suffix = colon === -1 ? undefined : selector.slice(colon + 1)
    const parameter = this.parameters.get(name)
    if (!parameter) throw notFound(name)
    if (suffix === undefined)
      return { parameter, version: parameter.versions.at(-1) as StoredParameterVersion }
    const version = /^[0-9]+$/.test(suffix)
      ? parameter.versions.find((v) => v.version === Number(suffix))
      : parameter.versions.find((v) => v.labels.has(suffix))
    if (!version) {
      throw new AwsServiceError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${suffix} of ${name}. Verify the version and try again.`,
      )
    }
    return { parameter, version, selector: `:${suffix}` }
  }

  private shownValue(version: StoredParameterVersion, decrypt: boolean): string {
    if (version.type !== 'SecureString' || decrypt) return version.value
    // Without decryption the service returns the KMS ciphertext; an opaque stand-in here.
    return 'AQICAH' + createHash('sha256').update(version.value).digest('base64')
  }

  private parameterEntry(
    parameter: StoredParameter,
    version: StoredParameterVersion,
    decrypt: boolean,
    selector?: string,
  ): Body {
    return {
      Name: parameter.name,
      Type: version.type,
      Value: this.shownValue(version, decrypt),
      Version: version.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: epochSeconds(version.modifiedAt),
      ARN: parameter.arn,
      DataType: 'text',
    }
  }

  async handle(operation: string, body: Body, caller: CallerIdentity): Promise<Body> {
    switch (operation) {
      case 'GetParameter':
        return this.getParameter(body, caller)
      case 'GetParameters':
        return this.getParameters(body, caller)
      case 'GetParametersByPath':
        return this.getParametersByPath(body, caller)
      case 'PutParameter':
        return this.putParameter(body, caller)
      case 'LabelParameterVersion':
        return this.labelParameterVersion(body, caller)
      case 'DescribeParameters':
        return this.describeParameters(body, caller)
      case 'GetParameterHistory':
        return this.getParameterHistory(body, caller)
      case 'DeleteParameter':
        return this.deleteParameter(body, caller)
      case 'DeleteParameters':
        return this.deleteParameters(body, caller)
      default:
        throw new AwsServiceError('UnknownOperationException', '')
    }
  }

  private getParameter(body: Body, caller: CallerIdentity): Body {
    const selector = str(body, 'Name', true) as string
    this.authorize(caller, 'GetParameter', [selector.split(':')[0] as string])
    const { parameter, version, selector: sel } = this.resolve(selector)
    return { Parameter: this.parameterEntry(parameter, version, body.WithDecryption === true, sel) }
  }

  private getParameters(body: Body, caller: CallerIdentity): Body {
    const names = body.Names
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw validation(
        "1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null",
      )
    }
    if (names.length < 1 || names.length > 10) {
      throw validation(
        `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
      )
    }
    // One denied name denies the whole call, as IAM evaluates every resource of the request.
    this.authorize(
      caller,
      'GetParameters',
      (names as string[]).map((n) => n.split(':')[0] as string),
    )
    const parameters: Body[] = []
    const invalid: string[] = []
    for (const selector of new Set(names as string[])) {
      try {
        const { parameter, version, selector: sel } = this.resolve(selector)
        parameters.push(this.parameterEntry(parameter, version, body.WithDecryption === true, sel))
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error
        invalid.push(selector)
      }
    }
    return { Parameters: parameters, InvalidParameters: invalid }
  }

  private getParametersByPath(body: Body, caller: CallerIdentity): Body {
    const path = str(body, 'Path', true) as string
    if (!path.startsWith('/')) {
      throw validation(
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      )
    }
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : 10
    if (max < 1 || max > 10) {
      throw validation(
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`,
      )
    }
    this.authorize(caller, 'GetParametersByPath', [path])
    const recursive = body.Recursive === true
    const prefix = path.endsWith('/') ? path : `${path}/`
    const matching = [...this.parameters.values()]
      .filter(
        (p) =>
          p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')),
      )
      .filter((p) => this.matchesFilters(p, body.ParameterFilters))
      .sort((a, b) => a.name.localeCompare(b.name))
    const offset = pageOffset(body.NextToken, 'InvalidNextToken')
    const slice = matching.slice(offset, offset + max)
    return {
      Parameters: slice.map((p) =>
        this.parameterEntry(
          p,
          p.versions.at(-1) as StoredParameterVersion,
          body.WithDecryption === true,
        ),
      ),
      ...(offset + max < matching.length ? { NextToken: pageToken(offset + max) } : {}),
    }
  }

  private matchesFilters(parameter: StoredParameter, filters: unknown): boolean {
    if (filters === undefined) return true
    if (!Array.isArray(filters))
      throw new AwsServiceError('SerializationException', 'ParameterFilters must be a list')
    const latest = parameter.versions.at(-1) as StoredParameterVersion
    return (filters as { Key?: string; Option?: string; Values?: string[] }[]).every((filter) => {
      const values = filter.Values ?? []
      const option = filter.Option ?? 'Equals'
      const test = (actual: string): boolean =>
        values.some((v) => (option === 'BeginsWith' ? actual.startsWith(v) : actual === v))
      switch (filter.Key) {
        case 'Name':
          return values.some((v) => {
            const wanted = option === 'Equals' || option === 'BeginsWith' ? v : v
            return option === 'BeginsWith'
              ? parameter.name.startsWith(wanted)
              : parameter.name === wanted
          })
        case 'Type':
          return test(latest.type)
        case 'KeyId':
          return test(latest.keyId ?? '')
        case 'Label':
          return parameter.versions.some((v) => [...v.labels].some((l) => test(l)))
        case 'Path':
          return values.some((v) => {
            const prefix = v.endsWith('/') ? v : `${v}/`
            if (!parameter.name.startsWith(prefix)) return false
            return option === 'Recursive' || !parameter.name.slice(prefix.length).includes('/')
          })
        default:
          throw new AwsServiceError(
            'InvalidFilterKey',
            `The filter key ${String(filter.Key)} is not valid.`,
          )
      }
    })
  }

  private putParameter(body: Body, caller: CallerIdentity): Body {
    const name = str(body, 'Name', true) as string
    const value = str(body, 'Value', true) as string
    checkName(name)
    this.authorize(caller, 'PutParameter', [name])
    if (value.length === 0)
      throw validation(
        "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
      )
    if (Buffer.byteLength(value) > 4096) {
      throw validation(
        'Standard tier parameters support a maximum parameter value of 4096 characters.',
      )
    }
    const existing = this.parameters.get(name)
    const overwrite = body.Overwrite === true
    if (existing && !overwrite) {
      throw new AwsServiceError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      )
    }
    if (overwrite && body.Tags !== undefined) {
      throw validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      )
    }
    const type = (str(body, 'Type') ?? existing?.versions.at(-1)?.type) as ParameterType | undefined
    if (type === undefined)
      throw validation('A parameter type is required when you create a parameter.')
    if (!TYPES.includes(type)) {
      throw validation(
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      )
    }
    const keyId = str(body, 'KeyId')
    if (keyId !== undefined && type !== 'SecureString') {
      throw validation('KeyId is required for SecureString type parameter only.')
    }
    const version = this.put(name, value, type, keyId, str(body, 'Description'))
    return { Version: version.version, Tier: 'Standard' }
  }

  private labelParameterVersion(body: Body, caller: CallerIdentity): Body {
    const name = str(body, 'Name', true) as string
    const labels = body.Labels
    if (!Array.isArray(labels) || labels.length < 1 || labels.length > 10) {
      throw validation(
        "1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length between 1 and 10",
      )
    }
    this.authorize(caller, 'LabelParameterVersion', [name])
    const parameter = this.parameters.get(name)
    if (!parameter) throw notFound(name)
    const wanted =
      typeof body.ParameterVersion === 'number'
        ? body.ParameterVersion
        : (parameter.versions.at(-1) as StoredParameterVersion).version
    const version = parameter.versions.find((v) => v.version === wanted)
    if (!version) {
      throw new AwsServiceError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${wanted} of ${name}. Verify the version and try again.`,
      )
    }
    const valid = (labels as string[]).filter(labelIsValid)
    const invalid = (labels as string[]).filter((l) => !labelIsValid(l))
    const after = new Set([...version.labels, ...valid])
    if (after.size > 10) {
      throw new AwsServiceError(
        'ParameterVersionLabelLimitExceeded',
        'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
      )
    }
    for (const label of valid) this.moveLabel(parameter, label, wanted)
    return { InvalidLabels: invalid, ParameterVersion: wanted }
  }

  private describeParameters(body: Body, caller: CallerIdentity): Body {
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : 50
    if (max < 1 || max > 50) {
      throw validation(
        `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50`,
      )
    }
    // ssm:DescribeParameters has no resource-level permissions in IAM: only rules without a
    // resource (per access key / per operation) can deny it, and then for the whole call.
    const wide = this.ctx.deny.filter((rule) => rule.resource === undefined)
    if (isDenied(wide, caller, 'DescribeParameters', [])) {
      throw accessDenied(caller, 'ssm:DescribeParameters', '*', this.ctx.accountId)
    }
    if (body.Filters !== undefined && body.ParameterFilters !== undefined) {
      throw validation('You can use either Filters or ParameterFilters in a single request.')
    }
    // Legacy `Filters` ({Key: Name|Type|KeyId, Values}) behave like ParameterFilters with BeginsWith.
    const filters =
      body.ParameterFilters ??
      (Array.isArray(body.Filters)
        ? (body.Filters as { Key: string; Values: string[] }[]).map((f) => ({
            Key: f.Key,
            Option: 'BeginsWith',
            Values: f.Values,
          }))
        : undefined)
    const matching = [...this.parameters.values()]
      .filter((p) => this.matchesFilters(p, filters))
      .sort((a, b) => a.name.localeCompare(b.name))
    const offset = pageOffset(body.NextToken, 'InvalidNextToken')
    const slice = matching.slice(offset, offset + max)
    return {
      Parameters: slice.map((p) => {
        const latest = p.versions.at(-1) as StoredParameterVersion
        return {
          Name: p.name,
          ARN: p.arn,
          Type: latest.type,
          ...(latest.keyId ? { KeyId: latest.keyId } : {}),
          ...(latest.description !== undefined ? { Description: latest.description } : {}),
          LastModifiedDate: epochSeconds(latest.modifiedAt),
          Version: latest.version,
          Tier: 'Standard',
          Policies: [],
          DataType: 'text',
        }
      }),
      ...(offset + max < matching.length ? { NextToken: pageToken(offset + max) } : {}),
    }
  }

  private getParameterHistory(body: Body, caller: CallerIdentity): Body {
    const name = str(body, 'Name', true) as string
    this.authorize(caller, 'GetParameterHistory', [name])
    const parameter = this.parameters.get(name)
    if (!parameter) throw notFound(name)
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : 50
    if (max < 1 || max > 50) throw validation('MaxResults must be between 1 and 50.')
    const offset = pageOffset(body.NextToken, 'InvalidNextToken')
    const slice = parameter.versions.slice(offset, offset + max)
    return {
      Parameters: slice.map((v) => ({
        Name: parameter.name,
        Type: v.type,
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        ...(v.description !== undefined ? { Description: v.description } : {}),
        LastModifiedDate: epochSeconds(v.modifiedAt),
        LastModifiedUser: `arn:aws:iam::${this.ctx.accountId}:user/${caller.accessKeyId}`,
        Value: this.shownValue(v, body.WithDecryption === true),
        Version: v.version,
        Labels: [...v.labels],
        Tier: 'Standard',
        Policies: [],
        DataType: 'text',
      })),
      ...(offset + max < parameter.versions.length ? { NextToken: pageToken(offset + max) } : {}),
    }
  }

  private deleteParameter(body: Body, caller: CallerIdentity): Body {
    const name = str(body, 'Name', true) as string
    this.authorize(caller, 'DeleteParameter', [name])
    if (!this.parameters.delete(name)) throw notFound(name)
    return {}
  }

  /** ≤ 10 names; absent names are reported in InvalidParameters, not as an error. */
  private deleteParameters(body: Body, caller: CallerIdentity): Body {
    const names = body.Names
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw new AwsServiceError('SerializationException', 'Names must be a list of strings')
    if (names.length < 1 || names.length > 10) {
      throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10",
      )
    }
    this.authorize(caller, 'DeleteParameters', names as string[])
    const deleted: string[] = []
    const invalid: string[] = []
    for (const name of names as string[])
      (this.parameters.delete(name) ? deleted : invalid).push(name)
    return { DeletedParameters: deleted, InvalidParameters: invalid }
  }
}
