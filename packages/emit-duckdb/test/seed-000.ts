/**
 * The duckdb: examples of seed 000 (its YAML lost indentation in the seed text; restored here,
 * `${env:…}` already interpolated as core's loader does before an emitter sees the section).
 */
export const env: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  DATABASE_URL: 'postgresql://app:pw@db.internal:5432/analytics',
  AZURE_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=k==',
  AZURE_STORAGE_ACCOUNT: 'acct',
  PROD_AWS_KEY: 'AKIAPROD',
  PROD_AWS_SECRET: 'prod-secret',
  DEV_AWS_KEY: 'AKIADEV',
  DEV_AWS_SECRET: 'dev-secret',
  TEMP_ACCESS_KEY: 'AKIATEMP',
  TEMP_SECRET_KEY: 'temp-secret',
  PROD_ACCESS_KEY: 'AKIAPRODACCESS',
  PROD_SECRET_KEY: 'prod-secret-key',
  API_BEARER_TOKEN: 'bearer-123',
}

const interpolate = (text: string): string =>
  text.replace(/\$\{env:([A-Z_]+)\}/g, (_, name: string) => env[name] ?? '')

export const examples: Record<string, string> = {
  'default temporary': `
version: 1
duckdb:
  database: analytics_catalog.duckdb
  install_extensions:
    - httpfs
  # Temporary secrets (default)
  secrets:
    - type: s3
      name: production_s3
      key_id: \${env:AWS_ACCESS_KEY_ID}
      secret: \${env:AWS_SECRET_ACCESS_KEY}
      region: us-west-2
    - type: postgres
      name: analytics_db
      connection_string: \${env:DATABASE_URL}
`,
  'explicit temporary': `
duckdb:
  database: analytics_catalog.duckdb
  secrets:
    - type: s3
      name: production_s3
      key_id: \${env:AWS_ACCESS_KEY_ID}
      secret: \${env:AWS_SECRET_ACCESS_KEY}
      persistent: false # Explicitly temporary
      region: us-west-2
`,
  persistent: `
version: 1
duckdb:
  database: production_catalog.duckdb
  install_extensions:
    - httpfs
  secrets:
    - type: s3
      name: production_s3
      key_id: \${env:AWS_ACCESS_KEY_ID}
      secret: \${env:AWS_SECRET_ACCESS_KEY}
      persistent: true # Enable persistence
      region: us-west-2
    - type: azure
      name: azure_storage
      connection_string: \${env:AZURE_STORAGE_CONNECTION_STRING}
      account_name: \${env:AZURE_STORAGE_ACCOUNT}
      persistent: true # Enable persistence
`,
  mixed: `
version: 1
duckdb:
  database: hybrid_catalog.duckdb
  install_extensions:
    - httpfs
  secrets:
    - type: s3
      name: prod_data_lake
      key_id: \${env:PROD_AWS_KEY}
      secret: \${env:PROD_AWS_SECRET}
      persistent: true
      region: us-east-1
    - type: s3
      name: dev_test_bucket
      key_id: \${env:DEV_AWS_KEY}
      secret: \${env:DEV_AWS_SECRET}
      persistent: false # Temporary
      region: us-west-2
    - type: postgres
      name: analytics_db
      connection_string: \${env:DATABASE_URL}
      persistent: false # Temporary (default)
`,
  'temporary with env': `
duckdb:
  secrets:
    - type: s3
      name: sensitive_data
      key_id: \${env:TEMP_ACCESS_KEY}
      secret: \${env:TEMP_SECRET_KEY}
`,
  'persistent with scope': `
duckdb:
  secrets:
    - type: s3
      name: production_data
      key_id: \${env:PROD_ACCESS_KEY}
      secret: \${env:PROD_SECRET_KEY}
      persistent: true # Use with caution
      scope: "s3://production-bucket/" # Limit scope when possible
`,
  // The seed says SCOPE is "not supported in current DuckDB": it is (DuckDB ≥ 0.10).
  'scope (seed calls it unsupported)': `
duckdb:
  secrets:
    - type: s3
      name: scoped_s3
      key_id: \${env:AWS_ACCESS_KEY_ID}
      secret: \${env:AWS_SECRET_ACCESS_KEY}
      scope: "s3://specific-bucket/prefix/"
`,
  'http bearer token': `
duckdb:
  secrets:
    - type: http
      name: api_access
      bearer_token: \${env:API_BEARER_TOKEN}
`,
}

export function exampleYaml(name: string): string {
  return interpolate(examples[name]!)
}

/** The seed's "Generated SQL for temporary secrets", verbatim. */
export const seedTemporarySql = `CREATE TEMPORARY SECRET s3_prod (
    TYPE S3,
    KEY_ID 'AKIAIOSFODNN7EXAMPLE',
    SECRET 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    REGION 'us-west-2'
);`

/**
 * The seed's "Generated SQL for persistent secrets": it writes a bare CREATE SECRET, which
 * DuckDB makes TEMPORARY; floe writes CREATE PERSISTENT SECRET.
 */
export const seedPersistentSql = `CREATE SECRET s3_prod (
    TYPE S3,
    KEY_ID 'AKIAIOSFODNN7EXAMPLE',
    SECRET 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    REGION 'us-west-2'
);`
