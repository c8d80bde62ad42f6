import { chmodSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { FloeError, ProviderUnavailableError } from '@floe/core'
import {
  REGISTRY_FILE,
  applyDuckdb,
  applySecrets,
  emitter,
  planDuckdbSecrets,
  quoteLiteral,
  renderCreateSecret,
  createMasker,
} from '../src/index.js'
import { isolatedConfig, manifestFromYaml, mapResolver, tempDir } from './helpers.js'
import { exampleYaml, examples } from './seed-000.js'

const originalHome = process.env.HOME
beforeAll(() => {
  // DuckDB reads ~/.duckdb for persistent secrets and extensions: never the real one.
  process.env.HOME = tempDir('floe-home-')
})
afterAll(() => {
  process.env.HOME = originalHome
})

const open: { instance: DuckDBInstance; connection: DuckDBConnection }[] = []
async function connect(secretDirectory: string, extra: Record<string, string> = {}) {
  const instance = await DuckDBInstance.create(':memory:', isolatedConfig(secretDirectory, extra))
  const connection = await instance.connect()
  open.push({ instance, connection })
  return connection
}
afterEach(() => {
  for (const { instance, connection } of open.splice(0)) {
    connection.closeSync()
    instance.closeSync()
  }
})

async function query(connection: DuckDBConnection, sql: string) {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson()
}

/** Reads secret strings back with redaction off (needs allow_unredacted_secrets). */
async function unredacted(secretDirectory: string) {
  const connection = await connect(secretDirectory, { allow_unredacted_secrets: 'true' })
  return connection
}

const httpManifest = (token = 'secret://api/token') => `
duckdb:
  secrets:
    - type: http
      name: api
      bearer_token: ${token}
      scope: https://api.example.com/
    - type: http
      name: api_v2
      bearer_token: secret://api/v2_token
      scope: https://api.example.com/v2/
`
const resolver = mapResolver({ 'secret://api/token': 'tok-1', 'secret://api/v2_token': 'tok-2' })

describe('http secrets end to end in real DuckDB', () => {
  it('creates, verifies through duckdb_secrets() and round-trips values', async () => {
    const dir = tempDir()
    const connection = await connect(dir, { allow_unredacted_secrets: 'true' })
    const report = await applySecrets(connection, manifestFromYaml(httpManifest()), { resolver })
    expect(report.created).toEqual(['api', 'api_v2'])
    expect(report.replaced).toEqual([])
    expect(report.verified).toEqual([
      {
        name: 'api',
        type: 'http',
        provider: 'config',
        persistent: false,
        storage: 'memory',
        scope: ['https://api.example.com/'],
        ok: true,
      },
      {
        name: 'api_v2',
        type: 'http',
        provider: 'config',
        persistent: false,
        storage: 'memory',
        scope: ['https://api.example.com/v2/'],
        ok: true,
      },
    ])
    expect(report.plan[0]).toContain("BEARER_TOKEN '***'")
    expect(JSON.stringify(report)).not.toContain('tok-1')

    const redacted = await query(
      connection,
      "SELECT secret_string FROM duckdb_secrets() WHERE name = 'api'",
    )
    expect(redacted[0]!.secret_string as string).toContain('bearer_token=redacted')
    const raw = await query(
      connection,
      "SELECT secret_string FROM duckdb_secrets(redact := false) WHERE name = 'api'",
    )
    expect(raw[0]!.secret_string).toBe(
      'name=api;type=http;provider=config;serializable=true;scope=https://api.example.com/;bearer_token=tok-1',
    )
  })

  it('which_secret picks the longest matching scope', async () => {
    const connection = await connect(tempDir())
    await applySecrets(connection, manifestFromYaml(httpManifest()), { resolver })
    const pick = async (path: string) =>
      (await query(connection, `SELECT name FROM which_secret('${path}', 'http')`))[0]?.name
    expect(await pick('https://api.example.com/v2/items')).toBe('api_v2')
    expect(await pick('https://api.example.com/v1/items')).toBe('api')
    expect(await pick('https://other.example.com/')).toBeUndefined()
  })

  it('replaces changed secrets and drops removed floe-managed ones, never foreign ones', async () => {
    const connection = await connect(tempDir(), { allow_unredacted_secrets: 'true' })
    await connection.run("CREATE TEMPORARY SECRET someone_elses (TYPE http, BEARER_TOKEN 'x')")
    await applySecrets(connection, manifestFromYaml(httpManifest()), { resolver })
    const changed = await applySecrets(
      connection,
      manifestFromYaml(`
duckdb:
  secrets:
    - type: http
      name: api
      bearer_token: secret://api/v2_token
`),
      { resolver },
    )
    expect(changed.created).toEqual([])
    expect(changed.replaced).toEqual(['api'])
    expect(changed.dropped).toEqual(['api_v2 (temporary)'])
    expect(changed.plan).toContain('DROP TEMPORARY SECRET api_v2;')
    const names = (await query(connection, 'SELECT name FROM duckdb_secrets() ORDER BY name')).map(
      (r) => r.name,
    )
    expect(names).toEqual(['api', 'someone_elses'])
    const raw = await query(
      connection,
      "SELECT secret_string FROM duckdb_secrets(redact := false) WHERE name = 'api'",
    )
    expect(raw[0]!.secret_string as string).toMatch(/;scope;bearer_token=tok-2$/)
  })

  it('dry run renders the redacted plan and changes nothing', async () => {
    const connection = await connect(tempDir())
    const noResolver = mapResolver({})
    const report = await applySecrets(connection, manifestFromYaml(httpManifest()), {
      resolver: noResolver,
      dryRun: true,
    })
    expect(report.dryRun).toBe(true)
    expect(report.created).toEqual(['api', 'api_v2'])
    expect(report.plan).toHaveLength(2)
    expect(noResolver.calls).toEqual([])
    expect(await query(connection, 'SELECT name FROM duckdb_secrets()')).toEqual([])
  })

  it('fails before touching DuckDB when a reference cannot be resolved', async () => {
    const connection = await connect(tempDir())
    await expect(
      applySecrets(connection, manifestFromYaml(httpManifest('secret://missing/token')), {
        resolver,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', secret: 'missing' })
    expect(await query(connection, 'SELECT name FROM duckdb_secrets()')).toEqual([])
  })

  it('round-trips headers and proxy settings (which DuckDB does not redact)', async () => {
    const connection = await connect(tempDir(), { allow_unredacted_secrets: 'true' })
    await applySecrets(
      connection,
      manifestFromYaml(`
duckdb:
  secrets:
    - type: http
      name: hdr
      extra_http_headers: {X-Api-Key: secret://api/token, X-Team: data}
      http_proxy: http://proxy.internal:3128
      http_proxy_username: svc
      http_proxy_password: secret://api/v2_token
`),
      { resolver },
    )
    const rows = await query(
      connection,
      'SELECT secret_string FROM duckdb_secrets(redact := false)',
    )
    const raw = rows[0]!.secret_string as string
    expect(raw).toContain('extra_http_headers={X-Api-Key=tok-1, X-Team=data}')
    expect(raw).toContain(
      'http_proxy=http://proxy.internal:3128;http_proxy_password=tok-2;http_proxy_username=svc',
    )
  })
})

describe('persistent secrets', () => {
  const persistentYaml = (name = 'vault_api') => `
duckdb:
  secrets:
    - type: http
      name: ${name}
      bearer_token: secret://api/token
      persistent: true
`

  it('survive a reopen, are tracked in the registry, and drop with DROP PERSISTENT SECRET', async () => {
    const dir = join(tempDir(), 'stored_secrets')
    let connection = await connect(dir)
    const report = await applySecrets(connection, manifestFromYaml(persistentYaml()), { resolver })
    expect(report.created).toEqual(['vault_api'])
    expect(report.verified[0]).toMatchObject({ persistent: true, storage: 'local_file', ok: true })
    expect(report.warnings.some((w) => w.includes('UNENCRYPTED') && w.includes(dir))).toBe(true)
    // floe creates the directory owner-only, not with DuckDB's umask default
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(readdirSync(dir).sort()).toEqual([REGISTRY_FILE, 'vault_api.duckdb_secret'])
    expect(JSON.parse(readFileSync(join(dir, REGISTRY_FILE), 'utf8'))).toEqual({
      version: 1,
      secrets: { vault_api: { type: 'http' } },
    })
    // DuckDB keeps the value in plaintext there: the reason for the warning
    expect(readFileSync(join(dir, 'vault_api.duckdb_secret')).includes(Buffer.from('tok-1'))).toBe(
      true,
    )

    open.splice(0).forEach(({ instance, connection: c }) => (c.closeSync(), instance.closeSync()))
    connection = await connect(dir)
    expect(await query(connection, 'SELECT name, persistent FROM duckdb_secrets()')).toEqual([
      { name: 'vault_api', persistent: true },
    ])

    // removing it from the manifest drops it (persistent registry survives the process)
    const removed = await applySecrets(connection, manifestFromYaml('duckdb: {secrets: []}'), {
      resolver,
    })
    expect(removed.dropped).toEqual(['vault_api (persistent)'])
    expect(removed.plan).toEqual(['DROP PERSISTENT SECRET vault_api;'])
    expect(existsSync(join(dir, 'vault_api.duckdb_secret'))).toBe(false)
    expect(JSON.parse(readFileSync(join(dir, REGISTRY_FILE), 'utf8')).secrets).toEqual({})
  })

  it('warns when the secret_directory is readable by others', async () => {
    const dir = tempDir()
    chmodSync(dir, 0o755)
    const connection = await connect(dir)
    const report = await applySecrets(connection, manifestFromYaml(persistentYaml()), { resolver })
    expect(report.warnings).toContainEqual(
      expect.stringMatching(/accessible by group or others \(mode 755\); run: chmod 700/),
    )
  })

  it('migrates temporary → persistent by dropping the floe-managed temporary one', async () => {
    const connection = await connect(tempDir())
    await applySecrets(
      connection,
      manifestFromYaml(persistentYaml().replace('persistent: true', 'persistent: false')),
      {
        resolver,
      },
    )
    const report = await applySecrets(connection, manifestFromYaml(persistentYaml()), { resolver })
    expect(report.replaced).toEqual(['vault_api'])
    expect(report.dropped).toEqual(['vault_api (temporary)'])
    expect(await query(connection, 'SELECT name, persistent FROM duckdb_secrets()')).toEqual([
      { name: 'vault_api', persistent: true },
    ])
  })
})

describe('every other secret type is well-formed SQL for DuckDB', () => {
  const yaml = `
duckdb:
  secrets:
    - {type: s3, name: s3_cfg, key_id: secret://aws/id, secret: secret://aws/secret, region: eu-west-1, endpoint: minio:9000, url_style: path, use_ssl: false, session_token: secret://aws/token, url_compatibility_mode: true, kms_key_id: arn:aws:kms:k, requester_pays: false, scope: [s3://a/, s3://b/]}
    - {type: s3, name: s3_chain, provider: credential_chain, chain: [env, config], profile: dev, region: eu-west-1, refresh: auto}
    - {type: r2, name: r2_cfg, key_id: k, secret: secret://aws/secret, account_id: acct}
    - {type: gcs, name: gcs_cfg, key_id: hmac, secret: secret://aws/secret}
    - {type: azure, name: az_conn, connection_string: secret://az/conn}
    - {type: azure, name: az_chain, provider: credential_chain, chain: "cli;env", account_name: acct}
    - {type: azure, name: az_sp, provider: service_principal, tenant_id: t, client_id: c, client_secret: secret://az/sp, account_name: acct, http_proxy: "http://p:1", proxy_user_name: u, proxy_password: secret://az/sp}
    - {type: azure, name: az_mi, provider: managed_identity, account_name: acct, client_id: c}
    - {type: huggingface, name: hf, token: secret://hf/token}
    - {type: huggingface, name: hf_chain, provider: credential_chain}
    - {type: postgres, name: pg, host: db, port: 5432, database: analytics, user: app, password: secret://pg/pw, sslmode: require}
    - {type: mysql, name: my, host: db, port: 3306, database: shop, user: app, password: secret://pg/pw, ssl_mode: required}
`
  const values = mapResolver({
    'secret://aws/id': 'AKIA',
    'secret://aws/secret': "s'ecret",
    'secret://aws/token': 'tok',
    'secret://az/conn': 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k==',
    'secret://az/sp': 'sp-secret',
    'secret://hf/token': 'hf_x',
    'secret://pg/pw': 'pw',
  })
  const expected: Record<string, RegExp> = {
    s3_cfg: /Secret type 's3' does not exist, but it exists in the httpfs extension/,
    s3_chain:
      /Secret provider 'credential_chain' for type 's3' does not exist, but it exists in the aws extension/,
    r2_cfg: /Secret type 'r2' does not exist, but it exists in the httpfs extension/,
    gcs_cfg: /Secret type 'gcs' does not exist, but it exists in the httpfs extension/,
    az_conn: /Secret type 'azure' does not exist, but it exists in the azure extension/,
    az_chain:
      /Secret provider 'credential_chain' for type 'azure' does not exist, but it exists in the azure extension/,
    az_sp:
      /Secret provider 'service_principal' for type 'azure' does not exist, but it exists in the azure extension/,
    // DuckDB's offline table of extension providers does not list managed_identity (the
    // azure extension registers it when loaded): still a bind-time error, not a parse error.
    az_mi: /Secret provider 'managed_identity' not found for type 'azure'/,
    hf: /Secret type 'huggingface' does not exist, but it exists in the httpfs extension/,
    hf_chain:
      /Secret provider 'credential_chain' for type 'huggingface' does not exist, but it exists in the httpfs extension/,
    pg: /Secret type 'postgres' does not exist, but it exists in the postgres_scanner extension/,
    my: /Secret type 'mysql' does not exist, but it exists in the mysql_scanner extension/,
  }

  it('each statement reaches the "exists in the … extension" error, never a Parser Error', async () => {
    const connection = await connect(tempDir())
    const plan = planDuckdbSecrets(manifestFromYaml(yaml))
    const report = await values.resolve(
      plan.secrets.flatMap((s) => s.params.flatMap((p) => collectRefs(p.value))),
    )
    expect(plan.secrets.map((s) => s.name)).toEqual(Object.keys(expected))
    for (const secret of plan.secrets) {
      for (const sql of [
        renderCreateSecret(secret, report),
        renderCreateSecret(secret, report, { redact: true }),
      ]) {
        const error = await connection.run(sql).then(
          () => undefined,
          (e: Error) => e,
        )
        expect(error?.message, secret.name).toMatch(expected[secret.name]!)
        expect(error?.message).not.toMatch(/Parser Error/)
      }
    }
  })

  it('every seed 000 example reaches DuckDB as well-formed SQL', async () => {
    const connection = await connect(tempDir())
    for (const name of Object.keys(examples)) {
      for (const secret of planDuckdbSecrets(manifestFromYaml(exampleYaml(name))).secrets) {
        const sql = renderCreateSecret(secret, { valueOf: () => undefined })
        const outcome = await connection.run(sql).then(
          () => 'created',
          (e: Error) => e.message,
        )
        if (secret.type === 'http') expect(outcome).toBe('created')
        else
          expect(outcome, `${name}/${secret.name}`).toMatch(
            /does not exist, but it exists in the \w+ extension/,
          )
      }
    }
  })

  it('apply reports the missing extension by secret name, with a hint, without values', async () => {
    const connection = await connect(tempDir())
    const error = await applySecrets(connection, manifestFromYaml(yaml), { resolver: values }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(FloeError)
    expect((error as FloeError).message).toMatch(
      /^\[duckdb\] DuckDB rejected secret 's3_cfg': .*exists in the httpfs extension/,
    )
    expect((error as FloeError).hint).toContain("add 'httpfs' to duckdb.install_extensions")
    expect((error as FloeError).message).not.toContain("s'ecret")
  })

  it('a failure half-way keeps track of what was created, so a later apply can drop it', async () => {
    const connection = await connect(tempDir())
    const mixed = `
duckdb:
  secrets:
    - {type: http, name: first, bearer_token: secret://api/token}
    - {type: s3, name: lake, key_id: k, secret: secret://api/token}
    - {type: http, name: never, bearer_token: secret://api/token}
`
    await expect(applySecrets(connection, manifestFromYaml(mixed), { resolver })).rejects.toThrow(
      /DuckDB rejected secret 'lake'/,
    )
    const names = async () =>
      (await query(connection, 'SELECT name FROM duckdb_secrets() ORDER BY name')).map(
        (r) => r.name,
      )
    expect(await names()).toEqual(['first'])
    const report = await applySecrets(connection, manifestFromYaml('duckdb: {secrets: []}'), {
      resolver,
    })
    expect(report.dropped).toEqual(['first (temporary)'])
    expect(await names()).toEqual([])
  })

  it('the emitted review file is valid SQL: http secrets run, others reach the extension error', async () => {
    const connection = await connect(tempDir())
    const manifest = manifestFromYaml(yaml)
    const { files } = await emitter.emit({
      manifest,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      options: {},
    })
    const statements = files[0]!.content.split(/;\n/).filter((s) => s.includes('CREATE'))
    expect(statements).toHaveLength(12)
    for (const statement of statements) {
      const error = await connection.run(statement).then(
        () => undefined,
        (e: Error) => e,
      )
      expect(error?.message).toMatch(/exists in the \w+ extension|not found for type 'azure'/)
      expect(error?.message).not.toMatch(/Parser Error/)
    }
  })
})

function collectRefs(value: import('../src/index.js').PlanValue): import('@floe/core').SecretRef[] {
  if (value.kind === 'text')
    return value.pieces.flatMap((p) => (typeof p === 'string' ? [] : [p.ref]))
  if (value.kind === 'map') return value.entries.flatMap(([, v]) => collectRefs(v))
  return []
}

describe('escaping is injection-proof (property)', () => {
  it('any value round-trips exactly and never executes as SQL', async () => {
    const dir = tempDir()
    const connection = await unredacted(dir)
    await connection.run('CREATE TABLE x AS SELECT 42 AS answer')
    const manifest = manifestFromYaml(`
duckdb:
  secrets:
    - type: http
      name: prop
      bearer_token: secret://prop/value
`)
    const nasty = fc.constantFrom(
      "'); DROP TABLE x; --",
      "'",
      "''",
      '\\',
      "\\'",
      '\n',
      '";DROP TABLE x;--',
      "$$'$$",
      "E'\\x00'",
      '/* */',
      '💥 ünïcödé',
    )
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .array(fc.oneof(nasty, fc.string({ maxLength: 5 })), { maxLength: 6 })
        .map((parts) => parts.join('')),
    )
    await fc.assert(
      fc.asyncProperty(
        text.filter((s) => !s.includes('\0')),
        async (value) => {
          await applySecrets(connection, manifest, {
            resolver: mapResolver({ 'secret://prop/value': value }),
          })
          const rows = await query(
            connection,
            "SELECT secret_string FROM duckdb_secrets(redact := false) WHERE name = 'prop'",
          )
          expect(rows[0]!.secret_string).toBe(
            `name=prop;type=http;provider=config;serializable=true;scope;bearer_token=${value}`,
          )
          expect(await query(connection, 'SELECT answer FROM x')).toEqual([{ answer: 42 }])
        },
      ),
      { numRuns: 150 },
    )
  }, 120_000)

  it('quoteLiteral: DuckDB reads back exactly the string it was given (any code point)', async () => {
    const connection = await connect(tempDir())
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('\0')),
        async (value) => {
          const literal = quoteLiteral(value)
          const rows = await query(connection, `SELECT ${literal} AS v, hex(${literal}) AS h`)
          // what DuckDB holds, byte for byte; the Node client's TextDecoder drops a leading BOM
          expect(rows[0]!.h).toBe(Buffer.from(value).toString('hex').toUpperCase())
          expect(rows).toEqual([{ v: value.replace(/^\uFEFF/, ''), h: rows[0]!.h }])
        },
      ),
      { numRuns: 400 },
    )
  }, 120_000)

  it('a NUL character is rejected with a clear error and nothing is created', async () => {
    const connection = await connect(tempDir())
    const manifest = manifestFromYaml(httpManifest())
    await expect(
      applySecrets(connection, manifest, {
        resolver: mapResolver({
          'secret://api/token': 'a\0b-hidden',
          'secret://api/v2_token': 'x',
        }),
      }),
    ).rejects.toThrow(/contains a NUL character/)
    expect(await query(connection, 'SELECT name FROM duckdb_secrets()')).toEqual([])
  })
})

describe('applyDuckdb (floe secrets apply duckdb)', () => {
  it('opens the database, applies, verifies and runs -c statements with values masked', async () => {
    const dir = tempDir()
    const manifest = manifestFromYaml(
      `
duckdb:
  database: catalog.duckdb
  secrets:
    - type: http
      name: api
      bearer_token: secret://api/token
      extra_http_headers: {X-Api-Key: secret://api/v2_token}
`,
      dir,
    )
    const report = await applyDuckdb({
      manifest,
      resolver,
      secretDirectory: join(dir, 'secrets'),
      duckdbConfig: isolatedConfig(join(dir, 'secrets')),
      statements: [
        'SELECT name, type, persistent, scope FROM duckdb_secrets()',
        'SELECT secret_string FROM duckdb_secrets()',
      ],
    })
    expect(report.database).toBe(join(dir, 'catalog.duckdb'))
    expect(existsSync(join(dir, 'catalog.duckdb'))).toBe(true)
    expect(report.created).toEqual(['api'])
    expect(report.verified).toMatchObject([{ name: 'api', ok: true }])
    expect(report.results[0]).toEqual({
      sql: 'SELECT name, type, persistent, scope FROM duckdb_secrets()',
      columns: ['name', 'type', 'persistent', 'scope'],
      rows: [{ name: 'api', type: 'http', persistent: false, scope: [] }],
    })
    // duckdb_secrets() redacts the token but not EXTRA_HTTP_HEADERS: floe masks it
    const shown = report.results[1]!.rows[0]!.secret_string as string
    expect(shown).toContain('bearer_token=redacted')
    expect(shown).toContain('X-Api-Key=***')
    expect(shown).not.toContain('tok-2')
  })

  it('resolves database and secret_directory relative to the manifest, persistent survives', async () => {
    const dir = tempDir()
    const manifest = manifestFromYaml(
      `
duckdb:
  database: data/catalog.duckdb
  secret_directory: .duckdb-secrets
  secrets:
    - {type: http, name: kept, bearer_token: secret://api/token, persistent: true, scope: https://x/}
`,
      dir,
    )
    const { secret_directory: _, ...offline } = isolatedConfig('unused')
    // data/ does not exist yet: apply creates the database's directory
    const first = await applyDuckdb({ manifest, resolver, duckdbConfig: offline })
    expect(first.database).toBe(join(dir, 'data', 'catalog.duckdb'))
    expect(first.secretDirectory).toBe(join(dir, '.duckdb-secrets'))
    expect(statSync(join(dir, '.duckdb-secrets')).mode & 0o777).toBe(0o700)
    expect(existsSync(join(dir, '.duckdb-secrets', 'kept.duckdb_secret'))).toBe(true)
    const again = await applyDuckdb({
      manifest,
      resolver,
      duckdbConfig: offline,
      statements: ['SELECT name, persistent FROM duckdb_secrets()'],
    })
    expect(again.created).toEqual([])
    expect(again.replaced).toEqual(['kept'])
    expect(again.results[0]!.rows).toEqual([{ name: 'kept', persistent: true }])
  })

  it('--dry-run resolves nothing and creates no database', async () => {
    const dir = tempDir()
    const manifest = manifestFromYaml(
      httpManifest().replace('duckdb:', 'duckdb:\n  database: never.duckdb'),
      dir,
    )
    const noResolver = mapResolver({})
    const report = await applyDuckdb({
      manifest,
      resolver: noResolver,
      dryRun: true,
      duckdbConfig: isolatedConfig(join(dir, 's')),
      statements: ['SELECT 1'],
    })
    expect(report.plan).toHaveLength(2)
    expect(report.results).toEqual([])
    expect(noResolver.calls).toEqual([])
    expect(existsSync(join(dir, 'never.duckdb'))).toBe(false)
  })

  it('names the extension that cannot be downloaded', async () => {
    const dir = tempDir()
    const manifest = manifestFromYaml(exampleYaml('default temporary'), dir)
    const error = await applyDuckdb({
      manifest,
      resolver,
      database: ':memory:',
      duckdbConfig: isolatedConfig(join(dir, 's')),
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ProviderUnavailableError)
    expect((error as Error).message).toMatch(
      /^\[duckdb\] DuckDB extension 'httpfs' could not be downloaded or installed/,
    )
  })

  it('-c results mask literal credentials too (e.g. interpolated from ${env:…})', async () => {
    const dir = tempDir()
    const report = await applyDuckdb({
      manifest: manifestFromYaml(
        'duckdb: {secrets: [{type: http, name: lit, http_proxy_password: literal-proxy-pw, extra_http_headers: {Authorization: Bearer-literal-tok}}]}',
        dir,
      ),
      duckdbConfig: isolatedConfig(join(dir, 's')),
      statements: ['SELECT secret_string FROM duckdb_secrets()'],
    })
    const shown = report.results[0]!.rows[0]!.secret_string as string
    expect(shown).toContain('Authorization=***')
    expect(shown).not.toContain('Bearer-literal-tok')
    expect(shown).not.toContain('literal-proxy-pw')
  })

  it('-c results mask a value that starts with a BOM, which the Node client shows without it', async () => {
    const dir = tempDir()
    const value = '\uFEFFbom-token-81f2'
    const report = await applyDuckdb({
      manifest: manifestFromYaml(
        'duckdb: {secrets: [{type: http, name: bom, http_proxy: secret://api/bom}]}',
        dir,
      ),
      resolver: mapResolver({ 'secret://api/bom': value }),
      duckdbConfig: isolatedConfig(join(dir, 's')),
      statements: [`SELECT ${quoteLiteral(value)} AS v, length(${quoteLiteral(value)}) AS n`],
    })
    const row = report.results[0]!.rows[0]!
    expect(row.n).toBe('15') // DuckDB has the BOM; the client's string lacks it
    expect(row.v).toBe('***')
  })

  it('-c results mask the escaped forms of a value with quotes and backslashes (table and --json)', async () => {
    const dir = tempDir()
    // distinctive fragments on both sides of the characters DuckDB escapes
    const value = "lk5f1'quote\\path\"dq'9c2"
    const report = await applyDuckdb({
      manifest: manifestFromYaml(
        `
duckdb:
  secrets:
    - type: http
      name: quoted
      http_proxy: secret://api/quoted
      extra_http_headers: {Authorization: secret://api/quoted}
`,
        dir,
      ),
      resolver: mapResolver({ 'secret://api/quoted': value }),
      duckdbConfig: isolatedConfig(join(dir, 's')),
      statements: [
        'SELECT name, secret_string FROM duckdb_secrets()',
        'SELECT [secret_string]::VARCHAR AS nested FROM duckdb_secrets()',
        'SELECT [[secret_string]::VARCHAR]::VARCHAR AS twice FROM duckdb_secrets()',
        "SELECT replace(secret_string, '''', '''''') AS doubled FROM duckdb_secrets()",
      ],
    })
    const shown = report.results[0]!.rows[0]!.secret_string as string
    // DuckDB shows the header value escaped: Authorization='lk5f1\'quote\\path…'
    expect(shown).toContain("extra_http_headers={Authorization='***'}")
    expect(shown).toContain('http_proxy=***')
    const everything = JSON.stringify(report.results)
    expect(everything).not.toContain('5f1')
    expect(everything).not.toContain('9c2')
    expect(report.results.map((r) => Object.values(r.rows[0]!)[0])).toHaveLength(4)
  })

  it('createMasker: as stored, quotes doubled, backslash-escaped, at any depth', () => {
    const mask = createMasker(["a'b\\c", 'x.y'])
    for (const form of ["a'b\\c", "a''b\\c", "a\\'b\\\\c", "a''''b\\c", "a\\\\\\'b\\\\\\\\c"]) {
      expect(mask(`<${form}>`)).toBe('<***>')
    }
    // regex characters in values are literal
    expect(mask('x.y xzy')).toBe('*** xzy')
    expect(createMasker([])('unchanged')).toBe('unchanged')
  })

  it('a failing -c statement is reported without the statement text', async () => {
    const dir = tempDir()
    await expect(
      applyDuckdb({
        manifest: manifestFromYaml(httpManifest(), dir),
        resolver,
        duckdbConfig: isolatedConfig(join(dir, 's')),
        statements: ["SELEC 'tok-1'"],
      }),
    ).rejects.toThrow(
      /^\[duckdb\] statement failed: Parser Error: syntax error at or near "SELEC"$/,
    )
  })
})
