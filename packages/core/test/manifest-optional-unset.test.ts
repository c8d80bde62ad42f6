import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { acceptsAbsence, loadManifestFromString } from '@floe/core'
import { envSchema, loadErrors, testCatalog, vaultSchema, yaml } from './fixtures/helpers.js'

/** A parameter-store-like schema: `name` required, `kms_key_id` optional (seed 002). */
const parameterSchema = z.strictObject({
  name: z.string().min(1),
  kms_key_id: z.string().min(1).optional(),
  type: z.enum(['String', 'SecureString']).default('SecureString'),
})
/** The env provider's rule: each field reads optional, but one of the two is required. */
const oneOfEnvSchema = envSchema.refine(
  (c) => (c.variable === undefined) !== (c.variables === undefined),
  'set exactly one of `variable` or `variables`',
)
const catalog = () =>
  testCatalog({ aws_parameter_store: parameterSchema, vault: vaultSchema, env: oneOfEnvSchema })

describe('an unset ${VAR} in a provider field', () => {
  it('leaves out a field the provider declares optional, with a located warning', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  db:
    provider: aws_parameter_store
    name: /production/db/password
    kms_key_id: \${KMS_KEY_ID}  # Optional
`,
      { env: {}, catalog: catalog(), file: 'floe.yaml' },
    )
    expect(m.secrets.db?.fields).toEqual({ name: '/production/db/password' })
    expect((m.document.secrets as Record<string, Record<string, unknown>>).db).not.toHaveProperty(
      'kms_key_id',
    )
    expect(m.omitted).toEqual([
      {
        secret: 'db',
        field: 'kms_key_id',
        variables: ['KMS_KEY_ID'],
        location: { file: 'floe.yaml', line: 5, column: 17 },
        message: 'KMS_KEY_ID is not set; kms_key_id left out (optional)',
      },
    ])
    expect(m.warnings).toContain(
      'floe.yaml:5:17: secret db: KMS_KEY_ID is not set; kms_key_id left out (optional)',
    )
  })

  it('keeps the field when the variable is set', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  db: { provider: aws_parameter_store, name: /p, kms_key_id: "\${KMS_KEY_ID}" }
`,
      { env: { KMS_KEY_ID: 'alias/floe' }, catalog: catalog() },
    )
    expect(m.secrets.db?.fields.kms_key_id).toBe('alias/floe')
    expect(m.omitted).toBeUndefined()
  })

  it('stays an error in a required field (no repeated schema issue), and where a refine requires it', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  db: { provider: aws_parameter_store, name: "\${DB_PARAM}", kms_key_id: "\${KMS_KEY_ID}" }
  kafka:
    provider: vault
    path: secret/data/kafka
    fallback: { provider: env, variable: "\${KAFKA_VAR}" }
`,
      { env: {}, catalog: catalog() },
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:2:47: secrets.db.name: environment variable DB_PARAM is not set (use ${DB_PARAM:-default} for a default)',
      'floe.yaml:6:43: secrets.kafka.fallback.variable: environment variable KAFKA_VAR is not set (use ${KAFKA_VAR:-default} for a default)',
    ])
  })

  it('leaves out an optional nested field (vault.namespace) and an optional fallback field', async () => {
    const m = await loadManifestFromString(
      yaml`
secrets:
  kafka:
    provider: vault
    path: secret/data/kafka
    vault: { address: "http://127.0.0.1:8200", namespace: "\${VAULT_NS}" }
    fallback: { provider: aws_parameter_store, name: /kafka, kms_key_id: "\${KMS}" }
`,
      { env: {}, catalog: catalog() },
    )
    expect(m.secrets.kafka?.fields.vault).toEqual({ address: 'http://127.0.0.1:8200' })
    expect(m.secrets.kafka?.fallback?.fields).toEqual({ name: '/kafka' })
    expect(m.omitted?.map((o) => o.message)).toEqual([
      'VAULT_NS is not set; vault.namespace left out (optional)',
      'KMS is not set; fallback.kms_key_id left out (optional)',
    ])
  })

  it('stays an error without a catalog (no schema says the field is optional)', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  db: { provider: aws_parameter_store, name: /p, kms_key_id: "\${KMS_KEY_ID}" }
`,
      { env: {} },
    )
    expect(errors.map((e) => e.message)).toEqual([
      'secrets.db.kms_key_id: environment variable KMS_KEY_ID is not set (use ${KMS_KEY_ID:-default} for a default)',
    ])
  })

  it('stays an error outside provider fields (shared policy fields, consuming sections)', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  db: { provider: aws_parameter_store, name: /p, default: "\${DB_DEFAULT}" }
duckdb:
  database: "\${DUCKDB_PATH}"
`,
      { env: {}, catalog: catalog() },
    )
    expect(errors.map((e) => e.message.split(':')[0])).toEqual([
      'secrets.db.default',
      'duckdb.database',
    ])
  })
})

describe('acceptsAbsence', () => {
  it('reads optionality from the schema: optional and defaulted fields yes, required and unknown no', () => {
    expect(acceptsAbsence(parameterSchema, ['kms_key_id'])).toBe(true)
    expect(acceptsAbsence(parameterSchema, ['type'])).toBe(true)
    expect(acceptsAbsence(parameterSchema, ['name'])).toBe(false)
    expect(acceptsAbsence(parameterSchema, ['nope'])).toBe(false)
    expect(acceptsAbsence(vaultSchema, ['vault', 'namespace'])).toBe(true)
    expect(acceptsAbsence(vaultSchema, ['vault', 'address'])).toBe(false)
    expect(
      acceptsAbsence(
        parameterSchema.transform((x) => x),
        ['kms_key_id'],
      ),
    ).toBe(true)
    expect(acceptsAbsence(z.string(), ['kms_key_id'])).toBe(false)
  })
})
