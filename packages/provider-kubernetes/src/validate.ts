import { z } from 'zod'
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '@floe/core'

/** The `provider:` value of this package's secrets. */
export const PROVIDER_NAME = 'kubernetes'

export { DNS1123_LABEL, DNS1123_SUBDOMAIN }
/** a Secret data key */
export const SECRET_KEY = /^[-._a-zA-Z0-9]+$/

const secretName = z
  .string()
  .max(253)
  .regex(DNS1123_SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", ".")')
const secretKey = z
  .string()
  .max(253)
  .regex(SECRET_KEY, 'a Secret key may contain only a-z, A-Z, 0-9, "-", "_" and "."')

/**
 * The provider's own fields of a `provider: kubernetes` secret, plus connection
 * fields. Shared policy fields are stripped by the manifest loader before this runs.
 */
export const configSchema = z
  .strictObject({
    /** namespace of the Secret; default: the kubeconfig context's namespace, else "default" */
    namespace: z
      .string()
      .max(63)
      .regex(DNS1123_LABEL, 'must be a lowercase RFC 1123 label')
      .optional(),
    /** name of the Secret; default: the manifest secret name */
    secret_name: secretName.optional(),
    /** read this one key: the secret's value is that key's value */
    key: secretKey.optional(),
    /** the keys the secret is expected to have */
    keys: z.array(secretKey).min(1).optional(),
    /** the workload identity that reads it (used by @floe/emit-k8s for RBAC; not impersonated) */
    service_account: secretName.optional(),
    /** kubeconfig context (default: current-context) */
    context: z.string().min(1).optional(),
    /** kubeconfig path (default: $KUBECONFIG, ~/.kube/config, then in-cluster) */
    kubeconfig: z.string().min(1).optional(),
    /** API server URL overriding the kubeconfig cluster's */
    server: z.url().optional(),
    /** synced by External Secrets Operator: true (ExternalSecret of the same name) or its name */
    external_secret: z.union([z.boolean(), secretName]).optional(),
  })
  .refine((config) => !(config.key !== undefined && config.keys !== undefined), {
    message: 'use either "key" or "keys", not both',
    path: ['keys'],
  })

export type KubernetesSecretConfig = z.infer<typeof configSchema>

/** Connection settings: the fields that select a cluster and identity. */
export interface ConnectionConfig {
  context?: string
  kubeconfig?: string
  server?: string
}

export function connectionOf(config: Record<string, unknown>): ConnectionConfig {
  const pick = (field: string): string | undefined =>
    typeof config[field] === 'string' ? config[field] : undefined
  return {
    ...(pick('context') ? { context: pick('context') } : {}),
    ...(pick('kubeconfig') ? { kubeconfig: pick('kubeconfig') } : {}),
    ...(pick('server') ? { server: pick('server') } : {}),
  }
}
