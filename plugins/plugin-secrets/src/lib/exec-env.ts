/**
 * The environment floe's back-ends authenticate with. A child of `floe secrets exec` gets the
 * manifest's variables, not floe's own credentials: these families are removed from the
 * inherited environment unless the manifest maps that name or `--pass-env NAME` keeps it.
 */
const CREDENTIAL_FAMILIES = /^(VAULT_|AWS_|GOOGLE_|GCLOUD_|CLOUDSDK_|AZURE_|ARM_)/

/** Names in those families that locate a service rather than prove who you are. */
const LOCATORS = new Set([
  'VAULT_ADDR',
  'VAULT_NAMESPACE',
  'VAULT_CACERT',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'GOOGLE_CLOUD_PROJECT',
])

export function isBackendCredential(name: string): boolean {
  return CREDENTIAL_FAMILIES.test(name) && !LOCATORS.has(name)
}

/**
 * The inherited part of a child's environment: `parent` without floe's back-end credentials,
 * except the names in `keep` (mapped by the manifest or passed with --pass-env).
 * Returns the environment and the names removed (for --verbose; never their values).
 */
export function childBaseEnv(
  parent: NodeJS.ProcessEnv,
  keep: ReadonlySet<string>,
): { env: NodeJS.ProcessEnv; removed: string[] } {
  const env: NodeJS.ProcessEnv = {}
  const removed: string[] = []
  for (const [name, value] of Object.entries(parent)) {
    if (isBackendCredential(name) && !keep.has(name)) removed.push(name)
    else env[name] = value
  }
  return { env, removed }
}
