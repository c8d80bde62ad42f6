/**
 * What core knows about the first-party providers without importing them: the field that says
 * where a secret lives. Used only when no catalog is given, so that a fragment such as a Vault
 * definition without `path` gets a specific error instead of failing later at fetch time.
 */
export interface LocatorRule {
  /** any one of these fields must be present */
  anyOf: string[]
  example: string
}

export const BUILTIN_LOCATORS: Record<string, LocatorRule> = {
  vault: { anyOf: ['path'], example: 'path: secret/data/production/kafka' },
  aws_secrets_manager: {
    anyOf: ['secret_id'],
    example: 'secret_id: production/mongodb/connection',
  },
  aws_parameter_store: { anyOf: ['name'], example: 'name: /production/database/password' },
  kubernetes: { anyOf: ['secret_name'], example: 'secret_name: redis-credentials' },
  azure_key_vault: { anyOf: ['secret_name'], example: 'secret_name: storage-connection-string' },
  gcp_secret_manager: { anyOf: ['secret'], example: 'secret: production-api-key' },
  env: { anyOf: ['variable', 'variables'], example: 'variable: DATABASE_PASSWORD' },
  file: { anyOf: ['path'], example: 'path: /run/secrets/db-password' },
}

/** npm package of a first-party provider, for "install X" hints when there is no catalog. */
export function defaultPackageFor(provider: string): string {
  return `@floe/provider-${provider.replace(/_/g, '-')}`
}
