import { esoAwsSource } from '../../kubernetes/eso-controller.js'
import { startAwsEmulator, type ParameterType } from '../../aws/index.js'
import type { SandboxService } from '../types.js'

interface AwsSeed {
  region?: string
  secrets?: Record<string, unknown>
  parameters?: Record<string, unknown>
  /** AccessDeniedException rules, e.g. [{ resource: 'prod/restricted/*' }] */
  deny?: unknown
}

const DENY_FIELDS = ['resource', 'operation', 'accessKeyId', 'role']

const TYPES: readonly string[] = ['String', 'StringList', 'SecureString']

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where} must be a map of name → value`)
  }
  return value as Record<string, unknown>
}

/** `{value, type?, labels?}` configures a parameter; any other object is stored as JSON. */
function parameterSpec(
  name: string,
  raw: unknown,
): { value: string; type: ParameterType; labels?: string[] } {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    return { value: String(raw), type: 'SecureString' }
  }
  const spec = asRecord(raw, `aws.parameters["${name}"]`)
  if (typeof spec.value === 'string') {
    const type = spec.type ?? 'SecureString'
    if (typeof type !== 'string' || !TYPES.includes(type)) {
      throw new Error(`aws.parameters["${name}"].type must be String, StringList or SecureString`)
    }
    const labels = Array.isArray(spec.labels) ? spec.labels.map(String) : undefined
    return { value: spec.value, type: type as ParameterType, ...(labels ? { labels } : {}) }
  }
  return { value: JSON.stringify(spec), type: 'SecureString' }
}

/** AWS Secrets Manager + Parameter Store on one endpoint (AWS_ENDPOINT_URL). */
export const aws: SandboxService = {
  name: 'aws',
  description: 'AWS Secrets Manager and Systems Manager Parameter Store (awsJson1_1)',
  defaultPort: 4566,
  async start(seed, port) {
    const config = asRecord(seed, 'aws') as AwsSeed
    const emu = await startAwsEmulator({
      port,
      ...(config.region ? { region: config.region } : {}),
    })
    try {
      const secrets = asRecord(config.secrets, 'aws.secrets')
      for (const [name, value] of Object.entries(secrets)) {
        if (typeof value === 'string') emu.putSecret(name, value)
        else if (typeof value === 'number' || typeof value === 'boolean')
          emu.putSecret(name, String(value))
        else emu.putSecret(name, asRecord(value, `aws.secrets["${name}"]`))
      }
      const parameters = asRecord(config.parameters, 'aws.parameters')
      for (const [name, raw] of Object.entries(parameters)) {
        const spec = parameterSpec(name, raw)
        emu.putParameter(name, spec.value, {
          type: spec.type,
          ...(spec.labels ? { labels: spec.labels } : {}),
        })
      }
      if (config.deny !== undefined) {
        if (!Array.isArray(config.deny)) throw new Error('aws.deny must be a list of rules')
        config.deny.forEach((raw, i) => {
          const rule = asRecord(raw, `aws.deny[${i}]`)
          const unknown = Object.keys(rule).filter((k) => !DENY_FIELDS.includes(k))
          if (unknown.length || Object.values(rule).some((v) => typeof v !== 'string')) {
            throw new Error(`aws.deny[${i}] takes string fields ${DENY_FIELDS.join(', ')}`)
          }
          emu.deny(rule)
        })
      }
      const secretCount = Object.keys(secrets).length
      const parameterCount = Object.keys(parameters).length
      return {
        url: emu.url,
        env: emu.env(),
        notes: [
          `seeded ${secretCount} secret${secretCount === 1 ? '' : 's'} and ${parameterCount} parameter${parameterCount === 1 ? '' : 's'} in ${emu.region}`,
          'aws secretsmanager list-secrets      # AWS CLI v2 ≥ 2.13 reads AWS_ENDPOINT_URL',
          'aws ssm get-parameters-by-path --path / --recursive --with-decryption',
          "python3 -c \"import boto3; print(boto3.client('secretsmanager').list_secrets()['SecretList'])\"",
        ],
        links: { esoSource: esoAwsSource(emu) },
        close: () => emu.close(),
      }
    } catch (error) {
      await emu.close()
      throw error
    }
  },
}
