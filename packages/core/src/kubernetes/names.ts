import type { SecretDefinition } from '../types.js'

// The one owner of Kubernetes naming: @floe/emit-k8s writes Secrets and ExternalSecrets under
// these names and @floe/provider-kubernetes finds them again (list, status, rotate) by the
// same rule. It lives in core, not in provider-kubernetes, so emitting manifests never needs
// the Kubernetes client.

/** RFC 1123 subdomain (Secret, ExternalSecret, Role… names) */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** RFC 1123 label (namespaces, container names) */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name)
}

export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name)
}

/** "Kafka_Credentials" → "kafka-credentials" */
export function dnsName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 253)
  return cleaned || 'secret'
}

/**
 * The Kubernetes Secret / ExternalSecret name of a manifest secret: an explicit
 * `kubernetes.secrets.<name>.name` (in `overrides`), a kubernetes provider's `secret_name`, the
 * name itself when it is a valid RFC 1123 subdomain, else its RFC 1123 form.
 */
export function kubernetesNameOf(
  definition: Pick<SecretDefinition, 'name' | 'provider' | 'fields'>,
  overrides: Readonly<Record<string, string>>,
): string {
  const override = overrides[definition.name]
  if (override) return override
  if (definition.provider === 'kubernetes' && typeof definition.fields.secret_name === 'string')
    return definition.fields.secret_name
  return isDns1123Subdomain(definition.name) ? definition.name : dnsName(definition.name)
}
