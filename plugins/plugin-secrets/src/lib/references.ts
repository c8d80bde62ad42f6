import { parseSecretRef, UsageError, type LoadedManifest, type SecretRef } from '@floe/core'

/** Accepts `secret://name/key`, `name/key` or `name`, and checks the secret is declared. */
export function refFromArgument(input: string, manifest: LoadedManifest): SecretRef {
  const ref = parseSecretRef(input.startsWith('secret://') ? input : `secret://${input}`)
  if (!manifest.secrets[ref.name]) {
    const names = Object.keys(manifest.secrets)
    throw new UsageError(`secret "${ref.name}" is not declared in ${manifest.path}`, {
      hint: names.length
        ? `declared secrets: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`
        : 'the manifest declares no secrets',
    })
  }
  return ref
}
