import {
  parseSecretRef,
  UsageError,
  type LoadedManifest,
  type SecretDefinition,
  type SecretRef,
} from '@floe/core'

/** Accepts `secret://name/key`, `name/key` or `name`, and checks the secret is declared. */
export function refFromArgument(input: string, manifest: LoadedManifest): SecretRef {
  const ref = parseSecretRef(input.startsWith('secret://') ? input : `secret://${input}`)
  const names = Object.keys(manifest.secrets)
  declaredSecret(manifest, ref.name, {
    hint: names.length
      ? `declared secrets: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`
      : 'the manifest declares no secrets',
  })
  return ref
}

/** The declaration of a secret named on the command line; an undeclared name is a usage error. */
export function declaredSecret(
  manifest: LoadedManifest,
  name: string,
  options: { hint?: string } = {},
): SecretDefinition {
  const def = manifest.secrets[name]
  if (!def) throw new UsageError(`secret "${name}" is not declared in ${manifest.path}`, options)
  return def
}
