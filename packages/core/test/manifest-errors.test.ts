import { describe, expect, it } from 'vitest'
import { AggregateConfigError, loadManifestFromString } from '@floe/core'
import {
  envSchema,
  loadError,
  loadErrors,
  testCatalog,
  vaultSchema,
  yaml,
} from './fixtures/helpers.js'

describe('manifest errors carry file:line:column', () => {
  it('malformed YAML', async () => {
    expect(await loadError('secrets:\n  a: [1, 2\n')).toMatch(/^floe\.yaml:3:1: invalid YAML: /)
    expect(await loadError('secrets:\n  a:\n    provider: env\n  a:\n    provider: env\n')).toBe(
      'floe.yaml:4:3: invalid YAML: duplicate key "a" in secrets (first at line 2)',
    )
  })

  it('several YAML documents', async () => {
    expect(await loadError('version: 1\n---\nkind: Secret\n')).toBe(
      'floe.yaml:2:1: invalid YAML: a floe manifest is a single YAML document: remove the "---" separator (Kubernetes objects belong in separate files)',
    )
  })

  it('a manifest that is not a map', async () => {
    expect(await loadError('- a\n- b\n')).toBe(
      'floe.yaml:1:1: a manifest is a YAML map of sections (version, secrets, duckdb, dbt…)',
    )
  })

  it('unknown provider without a catalog is accepted, its locator is checked for first-party providers', async () => {
    const m = await loadManifestFromString(
      'secrets:\n  a:\n    provider: my_corp_store\n    thing: x\n',
      { env: {} },
    )
    expect(m.secrets.a?.fields).toEqual({ thing: 'x' })
    expect(
      await loadError('secrets:\n  a:\n    provider: aws_secrets_manager\n    region: us-east-1\n'),
    ).toBe(
      'floe.yaml:3:5: secrets.a: a aws_secrets_manager secret needs "secret_id" to say where it lives (e.g. secret_id: production/mongodb/connection)',
    )
  })

  it('unknown provider with a catalog says what to install, at the provider line', async () => {
    const catalog = testCatalog({ env: envSchema })
    const errors = await loadErrors(
      yaml`
secrets:
  kafka:
    provider: vault
    path: secret/data/kafka
`,
      { catalog },
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:3:15: secrets.kafka: provider "vault" is not installed (package @floe/provider-vault): run `npm install @floe/provider-vault`',
    ])
    expect(errors[0]?.secret).toBe('kafka')
  })

  it('strictProviders: false turns a missing provider into a warning', async () => {
    const m = await loadManifestFromString(
      'secrets:\n  kafka:\n    provider: vault\n    path: p\n',
      {
        env: {},
        file: 'floe.yaml',
        catalog: testCatalog({}),
        strictProviders: false,
      },
    )
    expect(m.warnings).toEqual([
      'floe.yaml:3:15: secrets.kafka: provider "vault" is not installed (package @floe/provider-vault): run `npm install @floe/provider-vault`',
    ])
  })

  it("provider fields are validated by that provider's schema, shared fields stripped first", async () => {
    const catalog = testCatalog({ vault: vaultSchema, env: envSchema })
    const errors = await loadErrors(
      yaml`
secrets:
  kafka:
    provider: vault
    path: 12
    cache: { ttl: 5m }
    retry: { attempts: 2 }
    type: dynamic
    vault:
      adress: https://vault:8200
    fallback:
      provider: env
      varible: DB_PASSWORD
`,
      { catalog },
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:4:11: secrets.kafka.path: expected string, got a number',
      'floe.yaml:9:7: secrets.kafka.vault.address: required (expected string)',
      'floe.yaml:9:7: secrets.kafka.vault.adress: unknown field "adress"',
      'floe.yaml:12:7: secrets.kafka.fallback.varible: unknown field "varible"',
    ])
  })

  it('bad secret:// reference: the column points at the offending character', async () => {
    expect(
      await loadError(
        yaml`
dbt:
  profiles:
    p:
      outputs:
        prod:
          password: secret://db/pass word
`,
      ),
    ).toBe(
      'floe.yaml:6:37: dbt.profiles.p.outputs.prod.password: malformed secret reference: character " " must be percent-encoded',
    )
    expect(
      await loadError(
        'lookups:\n  x:\n    uri: "user=secret://db/u password=secret://db/p?bad=1 x"\n',
      ),
    ).toBe(
      'floe.yaml:3:53: lookups.x.uri: malformed secret reference: unknown parameter "bad" (expected "version" or "default")',
    )
    expect(await loadError('streams:\n  s:\n    - secret://db//x\n')).toBe(
      'floe.yaml:3:19: streams.s[0]: malformed secret reference: empty key segment',
    )
  })

  it('missing environment variable names the variable and its line, never a value', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  kafka:
    provider: vault
    path: secret/\${TEAM}/kafka
    vault:
      address: "\${env:VAULT_ADDR}"
      token: \${SET_ONE}
`,
      { env: { SET_ONE: 'hunter2' } },
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:4:18: secrets.kafka.path: environment variable TEAM is not set (use ${TEAM:-default} for a default)',
      'floe.yaml:6:17: secrets.kafka.vault.address: environment variable VAULT_ADDR is not set (use ${VAULT_ADDR:-default} for a default)',
    ])
    expect(errors.map((e) => e.message).join('\n')).not.toContain('hunter2')
  })

  it('malformed interpolation', async () => {
    expect(await loadError('a:\n  b: x ${oops\n')).toBe(
      'floe.yaml:2:8: a.b: unterminated "${" (write "$${" for a literal "${")',
    )
    expect(await loadError('a:\n  b: ${1BAD}\n')).toBe(
      'floe.yaml:2:6: a.b: invalid interpolation "${1BAD}": expected ${VAR}, ${env:VAR} or ${VAR:-default}',
    )
  })

  it('group cycles and unknown groups', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  _groups:
    a:
      _group: b
    b:
      _group: a
    c:
      _group: nope
      provider: vault
  x:
    _group: a
  y:
    _group: kafak
`,
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:6:15: secrets._groups.b._group: group cycle a → b → a',
      'floe.yaml:8:15: secrets._groups.c._group: unknown group "nope" (defined in secrets._groups: a, b, c)',
      'floe.yaml:13:13: secrets.y._group: unknown group "kafak" (defined in secrets._groups: a, b, c)',
    ])
  })

  it('env-name collisions name both places', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  kafka_user:
    provider: env
    variable: A
  kafka:
    provider: env
    variables: { user: B }
`,
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:5:3: environment variable KAFKA_USER would hold two different secrets: secret://kafka_user (secrets.kafka_user, line 2) and secret://kafka/user (secrets.kafka, line 5): rename one of the secrets or keys, or set env_prefix on one of the secrets',
    ])
  })

  it('dbt binding collisions and explicit env entries that clash', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  db: { provider: env, variable: DB }
env:
  DB: secret://other
dbt:
  profiles:
    p:
      outputs:
        t:
          password: secret://db/password
          pass: secret://db/password?version=2
`,
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:2:3: environment variable DB would hold two different secrets: secret://other (env.DB, line 4) and secret://db (secrets.db, line 2): rename one of the secrets or keys, or set env_prefix on one of the secrets',
      'floe.yaml:11:17: environment variable DBT_ENV_SECRET_DB_PASSWORD would hold two different secrets: secret://db/password (dbt.profiles.p.outputs.t.password, line 10) and secret://db/password?version=2 (dbt.profiles.p.outputs.t.pass, line 11): rename one of the secrets or keys, or set env_prefix on one of the secrets',
    ])
  })

  it('wrong types, with every problem collected in one AggregateConfigError', async () => {
    const text = yaml`
version: 2
secrets:
  _config:
    concurrency: many
  kafka:
    provider: vault
    path: p
    keys: password
    retry:
      attempts: three
duckdb:
  secrets:
    - type: s3
env:
  lower-case: secret://kafka
`
    const error = await loadManifestFromString(text, { env: {}, file: 'floe.yaml' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AggregateConfigError)
    const aggregate = error as AggregateConfigError
    expect(aggregate.errors.map((e) => e.located)).toEqual([
      'floe.yaml:1:10: version: expected 1',
      'floe.yaml:4:18: secrets._config.concurrency: expected number, got a string',
      'floe.yaml:8:11: secrets.kafka.keys: expected a list, got a string',
      'floe.yaml:10:17: secrets.kafka.retry.attempts: expected number, got a string',
      'floe.yaml:13:7: duckdb.secrets[0].name: required (expected string)',
      'floe.yaml:15:3: env.lower-case: environment variable names are letters, digits and _',
    ])
    expect(aggregate.message).toMatch(
      /^6 problems found:\n {2}floe\.yaml:1:10: version: expected 1\n/,
    )
    expect(aggregate.location).toEqual({ file: 'floe.yaml', line: 1, column: 10 })
  })

  it('unknown shared-field values and fields', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  a:
    provider: vault
    path: p
    retry: { backoff: linear, attempt: 3 }
    on_missing: explode
    cache: { ttl: soon }
    rotation:
      on_rotation: { action: reboot }
  b:
    provider: vault
    path: p
    on_missing: { action: default, default: x }
`,
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:5:23: secrets.a.retry.backoff: expected one of "exponential", "constant"',
      'floe.yaml:5:31: secrets.a.retry.attempt: unknown field "attempt"',
      'floe.yaml:6:17: secrets.a.on_missing: expected one of "fail", "default", "warn"',
      'floe.yaml:7:19: secrets.a.cache.ttl: expected a duration like 30s, 5m, 1h or 250ms',
      'floe.yaml:9:30: secrets.a.rotation.on_rotation.action: expected one of "reconnect", "restart", "alert"',
      'floe.yaml:13:36: secrets.b.on_missing.default: unknown field "default"',
    ])
  })

  it('plugins.secrets.type written as the ADR alternatives', async () => {
    expect(
      await loadError('plugins:\n  secrets:\n    type: k8s | external-secrets | vault\n'),
    ).toBe(
      'floe.yaml:3:11: plugins.secrets.type: expected one of "k8s", "external-secrets", "vault" (pick one: "k8s | external-secrets | vault" lists the alternatives)',
    )
  })

  it('secret names, reserved names and missing providers', async () => {
    const errors = await loadErrors(
      yaml`
secrets:
  _private:
    provider: env
  "bad name":
    provider: env
  orphan:
    path: x
`,
    )
    expect(errors.map((e) => e.located)).toEqual([
      'floe.yaml:2:3: secrets._private: names starting with "_" are reserved (_config, _groups)',
      'floe.yaml:4:3: secrets["bad name"]: a secret name is letters, digits, "_", "." and "-", starting with a letter, digit or "_" (it is used in secret://<name>)',
      'floe.yaml:6:3: secrets.orphan: no provider: set "provider:" (vault, aws_secrets_manager, env…) or secrets._config.default_provider',
    ])
  })

  it('a top-level list of DuckDB secrets gets a specific hint', async () => {
    expect(await loadError('secrets:\n  - type: s3\n    name: x\n')).toBe(
      'floe.yaml:2:3: secrets: expected a map of secret name → definition, got a list; DuckDB secret lists (type/name/key_id…) belong under duckdb.secrets:',
    )
  })

  it('*_secret_ref values must be secret names', async () => {
    expect(
      await loadError(
        'plugins:\n  compute:\n    type: snowflake\n    connection_secret_ref: "not a name"\n',
      ),
    ).toBe(
      'floe.yaml:4:28: plugins.compute.connection_secret_ref: expected a secret name (letters, digits, "_", "." or "-")',
    )
  })
})
