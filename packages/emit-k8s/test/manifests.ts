/** Manifests shaped like seed 004 (ADR-0023), loaded by the real manifest loader. */
import { loadManifestFromString, type LoadedManifest } from '@floe/core'

export const ESO_MANIFEST = `
plugins:
  secrets:
    type: external-secrets
    config:
      store: aws-secrets-manager
      refresh_interval: 1h
  compute:
    type: snowflake
    connection_secret_ref: snowflake-credentials
  catalog:
    type: polaris
    config:
      client_secret_ref: catalog-credentials
secrets:
  snowflake-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/snowflake
    region: us-east-1
    keys: [account, user, password]
  catalog-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/catalog
    region: us-east-1
    keys: [client_id, client_secret]
  bigquery-credentials:
    provider: gcp_secret_manager
    project: my-gcp-project
    secret: floe-bigquery-sa
  synapse-credentials:
    provider: azure_key_vault
    vault_url: https://my-vault.vault.azure.net
    secret_name: floe-synapse-connection
  local_token:
    provider: env
    variable: LOCAL_TOKEN
env:
  SNOWFLAKE_ACCOUNT: secret://snowflake-credentials/account
  SNOWFLAKE_USER: secret://snowflake-credentials/user
  SNOWFLAKE_PASSWORD: secret://snowflake-credentials/password
  GOOGLE_APPLICATION_CREDENTIALS_JSON: secret://bigquery-credentials
  SYNAPSE_CONNECTION_STRING: secret://synapse-credentials
kubernetes:
  namespace: floe-jobs
  external_secrets:
    api_version: v1beta1
    gcp:
      cluster_location: us-central1
      cluster_name: my-cluster
  workloads:
    - kind: Deployment
      name: dagster-daemon
      containers: [daemon]
      service_account: dagster
      secrets: [snowflake-credentials]
    - kind: Job
      name: dbt-run
      containers: [dbt]
      service_account: floe-job-runner
      secrets: [snowflake-credentials, catalog-credentials]
    - kind: CronJob
      name: bigquery-export
      service_account: floe-job-runner
      env_from: false
      secrets: [bigquery-credentials]
`

export const K8S_MANIFEST = `
plugins:
  secrets:
    type: k8s
secrets:
  snowflake-credentials:
    provider: aws_secrets_manager
    secret_id: floe/prod/snowflake
    region: us-east-1
    keys: [account, user, password]
  redis_password:
    provider: kubernetes
    namespace: credit-card
    secret_name: redis-credentials
    key: password
    service_account: flink-runner
env:
  SNOWFLAKE_PASSWORD: secret://snowflake-credentials/password
kubernetes:
  namespace: floe-jobs
  reloader:
    mode: explicit
  workloads:
    - name: flink-job
      service_account: flink-runner
      secrets: [redis_password, snowflake-credentials]
`

export const VAULT_MANIFEST = `
plugins:
  secrets:
    type: vault
    config:
      address: https://vault.example.com
      auth_method: kubernetes
      role: floe
      mount_path: kubernetes
secrets:
  kafka_credentials:
    provider: vault
    path: secret/data/production/kafka
    keys: [username, password]
    vault:
      address: https://vault.example.com
    auth:
      method: kubernetes
      role: flink-reader
  mongo_credentials:
    provider: vault
    path: database/creds/mongo-readonly
    type: dynamic
    vault:
      address: https://vault.example.com
kubernetes:
  namespace: floe-jobs
`

export function load(text: string): Promise<LoadedManifest> {
  return loadManifestFromString(text, { env: {} })
}

/** seed 004's ExternalSecret for snowflake-credentials ("AWS Secrets Manager + ESO"), spec as written */
export const ADR_SNOWFLAKE_EXTERNAL_SECRET_SPEC = {
  refreshInterval: '1h',
  secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
  target: { name: 'snowflake-credentials', creationPolicy: 'Owner' },
  data: ['account', 'user', 'password'].map((property) => ({
    secretKey: `SNOWFLAKE_${property.toUpperCase()}`,
    remoteRef: { key: 'floe/prod/snowflake', property },
  })),
}
