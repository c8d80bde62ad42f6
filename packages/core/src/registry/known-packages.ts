/** Where the first-party providers live, for "install X" hints. */
export const knownProviderPackages: Readonly<Record<string, string>> = {
  vault: '@floe/provider-vault',
  aws_secrets_manager: '@floe/provider-aws-secrets-manager',
  aws_parameter_store: '@floe/provider-aws-parameter-store',
  gcp_secret_manager: '@floe/provider-gcp-secret-manager',
  azure_key_vault: '@floe/provider-azure-key-vault',
  kubernetes: '@floe/provider-kubernetes',
  env: '@floe/provider-env',
  file: '@floe/provider-file',
}

export const knownEmitterPackages: Readonly<Record<string, string>> = {
  duckdb: '@floe/emit-duckdb',
  dbt: '@floe/emit-dbt',
  k8s: '@floe/emit-k8s',
}

/** The package to install for a provider name: first-party, else the third-party convention. */
export function providerPackageFor(name: string): string {
  return knownProviderPackages[name] ?? `floe-provider-${name}`
}

export function emitterPackageFor(name: string): string {
  return knownEmitterPackages[name] ?? `floe-emit-${name}`
}
