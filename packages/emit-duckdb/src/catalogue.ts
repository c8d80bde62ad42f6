/**
 * What DuckDB accepts in `CREATE SECRET`, per secret type and provider (DuckDB 1.5 and its
 * httpfs / aws / azure / postgres / mysql extensions). Sources: the DuckDB documentation pages
 * for each extension and the extensions' secret functions. Keys are lower-case: DuckDB matches
 * parameter names case-insensitively and floe's manifest uses snake_case.
 */

export type ParamKind = 'string' | 'boolean' | 'number-or-string' | 'map' | 'chain'

export interface ParamSpec {
  kind: ParamKind
  /** the value is a credential: always shown as '***' in redacted SQL */
  sensitive?: boolean
  /** allowed values for enumerations (compared case-insensitively) */
  oneOf?: readonly string[]
  /** the DuckDB parameter this floe name is an alias of */
  renderAs?: string
}

export interface TypeSpec {
  /** extension that registers the type (what `INSTALL`/`LOAD` must name) */
  extension?: string
  defaultProvider: string
  providers: Record<string, { params: Record<string, ParamSpec>; extension?: string }>
}

const str: ParamSpec = { kind: 'string' }
const secretStr: ParamSpec = { kind: 'string', sensitive: true }
const bool: ParamSpec = { kind: 'boolean' }

const s3Common: Record<string, ParamSpec> = {
  endpoint: str,
  key_id: str,
  secret: secretStr,
  region: str,
  session_token: secretStr,
  url_compatibility_mode: bool,
  url_style: { kind: 'string', oneOf: ['vhost', 'path'] },
  use_ssl: bool,
}
const s3Only: Record<string, ParamSpec> = { kms_key_id: str, requester_pays: bool }
const chainParams: Record<string, ParamSpec> = {
  chain: { kind: 'chain' },
  profile: str,
  refresh: { kind: 'string', oneOf: ['auto'] },
}

function s3Like(extra: Record<string, ParamSpec>): TypeSpec {
  const config = { ...s3Common, ...extra }
  return {
    extension: 'httpfs',
    defaultProvider: 'config',
    providers: {
      config: { params: config },
      credential_chain: { params: { ...config, ...chainParams }, extension: 'aws' },
    },
  }
}

const azureProxy: Record<string, ParamSpec> = {
  http_proxy: str,
  proxy_user_name: str,
  proxy_password: secretStr,
}

const httpParams: Record<string, ParamSpec> = {
  bearer_token: secretStr,
  extra_http_headers: { kind: 'map' },
  http_proxy: str,
  http_proxy_username: str,
  http_proxy_password: secretStr,
}

// libpq connection options accepted by the postgres extension's secret (all VARCHAR).
const postgresOptions = [
  'host', 'hostaddr', 'port', 'dbname', 'user', 'passfile', 'require_auth', 'channel_binding',
  'connect_timeout', 'client_encoding', 'options', 'application_name', 'fallback_application_name',
  'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout',
  'replication', 'gssencmode', 'sslmode', 'requiressl', 'sslnegotiation', 'sslcompression',
  'sslcert', 'sslkey', 'sslkeylogfile', 'sslcertmode', 'sslrootcert', 'sslcrl', 'sslcrldir',
  'sslsni', 'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version',
  'min_protocol_version', 'max_protocol_version', 'krbsrvname', 'gsslib', 'gssdelegation',
  'service', 'target_session_attrs', 'load_balance_hosts', 'oauth_issuer', 'oauth_client_id',
  'oauth_scope', 'aws_rds_secret',
] // prettier-ignore

const postgresParams: Record<string, ParamSpec> = {
  ...Object.fromEntries(postgresOptions.map((name) => [name, str])),
  port: { kind: 'number-or-string' },
  connect_timeout: { kind: 'number-or-string' },
  password: secretStr,
  sslpassword: secretStr,
  oauth_client_secret: secretStr,
  scram_client_key: secretStr,
  scram_server_key: secretStr,
  uri: secretStr,
  // aliases DuckDB itself resolves
  database: str,
  hostname: str,
  username: str,
  // floe alias: manifests write `connection_string:` for postgres; DuckDB calls it URI
  connection_string: { kind: 'string', sensitive: true, renderAs: 'uri' },
}

const mysqlParams: Record<string, ParamSpec> = {
  host: str,
  port: { kind: 'number-or-string' },
  user: str,
  password: secretStr,
  database: str,
  socket: str,
  ssl_mode: str,
  ssl_ca: str,
  ssl_capath: str,
  ssl_cert: str,
  ssl_cipher: str,
  ssl_crl: str,
  ssl_crlpath: str,
  ssl_key: str,
}

export const SECRET_TYPES: Record<string, TypeSpec> = {
  s3: s3Like(s3Only),
  r2: s3Like({ account_id: str }),
  gcs: s3Like({}),
  azure: {
    extension: 'azure',
    defaultProvider: 'config',
    providers: {
      config: { params: { connection_string: secretStr, account_name: str, ...azureProxy } },
      credential_chain: { params: { chain: { kind: 'chain' }, account_name: str, ...azureProxy } },
      service_principal: {
        params: {
          tenant_id: str,
          client_id: str,
          client_secret: secretStr,
          client_certificate_path: str,
          account_name: str,
          ...azureProxy,
        },
      },
      managed_identity: {
        params: {
          account_name: str,
          client_id: str,
          object_id: str,
          resource_id: str,
          ...azureProxy,
        },
      },
    },
  },
  http: {
    defaultProvider: 'config',
    providers: { config: { params: httpParams }, env: { params: httpParams } },
  },
  huggingface: {
    extension: 'httpfs',
    defaultProvider: 'config',
    providers: { config: { params: { token: secretStr } }, credential_chain: { params: {} } },
  },
  postgres: {
    extension: 'postgres',
    defaultProvider: 'config',
    providers: { config: { params: postgresParams } },
  },
  mysql: {
    extension: 'mysql',
    defaultProvider: 'config',
    providers: { config: { params: mysqlParams } },
  },
}

/** Manifest keys of a `duckdb.secrets[]` entry that are not CREATE SECRET parameters. */
export const ENTRY_KEYS = new Set(['type', 'name', 'persistent', 'scope', 'provider'])

/** Header names whose values are credentials even when written as literals. */
export const SENSITIVE_HEADER = /auth|token|key|secret|cookie|password|session/i
