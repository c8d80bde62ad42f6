import { describe, expect, it } from 'vitest'
import { loadManifestFromString } from '@floe/core'

describe('loadManifestFromString', () => {
  it('parses definitions, shared policies, groups and references', async () => {
    const m = await loadManifestFromString(
      `
secrets:
  _config:
    default_provider: vault
    cache: { ttl: 10m }
  _groups:
    kafka:
      path: secret/data/production/kafka
  kafka_username:
    _group: kafka
    key: username
  db:
    provider: aws_secrets_manager
    secret_id: production/db
    keys: [user, password]
    retry: { attempts: 5, backoff: constant, initial_delay: 1s, max_delay: 30s }
    on_missing: warn
dbt:
  profiles:
    floe:
      target: prod
      outputs:
        prod:
          type: snowflake
          password: secret://db/password
`,
      { env: {} },
    )
    expect(m.version).toBe(1)
    expect(m.secrets.kafka_username).toMatchObject({
      provider: 'vault',
      group: 'kafka',
      keys: ['username'],
      fields: { path: 'secret/data/production/kafka', key: 'username' },
      cache: { enabled: true, ttlMs: 600_000 },
      location: { file: '<inline>', line: 9, column: 3 },
    })
    expect(m.secrets.db?.retry).toEqual({
      attempts: 5,
      backoff: 'constant',
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
    })
    expect(m.secrets.db?.onMissing).toEqual({ action: 'warn' })
    expect(m.references.map((r) => r.raw)).toEqual(['secret://db/password'])
    expect(m.references[0]?.location).toEqual({ file: '<inline>', line: 25, column: 21 })
    expect(m.env.map((b) => b.name)).toEqual([
      'KAFKA_USERNAME',
      'DB_USER',
      'DB_PASSWORD',
      'DBT_ENV_SECRET_DB_PASSWORD',
    ])
  })
})
