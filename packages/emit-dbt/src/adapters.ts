/**
 * What each dbt adapter's profile takes (dbt-snowflake, dbt-bigquery, dbt-databricks,
 * dbt-postgres, dbt-redshift, dbt-duckdb, dbt-trino). Used to fail early on a missing
 * required field, warn on an unknown one, and type values that come from env vars.
 */
export interface AdapterSpec {
  /** fields every target of this adapter needs (alternatives as 'a|b') */
  required: string[]
  known: string[]
  numeric: string[]
  boolean: string[]
  /** credentials: should be secret:// references, never plain values */
  credentials: string[]
  /** fields whose value is a mapping/list parsed from one JSON secret (as_native) */
  native?: string[]
  /** adapter-specific checks; returns problems */
  check?(output: Record<string, unknown>): string[]
}

const has = (o: Record<string, unknown>, key: string): boolean =>
  o[key] !== undefined && o[key] !== null

export const ADAPTERS: Record<string, AdapterSpec> = {
  snowflake: {
    required: ['account', 'user', 'database', 'schema'],
    known: [
      'account', 'user', 'password', 'role', 'database', 'warehouse', 'schema', 'threads',
      'authenticator', 'private_key', 'private_key_path', 'private_key_passphrase', 'token',
      'oauth_client_id', 'oauth_client_secret', 'client_session_keep_alive', 'query_tag',
      'connect_retries', 'connect_timeout', 'retry_on_database_errors', 'retry_all',
      'reuse_connections', 'insecure_mode', 'host', 'port', 'protocol', 'proxy_host', 'proxy_port',
    ],
    numeric: ['threads', 'connect_retries', 'connect_timeout', 'port', 'proxy_port'],
    boolean: ['client_session_keep_alive', 'retry_on_database_errors', 'retry_all', 'reuse_connections', 'insecure_mode'],
    credentials: ['password', 'private_key', 'private_key_passphrase', 'token', 'oauth_client_secret'],
    check(o) {
      const problems: string[] = []
      const auth = ['password', 'private_key', 'private_key_path', 'authenticator', 'token'].filter((k) => has(o, k))
      if (auth.length === 0) {
        problems.push('needs one way to authenticate: password, private_key, private_key_path, authenticator or token')
      }
      if (has(o, 'private_key') && has(o, 'private_key_path')) {
        problems.push('sets both private_key and private_key_path (key-pair auth takes one)')
      }
      if (has(o, 'private_key_passphrase') && !has(o, 'private_key') && !has(o, 'private_key_path')) {
        problems.push('sets private_key_passphrase without private_key or private_key_path')
      }
      return problems
    },
  },
  bigquery: {
    required: ['method', 'project', 'dataset|schema'],
    known: [
      'method', 'project', 'dataset', 'schema', 'database', 'threads', 'keyfile', 'keyfile_json',
      'location', 'priority', 'job_execution_timeout_seconds', 'job_creation_timeout_seconds',
      'job_retries', 'job_retry_deadline_seconds', 'maximum_bytes_billed',
      'impersonate_service_account', 'execution_project', 'scopes', 'token', 'refresh_token',
      'client_id', 'client_secret', 'token_uri', 'retries', 'timeout_seconds', 'gcs_bucket',
      'dataproc_region', 'dataproc_cluster_name', 'compute_region', 'quota_project',
    ],
    numeric: [
      'threads', 'job_execution_timeout_seconds', 'job_creation_timeout_seconds', 'job_retries',
      'job_retry_deadline_seconds', 'maximum_bytes_billed', 'retries', 'timeout_seconds',
    ],
    boolean: [],
    credentials: ['keyfile_json', 'token', 'refresh_token', 'client_secret'],
    native: ['keyfile_json'],
    check(o) {
      const methods = ['oauth', 'oauth-secrets', 'service-account', 'service-account-json']
      const method = o.method
      if (typeof method !== 'string' || !methods.includes(method)) {
        return [`method must be one of ${methods.join(', ')}`]
      }
      if (method === 'service-account' && !has(o, 'keyfile')) return ['method service-account needs keyfile (a path)']
      if (method === 'service-account-json' && !has(o, 'keyfile_json')) {
        return ['method service-account-json needs keyfile_json (the service-account JSON, e.g. secret://gcp-sa)']
      }
      if (method === 'oauth-secrets' && !has(o, 'token') && !has(o, 'refresh_token')) {
        return ['method oauth-secrets needs token, or refresh_token with client_id, client_secret and token_uri']
      }
      return []
    },
  },
  databricks: {
    required: ['host', 'http_path', 'schema'],
    known: [
      'host', 'http_path', 'token', 'schema', 'catalog', 'database', 'threads', 'connect_retries',
      'connect_timeout', 'retry_all', 'auth_type', 'client_id', 'client_secret',
      'azure_client_id', 'azure_client_secret', 'session_properties', 'connection_parameters',
    ],
    numeric: ['threads', 'connect_retries', 'connect_timeout'],
    boolean: ['retry_all'],
    credentials: ['token', 'client_secret', 'azure_client_secret'],
    check(o) {
      return has(o, 'token') || o.auth_type === 'oauth'
        ? []
        : ['needs token (a personal access token) or auth_type: oauth']
    },
  },
  postgres: {
    required: ['host', 'user', 'port', 'dbname|database', 'schema'],
    known: [
      'host', 'user', 'password', 'pass', 'port', 'dbname', 'database', 'schema', 'threads',
      'keepalives_idle', 'connect_timeout', 'retries', 'search_path', 'role', 'sslmode',
      'sslcert', 'sslkey', 'sslrootcert', 'application_name',
    ],
    numeric: ['port', 'threads', 'keepalives_idle', 'connect_timeout', 'retries'],
    boolean: [],
    credentials: ['password', 'pass'],
  },
  redshift: {
    required: ['host', 'port', 'dbname|database', 'schema'],
    known: [
      'host', 'user', 'password', 'port', 'dbname', 'database', 'schema', 'threads', 'method',
      'cluster_id', 'iam_profile', 'region', 'autocreate', 'db_groups', 'ra3_node',
      'connect_timeout', 'retries', 'sslmode', 'autocommit', 'role', 'access_key_id',
      'secret_access_key', 'iam_duration_seconds',
    ],
    numeric: ['port', 'threads', 'connect_timeout', 'retries', 'iam_duration_seconds'],
    boolean: ['autocreate', 'ra3_node', 'autocommit'],
    credentials: ['password', 'secret_access_key'],
    check(o) {
      const method = o.method ?? 'database'
      if (method === 'database' && (!has(o, 'user') || !has(o, 'password'))) {
        return ['method database needs user and password']
      }
      if (method === 'iam' && !has(o, 'cluster_id') && !has(o, 'host')) return ['method iam needs cluster_id']
      if (method !== 'database' && method !== 'iam') return ['method must be database or iam']
      return []
    },
  },
  duckdb: {
    required: [],
    known: [
      'path', 'database', 'schema', 'threads', 'extensions', 'settings', 'secrets', 'attach',
      'plugins', 'filesystems', 'external_root', 'use_credential_provider', 'module_paths',
      'disable_transactions', 'keep_open', 'config_options', 'retries',
    ],
    numeric: ['threads'],
    boolean: ['disable_transactions', 'keep_open'],
    credentials: [],
    check(o) {
      const secrets = o.secrets
      if (secrets === undefined) return []
      if (!Array.isArray(secrets)) return ['secrets must be a list of DuckDB secrets (type, and its parameters)']
      return secrets.flatMap((s: unknown, i) =>
        s && typeof s === 'object' && typeof (s as Record<string, unknown>).type === 'string'
          ? []
          : [`secrets[${i}] needs a type (s3, gcs, azure, http, …)`],
      )
    },
  },
  trino: {
    required: ['host', 'port', 'user', 'database', 'schema'],
    known: [
      'method', 'host', 'port', 'user', 'password', 'database', 'schema', 'threads', 'http_scheme',
      'session_properties', 'roles', 'jwt_token', 'client_certificate', 'client_private_key',
      'cert', 'prepared_statements_enabled', 'retries', 'timezone', 'suppress_cert_warning',
      'impersonation_user', 'keytab', 'krb_principal', 'krb_service_name', 'krb_config',
      'krb_mutual_authentication', 'krb_force_preemptive', 'krb_hostname_override',
      'krb_principal_mapping_pattern', 'oauth_console_output',
    ],
    numeric: ['port', 'threads', 'retries'],
    boolean: ['prepared_statements_enabled', 'suppress_cert_warning'],
    credentials: ['password', 'jwt_token'],
    check(o) {
      const method = o.method ?? 'none'
      const methods = ['none', 'ldap', 'kerberos', 'jwt', 'certificate', 'oauth', 'oauth_console']
      if (typeof method !== 'string' || !methods.includes(method)) return [`method must be one of ${methods.join(', ')}`]
      if (method === 'ldap' && !has(o, 'password')) return ['method ldap needs password']
      if (method === 'jwt' && !has(o, 'jwt_token')) return ['method jwt needs jwt_token']
      if (method === 'certificate' && (!has(o, 'client_certificate') || !has(o, 'client_private_key'))) {
        return ['method certificate needs client_certificate and client_private_key']
      }
      return []
    },
  },
} // prettier-ignore
